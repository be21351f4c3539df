"""Build the SQLite search index from guide records, incrementally.

A record becomes one `documents` row, its sections (gaps filled with `other` so
every character is searchable), its entities with typed value columns, and the
program names it uses. Re-indexing is idempotent: a record whose text and
annotations are unchanged is skipped; a changed one replaces the old rows. The
layout is in `nlp.index_schema`; querying is `nlp.search.search`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from nlp.index_schema import (
    FichasIndexError,
    connect_write,
    default_db_path,
    get_meta,
    name_key,
    stem_text,
    stemmer_name,
    table_counts,
)
from nlp.records import Record, content_hash, validate_record
from nlp.textmap import fold

__all__ = ["IndexStats", "build_index", "search", "record_hash"]

_YEAR_RE = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
#: Bump when the derived columns (main program, years, kinds) are computed differently.
DERIVED_VERSION = 1
_KIND_RE = re.compile(r"\d+_([A-Za-z]+)_")
#: Ends of sentences and lines (a table row is a line).
_SENTENCE_END_RE = re.compile(r"[.;!?](?=\s)|\n")
_NUMBER_RE = re.compile(r"[-\u2212]?\d+(?:[.,]\d+)?")


@dataclass
class IndexStats:
    """What one `build_index` run did, and the table sizes after it."""

    added: int = 0
    replaced: int = 0
    skipped: int = 0
    documents: int = 0
    sections: int = 0
    entities: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_hash(record: Record) -> str:
    """Hash of what the index stores from a record: text, annotations, source, kind, columns.

    Wider than `content_hash(text)` so that a re-annotated document (same text,
    better entities) is replaced, not skipped; volatile meta (timestamps) is left out.
    `DERIVED_VERSION` is in it so that a change in how columns are derived re-indexes all.
    """
    meta = record.get("meta") or {}
    payload = {
        "text": record.get("text"),
        "entities": sorted(
            (e["start"], e["end"], e["label"], json.dumps(e.get("value"), sort_keys=True))
            for e in record.get("entities", [])
        ),
        "sections": sorted((s["start"], s["end"], s["label"]) for s in record.get("sections", [])),
        "source": meta.get("source"),
        "kind": meta.get("kind"),
        "year": meta.get("year"),
        "columns": meta.get("columns"),
        "derived": DERIVED_VERSION,
    }
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()[:16]


def build_index(
    records: Iterable[Record],
    db_path: str | os.PathLike[str] | None = None,
    *,
    batch_size: int = 200,
    rules_dir: str | None = None,
) -> IndexStats:
    """Add or replace `records` in the index at `db_path`; one transaction per batch.

    Invalid records (bad offsets, labels or values) are not indexed; their problems
    are listed in `stats.errors` and the rest of the batch goes on.
    """
    stats = IndexStats()
    conn = connect_write(db_path)
    try:
        _prepare(conn, rules_dir)
        iterator = iter(records)
        while batch := list(islice(iterator, max(1, batch_size))):
            _write_batch(conn, batch, stats)
        _in_transaction(conn, _refresh_surface_names)
        for table, count in table_counts(conn).items():
            if table != "program_names":
                setattr(stats, table, count)
    except sqlite3.DatabaseError as err:
        raise FichasIndexError(f"{default_db_path(db_path)}: index update failed ({err})") from err
    finally:
        conn.close()
    return stats


def _in_transaction(conn: sqlite3.Connection, work: Any, *args: Any) -> Any:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn, *args)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


def _prepare(conn: sqlite3.Connection, rules_dir: str | None) -> None:
    """Gazetteer names in `program_names` (as the rules now say); stems redone if the stemmer changed."""

    def work(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM program_names WHERE source IN ('gazetteer', 'key', 'id')")
        conn.executemany(  # the gazetteer wins over a surface row for the same name
            "INSERT OR REPLACE INTO program_names(name, alias, alias_fold, source) VALUES (?, ?, ?, ?)",
            list(_gazetteer_names(rules_dir)),
        )
        if get_meta(conn, "stemmer") != stemmer_name():
            rows = conn.execute("SELECT id, text FROM sections").fetchall()
            conn.executemany(
                "UPDATE sections SET stems = ? WHERE id = ?", [(stem_text(t), i) for i, t in rows]
            )
            conn.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('stemmer', ?)", (stemmer_name(),)
            )

    _in_transaction(conn, work)


def _gazetteer_names(rules_dir: str | None) -> Iterator[tuple[str, str, str, str]]:
    """Every name, acronym, id and budget key of every program of the catalogue."""
    from nlp.catalog import CatalogError, load

    try:
        entries = load(rules_dir).entries
    except (CatalogError, FileNotFoundError):  # an index can be built without a rules folder
        return
    for entry in entries:
        for _, item in entry.all_names():
            yield entry.name, item.value, name_key(item.value), "gazetteer"
        yield entry.name, entry.id, name_key(entry.id), "id"
        for key in entry.keys:
            yield entry.name, key.value, name_key(key.value), "key"


def _refresh_surface_names(conn: sqlite3.Connection) -> None:
    """Every surface seen for a canonical name becomes an alias (stale ones dropped)."""
    seen = conn.execute(
        "SELECT DISTINCT program_name, surface FROM entities WHERE label = 'PROGRAM' AND program_name IS NOT NULL"
    ).fetchall()
    rows = {(name, _clean_surface(surface)) for name, surface in seen}
    conn.execute("DELETE FROM program_names WHERE source = 'surface'")
    conn.executemany(
        "INSERT OR IGNORE INTO program_names(name, alias, alias_fold, source) VALUES (?, ?, ?, 'surface')",
        sorted((name, alias, name_key(alias)) for name, alias in rows if name_key(alias)),
    )
    conn.executemany(  # a canonical name only ever seen in records still finds itself
        "INSERT OR IGNORE INTO program_names(name, alias, alias_fold, source) VALUES (?, ?, ?, 'surface')",
        sorted({(name, name, name_key(name)) for name, _ in seen}),
    )


def _clean_surface(surface: str) -> str:
    return " ".join(surface.replace("*", " ").split())


def _write_batch(conn: sqlite3.Connection, batch: list[Record], stats: IndexStats) -> None:
    def work(conn: sqlite3.Connection) -> None:
        for record in batch:
            problems = _record_problems(record)
            if problems:
                stats.errors.extend(problems)
                continue
            new_hash = record_hash(record)
            row = conn.execute(
                "SELECT record_hash FROM documents WHERE id = ?", (record["id"],)
            ).fetchone()
            if row and row[0] == new_hash:
                stats.skipped += 1
                continue
            if row:
                _delete_document(conn, record["id"])
                stats.replaced += 1
            else:
                stats.added += 1
            _insert_document(conn, record, new_hash)

    _in_transaction(conn, work)


def _record_problems(record: Any) -> list[str]:
    if not isinstance(record, dict):
        return [f"record is not a JSON object: {str(record)[:60]!r}"]
    if not isinstance(record.get("id"), str) or not record["id"]:
        return [f"record without a string id (text starts {str(record.get('text'))[:40]!r})"]
    return validate_record(record)


def _delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    for table, column in (("entities", "doc_id"), ("sections", "doc_id"), ("documents", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (doc_id,))


def _sections_with_gaps(record: Record) -> list[tuple[int, int, str, int]]:
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


def _insert_document(conn: sqlite3.Connection, record: Record, new_hash: str) -> None:
    text = record["text"]
    meta = record.get("meta") or {}
    entities = [
        _entity_columns(ent, text)
        for ent in sorted(record.get("entities", []), key=lambda e: e["start"])
    ]
    program, program_key = _main_program(entities)
    years = [
        y
        for e in entities
        if e["label"] in ("YEAR", "DATE")
        for y in (e["year_start"], e["year_end"])
        if y is not None
    ]
    conn.execute(
        "INSERT INTO documents(id, file, kind, hash, record_hash, program, program_key, year, year_start, year_end,"
        " n_chars, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record["id"],
            meta.get("source"),
            _document_kind(record),
            meta.get("hash") or content_hash(text),
            new_hash,
            program,
            program_key,
            _document_year(record),
            min(years) if years else None,
            max(years) if years else None,
            len(text),
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )
    section_rows: list[tuple[int, int, str, int]] = []
    for start, end, label, inferred in _sections_with_gaps(record):
        cur = conn.execute(
            "INSERT INTO sections(doc_id, label, start, end, text, stems, inferred) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record["id"],
                label,
                start,
                end,
                text[start:end],
                stem_text(text[start:end]),
                inferred,
            ),
        )
        section_rows.append((start, end, label, cur.lastrowid))
    _add_near_years(entities, text, section_rows)
    starts = [s[0] for s in section_rows]
    columns = meta.get("columns") or {}
    rows = []
    for ent in entities:
        ent["column_header"] = columns.get(str(ent["start"]))
        pos = bisect_right(starts, ent["start"]) - 1
        sec = section_rows[pos] if pos >= 0 and section_rows[pos][1] > ent["start"] else None
        ent["section_id"], ent["section"] = (sec[3], sec[2]) if sec else (None, "other")
        rows.append(ent)
    conn.executemany(
        "INSERT INTO entities(doc_id, label, surface, start, end, section_id, section, year_start, year_end, date,"
        " near_year_start, near_year_end, amount, currency, percent, program_name, program_key, value_json, column_header)"
        " VALUES (:doc_id, :label, :surface, :start, :end, :section_id, :section, :year_start, :year_end, :date,"
        " :near_year_start, :near_year_end, :amount, :currency, :percent, :program_name, :program_key, :value_json,"
        " :column_header)",
        [{**r, "doc_id": record["id"]} for r in rows],
    )


def _document_kind(record: Record) -> str | None:
    """`meta.kind`, else the word after the number in the id (`001_ficha_...` -> `ficha`)."""
    kind = (record.get("meta") or {}).get("kind")
    if kind:
        return str(kind)
    match = _KIND_RE.match(record["id"])
    return match.group(1).lower() if match else None


def _document_year(record: Record) -> int | None:
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


def _entity_columns(ent: dict[str, Any], text: str) -> dict[str, Any]:
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
        cols["program_name"], cols["program_key"] = _program_value(value, surface)
    return cols


def _add_near_years(
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


def _program_value(value: Any, surface: str) -> tuple[str, str | None]:
    if isinstance(value, dict) and value.get("name"):  # one catalogue program, one name
        from nlp.catalog import canonical

        return canonical(value["name"], value.get("id")), value.get("key")
    from nlp.rules import program_lookup

    try:
        program = program_lookup().get(fold(surface))
    except (FileNotFoundError, ValueError):  # no rules folder, or no catalogue
        program = None
    return (program.name if program else _clean_surface(surface)), None


def _main_program(entities: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """Most frequent PROGRAM canonical name (ties: first mentioned) and its stated key."""
    names = [e["program_name"] for e in entities if e["label"] == "PROGRAM"]
    if not names:
        return None, None
    counts = Counter(names)
    best = max(counts, key=lambda n: (counts[n], -names.index(n)))
    keys = Counter(
        e["program_key"] for e in entities if e["program_name"] == best and e["program_key"]
    )
    return best, (keys.most_common(1)[0][0] if keys else None)


def search(*args: Any, **kwargs: Any) -> Any:
    """Shortcut to `nlp.search.search` (imported lazily: it needs pandas)."""
    from nlp.search import search as _search

    return _search(*args, **kwargs)
