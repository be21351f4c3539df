"""What the pages show, read from the index (read-only): documents, one document's
sections and entities, program names, and the budget and coverage points of a program.

Every query binds user values as parameters; connections come from
`nlp.index_schema.connect_read` (`mode=ro`), one per request.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from nlp.index_schema import connect_read, name_key
from nlp.textmap import fold

#: Document ids as `fichas index` writes them (file stems); anything else is not looked up.
DOC_ID_RE = re.compile(r"[\w.\-]{1,200}")
_TABLE_ROW_RE = re.compile(r"[\d\s.,%|/=\-–]*")
_NOT_AVAILABLE_RE = re.compile(r"\b(?:n\.\s?d\.?|nd|n/a)(?!\w)", re.IGNORECASE)
_CELL_SPLIT_RE = re.compile(r"\t+|\s{2,}")
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
_MONEY_HEADER_RE = re.compile(
    r"((?:[^\s()]+\s+){0,3}[^\s()]+)\s*\((?:MMDP|MDP|millones de pesos|miles de pesos)\)",
    re.IGNORECASE,
)
_YEAR_WORDS = {"ano", "anio", "year", "ejercicio"}


class NotFound(LookupError):
    """A document or program the index does not have (the page says so, status 404)."""


def documents(db: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every indexed document: id, file, kind, program, year, period."""
    conn = connect_read(db)
    try:
        cur = conn.execute(
            "SELECT id, file, kind, program, program_key, year, year_start, year_end, n_chars"
            " FROM documents ORDER BY id"
        )
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]
    finally:
        conn.close()


def document(db: str | os.PathLike[str], doc_id: str) -> dict[str, Any]:
    """One document with its text, sections (with their entities) and the guide record.

    The index stores the text section by section; characters between sections are
    whitespace (the index keeps every gap with a word as an `other` section), so
    the text is rebuilt with spaces there and every offset stays right.
    """
    if not DOC_ID_RE.fullmatch(doc_id or ""):
        raise NotFound(
            f"no document {doc_id[:80]!r}: document ids are letters, digits, '_', '-' and '.'"
        )
    conn = connect_read(db)
    try:
        cur = conn.execute(
            "SELECT id, file, kind, program, program_key, year, year_start, year_end, n_chars,"
            " indexed_at FROM documents WHERE id = ?",
            (doc_id,),
        )
        row = cur.fetchone()
        if row is None:
            raise NotFound(f"no document {doc_id!r} in the index")
        doc = dict(zip([c[0] for c in cur.description], row, strict=True))
        sections, entities = _parts(conn, doc_id)
    finally:
        conn.close()
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


def _parts(conn: Any, doc_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(sections, entities) of one document, in text order."""
    sections = [
        {"id": sid, "label": label, "start": start, "end": end}
        | {"text": text, "inferred": bool(inferred)}
        for sid, label, start, end, text, inferred in conn.execute(
            "SELECT id, label, start, end, text, inferred FROM sections"
            " WHERE doc_id = ? ORDER BY start",
            (doc_id,),
        )
    ]
    entities = [
        {"label": label, "surface": surface, "start": start, "end": end}
        | {"value": None if value is None else json.loads(value), "section_id": sid}
        for label, surface, start, end, value, sid in conn.execute(
            "SELECT label, surface, start, end, value_json, section_id FROM entities"
            " WHERE doc_id = ? ORDER BY start",
            (doc_id,),
        )
    ]
    return sections, entities


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
    from nlp.search import program_matches

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
            f"SELECT alias, alias_fold FROM program_names WHERE name IN ({marks})"
            " AND source = 'gazetteer' ORDER BY alias_fold, alias DESC",
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
    from nlp.catalog import CatalogError, lookup

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
            "SELECT e.doc_id, e.label, e.surface, e.start, e.end, e.amount, e.currency, e.percent,"
            " e.near_year_start, e.near_year_end, e.section_id, s.start, s.text"
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
    cells: Counter[tuple[int, int]] = Counter()
    seen: set[tuple[str, int, float]] = set()
    for doc_id, label, surface, start, _, amount, currency, percent, year, _, sid, *sec in rows:
        line_start, line = _line_of(sec[1], start - sec[0])
        sec_text = sec[1]
        context = " ".join(line.split())[:160]
        if label == "PERCENT":
            if (doc_id, year, percent) not in seen:
                seen.add((doc_id, year, percent))
                coverage.points.append(Point(year, percent, doc_id, surface, start, context))
            continue
        if _is_row(line):
            cells[(sid, year)] += 1
            name = _column_name(sec_text, line_start, cells[(sid, year)])
        else:
            name = "Montos en el texto"
        unit = "millones de pesos" if (currency or "MXN") == "MXN" else f"millones ({currency})"
        key = f"{fold(name)}|{unit}"
        budget.setdefault(key, Series(key, name, unit)).points.append(
            Point(year, amount / 1e6, doc_id, surface, start, context)
        )
    ordered = sorted(
        budget.values(), key=lambda s: (s.name == "Montos en el texto", -len(s.points), s.name)
    )
    return ordered, [coverage] if coverage.points else []


def _line_of(text: str, at: int) -> tuple[int, str]:
    """(start, text) of the line of `text` holding offset `at`."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    return line_start, text[line_start : line_end if line_end >= 0 else len(text)]


def _is_row(line: str) -> bool:
    """A table row (or a blank line): numbers, percents and "n.d." only."""
    return _TABLE_ROW_RE.fullmatch(_NOT_AVAILABLE_RE.sub("", line)) is not None


def _column_name(sec_text: str, row_start: int, k: int) -> str:
    """Header of the k-th amount column (1-based) of the table whose row starts at `row_start`."""
    above = sec_text[:row_start].rstrip("\n").split("\n")
    # The first table row's header line: walk up over the other rows.
    while above and _is_row(above[-1]):
        above.pop()
    headers: list[str] = []
    if above:
        cells = [c.strip() for c in _CELL_SPLIT_RE.split(above[-1].strip()) if c.strip()]
        if len(cells) >= 2:
            headers = cells[1:] if fold(cells[0]) in _YEAR_WORDS else cells
    if len(headers) < k:
        header_text = " ".join("\n".join(above[-30:]).split())
        headers = []
        for match in _MONEY_HEADER_RE.finditer(header_text):
            words = match.group(1).split()
            if words and fold(words[0]) in _YEAR_WORDS:
                words = words[1:]
            headers.append(" ".join(words))
    if len(headers) >= k:
        name = _PAREN_RE.sub("", headers[k - 1]).strip(" *:")
        if name and not _TABLE_ROW_RE.fullmatch(name):
            return name[:1].upper() + name[1:].lower()
    return f"Columna {k}"


def group_by_doc(points: list[Point]) -> dict[str, list[Point]]:
    """Points of each document, by year (one line per document in a chart)."""
    groups: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        groups[p.doc_id].append(p)
    return {d: sorted(ps, key=lambda p: p.year) for d, ps in groups.items()}
