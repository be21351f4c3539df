"""What the pages show, read from the index (read-only): documents, one document's
sections and entities, program names, and the budget and coverage points of a program.

Every query binds user values as parameters; connections come from
`nlp.index_schema.connect_read` (`mode=ro`), one per request.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nlp.catalog import CatalogError, lookup
from nlp.ids import id_problem
from nlp.index_schema import connect_read, name_key
from nlp.search import program_matches
from nlp.textmap import fold

#: Document ids as `fichas index` writes them (file stems); anything else is not looked up.
_PAREN_RE = re.compile(r"(?<!\s)\s*\([^)]*\)")
#: The series of amounts stated in prose (not in a table column).
TEXT_AMOUNTS = "Montos en el texto"


class NotFound(LookupError):
    """A document or program the index does not have (the page says so, status 404)."""


def documents(db: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every indexed document: id, file, kind, program, year, period."""
    conn = connect_read(db)
    try:
        cur = conn.execute(
            "SELECT id, file, kind, program, program_key, year, year_start, year_end, n_chars "
            "FROM documents ORDER BY id"
        )
        return _dicts(cur)
    finally:
        conn.close()


def document(db: str | os.PathLike[str], doc_id: str) -> dict[str, Any]:
    """One document with its text, sections (with their entities) and the guide record.

    The index stores the text section by section; characters between sections are
    whitespace (the index keeps every gap with a word as an `other` section), so
    the text is rebuilt with spaces there and every offset stays right.
    """
    problem = id_problem(doc_id)
    if problem:
        raise NotFound(f"no document {str(doc_id)[:80]!r}: {problem}")
    doc, sections, entities = _read_document(db, doc_id)
    chars = [" "] * doc["n_chars"]
    for sec in sections:
        chars[sec["start"] : sec["end"]] = sec["text"]
    text = "".join(chars)
    for sec in sections:
        sec["pieces"] = _pieces(text, sec, [e for e in entities if e["section_id"] == sec["id"]])
        sec["title"] = _title(sec["text"]) or sec["label"]
    doc["sections"] = sections
    doc["entities"] = entities
    doc["record"] = {
        "id": doc_id,
        "text": text,
        "entities": [{k: e[k] for k in ("start", "end", "label", "value")} for e in entities],
        "sections": [
            {k: s[k] for k in ("start", "end", "label")} for s in sections if not s["inferred"]
        ],
        "meta": {"source": doc["file"], "kind": doc["kind"], "year": doc["year"]},
    }
    return doc


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def _read_document(db: str | os.PathLike[str], doc_id: str) -> tuple[dict[str, Any], list, list]:
    """(document row, its sections, its entities) as dicts; NotFound if the index lacks it."""
    conn = connect_read(db)
    try:
        found = _dicts(
            conn.execute(
                "SELECT id, file, kind, program, program_key, year, year_start, year_end,"
                " n_chars, indexed_at FROM documents WHERE id = ?",
                (doc_id,),
            )
        )
        if not found:
            raise NotFound(f"no document {doc_id!r} in the index")
        sections = _dicts(
            conn.execute(
                "SELECT id, label, start, end, text, inferred FROM sections WHERE doc_id = ?"
                " ORDER BY start",
                (doc_id,),
            )
        )
        entities = _dicts(
            conn.execute(
                "SELECT label, surface, start, end, value_json AS value, section_id FROM entities"
                " WHERE doc_id = ? ORDER BY start",
                (doc_id,),
            )
        )
    finally:
        conn.close()
    for sec in sections:
        sec["inferred"] = bool(sec["inferred"])
    for ent in entities:
        ent["value"] = None if ent["value"] is None else json.loads(ent["value"])
    return found[0], sections, entities


def _pieces(
    text: str, sec: dict[str, Any], entities: list[dict[str, Any]]
) -> list[tuple[str, Any]]:
    """A section's text cut into ("text", str) and ("ent", entity) pieces, in order."""
    pieces: list[tuple[str, Any]] = []
    pos = sec["start"]
    for ent in entities:
        start, end = max(ent["start"], pos), min(ent["end"], sec["end"])
        if start >= end:
            continue
        if start > pos:
            pieces.append(("text", text[pos:start]))
        pieces.append(("ent", {**ent, "shown": text[start:end]}))
        pos = end
    if pos < sec["end"]:
        pieces.append(("text", text[pos : sec["end"]]))
    return pieces


def _title(text: str) -> str:
    """First non-blank line of a section, without Markdown marks, for the side list."""
    for line in text.splitlines():
        line = line.strip(" \t*#_`>\\")
        if line:
            return line[:70] + ("…" if len(line) > 70 else "")
    return ""


def program_names(db: str | os.PathLike[str], program: str) -> list[str]:
    """Canonical names that `program` (any name, earlier name, key or surface seen) stands for."""

    conn = connect_read(db)
    try:
        names, near = program_matches(conn, program)
    finally:
        conn.close()
    if not names:
        hint = f"; did you mean: {' | '.join(near)}" if near else ""
        raise NotFound(f"unknown program {program[:80]!r}{hint}")
    return names


