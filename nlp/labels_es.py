"""Spanish names of the guide's labels, and Mexican formats for numbers, money and dates.

Analysts read Spanish: the web page shows `Presupuesto`, not `budget`, and the CLI and
the Python API accept either (`--section presupuesto`, `--label PROGRAMA`). The ids stay
the guide's everywhere data is stored or linked; the names are in one file,
`rules/lexicon/label_names_es.tsv`, and month names come from `rules/lexicon/months.tsv`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from nlp.rules import read_tsv, rules_path
from nlp.settings import ENTITY_LABELS, SECTION_LABELS
from nlp.textmap import fold

NAMES_FILE = ("lexicon", "label_names_es.tsv")
MONTHS_FILE = ("lexicon", "months.tsv")


class LabelNamesError(ValueError):
    """The Spanish names file is missing a label or names one the guide does not have."""


def _rules_file(parts: tuple[str, ...]) -> Path:
    return rules_path(None, *parts)


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    """{"section"|"entity": {label id: Spanish name}}, checked against the guide's labels."""
    path = _rules_file(NAMES_FILE)
    out: dict[str, dict[str, str]] = {"section": {}, "entity": {}}
    for row in read_tsv(path):
        kind, label = row.get("kind", ""), row.get("id", "")
        known = SECTION_LABELS if kind == "section" else ENTITY_LABELS if kind == "entity" else ()
        if label not in known:
            raise LabelNamesError(f"{path}: {kind or '?'} label {label!r} is not in the guide")
        out[kind][label] = row["name"]
    for kind, labels in (("section", SECTION_LABELS), ("entity", ENTITY_LABELS)):
        if missing := [label for label in labels if label not in out[kind]]:
            raise LabelNamesError(f"{path}: no Spanish name for {kind} labels {missing}")
    return out


@lru_cache(maxsize=1)
def _aliases() -> dict[str, dict[str, str]]:
    """{kind: {folded id, name or alias: label id}}."""
    out: dict[str, dict[str, str]] = {"section": {}, "entity": {}}
    names = _table()
    for row in read_tsv(_rules_file(NAMES_FILE)):
        kind, label = row["kind"], row["id"]
        spellings = [label, names[kind][label], *row.get("aliases", "").split("|")]
        for spelling in spellings:
            if spelling.strip():
                out[kind][fold(spelling)] = label
    return out


def section_name(label: str) -> str:
    """`budget` -> `Presupuesto` (an unknown id is returned as given)."""
    return _table()["section"].get(label, label)


def entity_name(label: str) -> str:
    """`PROGRAM` -> `Programa` (an unknown id is returned as given)."""
    return _table()["entity"].get(label, label)


def section_id(name: str | None) -> str | None:
    """The guide's section id for an id or Spanish name (`presupuesto` -> `budget`);
    anything else is returned unchanged, for the caller's own error message."""
    if not isinstance(name, str):
        return name
    return _aliases()["section"].get(fold(name), name)


def entity_id(name: str | None) -> str | None:
    """The guide's entity label for an id or Spanish name (`PROGRAMA` -> `PROGRAM`)."""
    if not isinstance(name, str):
        return name
    return _aliases()["entity"].get(fold(name), name)


def section_names() -> dict[str, str]:
    """{section id: Spanish name}, in the guide's order."""
    return {label: section_name(label) for label in SECTION_LABELS}


def entity_names() -> dict[str, str]:
    """{entity label: Spanish name}, in the guide's order."""
    return {label: entity_name(label) for label in ENTITY_LABELS}


# --- Mexican formats ------------------------------------------------------------------------


def number_mx(value: float, decimals: int = 2) -> str:
    """`20184.01` -> `20,184.01` (comma thousands, point decimals, no trailing zeros)."""
    text = f"{value:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def money_mx(amount: float, currency: str | None = "MXN") -> str:
    """`20_184_010_000` -> `20,184.01 millones de pesos`; other currencies by their code."""
    unit = "pesos" if (currency or "MXN") == "MXN" else currency
    if abs(amount) >= 1e6:
        return f"{number_mx(amount / 1e6)} millones de {unit}"
    return f"{number_mx(amount)} {unit}"


@lru_cache(maxsize=1)
def month_names() -> dict[int, str]:
    """{1: "enero", ...}: the first full name of each month in `months.tsv`."""
    out: dict[int, str] = {}
    for row in read_tsv(_rules_file(MONTHS_FILE)):
        month = int(row["month"])
        if month not in out and len(row["word"]) > 3 and "." not in row["word"]:
            out[month] = row["word"]
    return out


def date_mx(value: str | dt.date | None) -> str:
    """`2018-08-14` -> `14 de agosto de 2018`; `2018-08` -> `agosto de 2018`."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    parts = text[:10].split("-")
    try:
        year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
    except ValueError:
        return text
    if month is None or month not in month_names():
        return str(year)
    name = month_names()[month]
    return f"{day} de {name} de {year}" if day else f"{name} de {year}"
