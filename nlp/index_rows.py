"""What the index derives from a record: typed entity columns, the year each figure reports,
the document's kind, year and main program, and its sections with the gaps filled.

Pure functions of a record (and the rules' gazetteer); `nlp.index` writes their rows.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from collections import Counter
from typing import Any

from nlp.catalog import canonical
from nlp.gazetteer import program_lookup
from nlp.programs import main_program
from nlp.records import Record
from nlp.textmap import fold

_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_KIND_RE = re.compile(r"(?<!\d)\d+_([A-Za-z]+)_")
#: Ends of sentences and lines (a table row is a line).
_SENTENCE_END_RE = re.compile(r"[.;!?](?=\s)|\n")
_NUMBER_RE = re.compile(r"[-\u2212]?\d+(?:[.,]\d+)?")


def clean_surface(surface: str) -> str:
    return " ".join(surface.replace("*", " ").split())


def sections_with_gaps(record: Record) -> list[tuple[int, int, str, int]]:
    """(start, end, label, inferred) covering the text: gaps with words become `other`."""
    text = record["text"]
    out: list[tuple[int, int, str, int]] = []
    pos = 0
    for sec in sorted(record.get("sections", []), key=lambda s: (s["start"], s["end"])):
        if sec["start"] > pos and text[pos : sec["start"]].strip():
            out.append((pos, sec["start"], "other", 1))
        out.append((sec["start"], sec["end"], sec["label"], 0))
        pos = max(pos, sec["end"])
    if pos < len(text) and text[pos:].strip():
        out.append((pos, len(text), "other", 1))
    return out


def document_kind(record: Record) -> str | None:
    """`meta.kind`, else the word after the number in the id (`001_ficha_...` -> `ficha`)."""
    kind = (record.get("meta") or {}).get("kind")
    if kind:
        return str(kind)
    match = _KIND_RE.match(record["id"])
    return match.group(1).lower() if match else None


def document_year(record: Record) -> int | None:
    """The year a document is from: `meta.year`, else the last year in its id or file name.

    Fichas and circulars are named by their year (`001_ficha_imss_bienestar_2022`);
    the text's own years span whole histories (a 2012 ficha cites 1979), so they
    give the period, not this.
    """
    meta = record.get("meta") or {}
    if str(meta.get("year", "")).isdigit():
        return int(meta["year"])
    for name in (record["id"], os.path.basename(str(meta.get("source") or ""))):
        found = _YEAR_RE.findall(name)
        if found:
            return int(found[-1])
    return None


def entity_columns(ent: dict[str, Any], text: str) -> dict[str, Any]:
    """Typed columns of one entity from its normalized value (or, if absent, its surface)."""
    label, value = ent["label"], ent.get("value")
    surface = text[ent["start"] : ent["end"]]
    cols: dict[str, Any] = {
        "label": label,
        "surface": surface,
        "start": ent["start"],
        "end": ent["end"],
        "year_start": None,
        "year_end": None,
        "near_year_start": None,
        "near_year_end": None,
        "date": None,
        "amount": None,
        "currency": None,
        "percent": None,
        "program_name": None,
        "program_key": None,
        "value_json": None
        if value is None
        else json.dumps(value, ensure_ascii=False, sort_keys=True),
    }
    if label == "YEAR":
        if isinstance(value, dict):
            cols["year_start"], cols["year_end"] = value["start"], value["end"]
        elif found := [int(y) for y in _YEAR_RE.findall(surface)]:
            cols["year_start"], cols["year_end"] = min(found), max(found)
    elif label == "DATE":
        cols["date"] = value if isinstance(value, str) else None
        year = value[:4] if isinstance(value, str) else next(iter(_YEAR_RE.findall(surface)), None)
        if year:
            cols["year_start"] = cols["year_end"] = int(year)
    elif label == "AMOUNT" and isinstance(value, dict):
        cols["amount"], cols["currency"] = float(value["amount"]), value.get("currency")
    elif label == "PERCENT":
        if isinstance(value, (int, float)):
            cols["percent"] = float(value)
        elif number := _NUMBER_RE.search(surface):
            cols["percent"] = float(number.group().replace("\u2212", "-").replace(",", "."))
    elif label == "PROGRAM":
        cols["program_name"], cols["program_key"] = program_value(value, surface)
    return cols


def add_near_years(
    entities: list[dict[str, Any]], text: str, sections: list[tuple[int, int, str, int]]
) -> None:
    """Give each AMOUNT and PERCENT the year it reports.

    "En 2022 se asignó 20,184.01 millones" and a table row "2012  8,500  2.10 %" date
    their figures: the nearest YEAR or DATE before the figure in the same sentence
    or line wins, else the nearest after it; failing both, the last one before it
    in its section ("Valor 2020" heading a table). Figures with none fall back, at
    search time, to the document's period.
    """
    bounds = [0, *(m.end() for m in _SENTENCE_END_RE.finditer(text)), len(text)]
    section_starts = [s[0] for s in sections]
    dated = [e for e in entities if e["year_start"] is not None]
    for ent in entities:
        if ent["label"] not in ("AMOUNT", "PERCENT"):
            continue
        pos = bisect_right(bounds, ent["start"])
        lo, hi = bounds[pos - 1], bounds[min(pos, len(bounds) - 1)]
        sec = bisect_right(section_starts, ent["start"]) - 1
        sec_start = sections[sec][0] if sec >= 0 else 0
        before = [d for d in dated if sec_start <= d["start"] and d["end"] <= ent["start"]]
        after = [d for d in dated if ent["end"] <= d["start"] and d["end"] <= hi]
        in_sentence = [d for d in before if d["start"] >= lo]
        near = (
            in_sentence[-1]
            if in_sentence
            else after[0]
            if after
            else before[-1]
            if before
            else None
        )
        if near is not None:
            ent["near_year_start"], ent["near_year_end"] = near["year_start"], near["year_end"]


def program_value(value: Any, surface: str) -> tuple[str, str | None]:
    """(canonical name, stated key) of a PROGRAM entity: one catalogue program, one name."""
    if isinstance(value, dict) and value.get("name"):
        return canonical(value["name"], value.get("id")), value.get("key")
    try:
        program = program_lookup().get(fold(surface))
    except (FileNotFoundError, ValueError):  # no rules folder, or no catalogue
        program = None
    return (program.name if program else clean_surface(surface)), None


def document_program(
    entities: list[dict[str, Any]], text: str, rules_dir: str | None
) -> tuple[str | None, str | None]:
    """The document's main program (`nlp.programs.main_program`, as the component decides
    it) and the key most often stated with it."""
    mentions = [(e["start"], e["program_name"]) for e in entities if e["label"] == "PROGRAM"]
    best = main_program(mentions, text, rules_dir)
    if best is None:
        return None, None
    keys = Counter(
        e["program_key"] for e in entities if e["program_name"] == best and e["program_key"]
    )
    return best, (keys.most_common(1)[0][0] if keys else None)