def aliases(db: str | os.PathLike[str], names: list[str]) -> list[str]:
    """The other names of the canonical `names`, one spelling each (for the series page header)."""
    conn = connect_read(db)
    try:
        marks = ", ".join("?" * len(names))
        rows = conn.execute(
            f"SELECT alias, alias_fold FROM program_names WHERE name IN ({marks}) AND source "
            "= 'gazetteer'"
            " ORDER BY alias_fold, alias DESC",
            names,
        ).fetchall()
    finally:
        conn.close()
    folded_names = {name_key(n) for n in names}
    shown: dict[str, str] = {}
    for alias, key in rows:  # one spelling per name ("IMSS-Coplamar", not also "IMSS COPLAMAR")
        if key not in folded_names:
            shown.setdefault(key, alias)
    return list(shown.values())


def history(names: list[str]) -> list[dict[str, Any]]:
    """The catalogue's history of each canonical name: names and keys with their years."""
    out = []
    for name in names:
        try:
            entry = lookup(name, ids=False)
        except (CatalogError, FileNotFoundError):
            return []
        if entry is None:
            continue
        dated = [f"{a.value} ({a.period})" for a in entry.aliases if a.period]
        keys = [f"{k.value} ({', '.join(map(str, entry.period_of(k)))})" for k in entry.keys]
        out.append(
            {
                "id": entry.id,
                "name": entry.name,
                "dated_names": dated,
                "dated_keys": keys,
                "agency": entry.agency or "",
            }
        )
    return out


@dataclass
class Point:
    """One figure of a series: a value for a year, from a document."""

    year: int
    value: float
    doc_id: str
    surface: str
    start: int
    context: str


@dataclass
class Series:
    """Figures that mean the same thing (one table column, or coverage) across documents."""

    key: str
    name: str
    unit: str
    points: list[Point] = field(default_factory=list)


def series(db: str | os.PathLike[str], names: list[str]) -> tuple[list[Series], list[Series]]:
    """(budget series, coverage series) of the documents whose main program is in `names`.

    Budget: AMOUNT entities of `budget` sections, by the year of their sentence or
    table row, split by table column (header named when it can be read) and
    amounts stated in prose. Coverage: PERCENT entities of `coverage` sections.
    Figures whose year is a range, or unknown, are left out.
    """
    marks = ", ".join("?" * len(names))
    conn = connect_read(db)
    try:
        rows = conn.execute(
            "SELECT e.doc_id, e.label, e.surface, e.start, e.amount, e.currency, e.percent,"
            " e.near_year_start, e.column_header, s.start, s.text"
            # CROSS JOIN keeps SQLite on this order: the program's documents, then their
            # entities (0.5 ms on 10,000 documents); it otherwise walks every AMOUNT (150 ms).
            " FROM documents d CROSS JOIN entities e ON e.doc_id = d.id"
            " JOIN sections s ON s.id = e.section_id"
            f" WHERE d.program IN ({marks}) AND e.near_year_start = e.near_year_end AND ("
            " (e.label = 'AMOUNT' AND e.section = 'budget' AND e.amount IS NOT NULL)"
            " OR (e.label = 'PERCENT' AND e.section = 'coverage' AND e.percent IS NOT NULL))"
            " ORDER BY e.doc_id, e.start",
            names,
        ).fetchall()
    finally:
        conn.close()
    budget: dict[str, Series] = {}
    coverage = Series("coverage", "Cobertura", "%")
    seen: set[tuple[str, int, float]] = set()
    for doc_id, label, surface, start, amount, currency, percent, year, header, *sec in rows:
        context = _line_of(sec[1], start - sec[0])
        if label == "PERCENT":
            if (doc_id, year, percent) not in seen:
                seen.add((doc_id, year, percent))
                coverage.points.append(Point(year, percent, doc_id, surface, start, context))
            continue
        name = _column_name(header) if header else TEXT_AMOUNTS
        unit = "millones de pesos" if (currency or "MXN") == "MXN" else f"millones ({currency})"
        key = f"{fold(name)}|{unit}"
        budget.setdefault(key, Series(key, name, unit)).points.append(
            Point(year, amount / 1e6, doc_id, surface, start, context)
        )
    ordered = sorted(
        budget.values(), key=lambda s: (s.name == TEXT_AMOUNTS, -len(s.points), s.name)
    )
    return ordered, [coverage] if coverage.points else []


def _line_of(sec_text: str, at: int) -> str:
    """The line of a section around offset `at`, as context for a point (160 characters)."""
    line_start = sec_text.rfind("\n", 0, at) + 1
    line_end = sec_text.find("\n", at)
    line = sec_text[line_start : line_end if line_end >= 0 else len(sec_text)]
    return " ".join(line.split())[:160]


def _column_name(header: str) -> str:
    """A table column's name for a chart, from the header the index keeps (`nlp.tables`):
    `Presupuesto del Programa (MDP) (1)` -> `Presupuesto del programa`."""
    name = _PAREN_RE.sub("", header).strip(" *:")
    return name[:1].upper() + name[1:].lower() if name else header


def group_by_doc(points: list[Point]) -> dict[str, list[Point]]:
    """Points of each document, by year (one line per document in a chart)."""
    groups: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        groups[p.doc_id].append(p)
    return {d: sorted(ps, key=lambda p: p.year) for d, ps in groups.items()}
