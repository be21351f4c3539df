"""PROGRAM values: the canonical name and budget key of a program mention."""

from __future__ import annotations

import regex

from nlp.catalog import link_value, lookup
from nlp.textmap import normalize

_MARKUP_RE = regex.compile(r"[*\"“”«»]+")
_KEY_RE = regex.compile(r"^([A-Z])\s*-?\s*(\d{3})$")


def clean_name(surface: str) -> str:
    """A name as written, without markup, quotes, line-end hyphens or letter-spacing."""

    surface = normalize(surface).norm  # line-end hyphens, letter-spacing, broken words
    return " ".join(_MARKUP_RE.sub("", surface).split())


def normalize_key(key: str) -> str | None:
    """Budget key without hyphen or spaces (`B-004` -> `B004`); None if it is not a key."""
    match = _KEY_RE.match(key.strip().upper())
    return f"{match.group(1)}{match.group(2)}" if match else None


def canonical_name(surface: str, rules_dir: str | None = None) -> str:
    """Canonical name of the program from the catalogue (any of its names, of any year,
    also without a leading `Programa`/`Programa de`), else the cleaned surface."""
    name = clean_name(surface)
    entry = None if normalize_key(name) else lookup(name, rules_dir=rules_dir, ids=False)
    return entry.name if entry else name


def default_program_value(
    surface: str, key: str | None = None, rules_dir: str | None = None
) -> dict[str, str | None]:
    """The guide's PROGRAM value `{"name", "key"}`."""
    return {"name": canonical_name(surface, rules_dir), "key": key}


def link(
    surface: str,
    doc_year: int | None = None,
    stated_key: str | None = None,
    rules_dir: str | None = None,
) -> dict[str, str | None]:
    """The PROGRAM value of a mention: `{"name", "key", "id"}` (`nlp.catalog.link_value`)."""
    return link_value({"name": clean_name(surface), "key": stated_key}, doc_year, rules_dir)
