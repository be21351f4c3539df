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
import sqlite3
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from nlp.catalog import CatalogError, load
from nlp.ids import id_problem
from nlp.index_rows import (
    add_near_years,
    clean_surface,
    document_kind,
    document_program,
    document_year,
    entity_columns,
    sections_with_gaps,
)
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
from nlp.search import search as _search
from nlp.tables import cell_columns

__all__ = ["IndexStats", "build_index", "search", "record_hash"]

#: Bump when the derived columns (main program, years, kinds) are computed differently.
DERIVED_VERSION = 2


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
            _write_batch(conn, batch, stats, rules_dir)
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
    """Gazetteer names in `program_names` (as the rules say now); stems redone if the stemmer
    changed."""

    def work(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM program_names WHERE source IN ('gazetteer', 'key', 'id')")
        conn.executemany(  # the gazetteer wins over a surface row for the same name
            (
                "INSERT OR REPLACE INTO program_names(name, alias, alias_fold, source) VALUES (?, "
                "?, ?, ?)"
            ),
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
        "SELECT DISTINCT program_name, surface FROM entities WHERE label = 'PROGRAM' AND "
        "program_name IS NOT NULL"
    ).fetchall()
    rows = {(name, clean_surface(surface)) for name, surface in seen}
    conn.execute("DELETE FROM program_names WHERE source = 'surface'")
    conn.executemany(
        (
            "INSERT OR IGNORE INTO program_names(name, alias, alias_fold, source) VALUES (?, ?, "
            "?, 'surface')"
        ),
        sorted((name, alias, name_key(alias)) for name, alias in rows if name_key(alias)),
    )
    conn.executemany(  # a canonical name only ever seen in records still finds itself
        (
            "INSERT OR IGNORE INTO program_names(name, alias, alias_fold, source) VALUES (?, ?, "
            "?, 'surface')"
        ),
        sorted({(name, name, name_key(name)) for name, _ in seen}),
    )


def _write_batch(
    conn: sqlite3.Connection, batch: list[Record], stats: IndexStats, rules_dir: str | None
) -> None:
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
            _insert_document(conn, record, new_hash, rules_dir)

    _in_transaction(conn, work)


def _record_problems(record: Any) -> list[str]:
    if not isinstance(record, dict):
        return [f"record is not a JSON object: {str(record)[:60]!r}"]
    if not isinstance(record.get("id"), str) or not record["id"]:
        return [f"record without a string id (text starts {str(record.get('text'))[:40]!r})"]
    problem = id_problem(record["id"])
    if problem:
        return [f"record {record['id'][:60]!r}: {problem}"]
    return validate_record(record)


def _delete_document(conn: sqlite3.Connection, doc_id: str) -> None:
    for table, column in (("entities", "doc_id"), ("sections", "doc_id"), ("documents", "id")):
        conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (doc_id,))


def _insert_document(
    conn: sqlite3.Connection, record: Record, new_hash: str, rules_dir: str | None
) -> None:
    text = record["text"]
    entities = [
        entity_columns(ent, text)
        for ent in sorted(record.get("entities", []), key=lambda e: e["start"])
    ]
    _insert_document_row(conn, record, new_hash, entities, rules_dir)
    sections = _insert_sections(conn, record)
    add_near_years(entities, text, sections)
    _insert_entities(conn, record, entities, sections, rules_dir)


def _insert_document_row(
    conn: sqlite3.Connection,
    record: Record,
    new_hash: str,
    entities: list[dict[str, Any]],
    rules_dir: str | None,
) -> None:
    text, meta = record["text"], record.get("meta") or {}
    program, program_key = document_program(entities, text, rules_dir)
    years = [
        y
        for e in entities
        if e["label"] in ("YEAR", "DATE")
        for y in (e["year_start"], e["year_end"])
        if y is not None
    ]
    conn.execute(
        "INSERT INTO documents(id, file, kind, hash, record_hash, program, program_key, year,"
        " year_start, year_end, n_chars, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            record["id"],
            meta.get("source"),
            document_kind(record),
            meta.get("hash") or content_hash(text),
            new_hash,
            program,
            program_key,
            document_year(record),
            min(years) if years else None,
            max(years) if years else None,
            len(text),
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )


def _insert_sections(conn: sqlite3.Connection, record: Record) -> list[tuple[int, int, str, int]]:
    """Section rows (gaps with words as inferred `other`): (start, end, label, row id)."""
    text = record["text"]
    rows: list[tuple[int, int, str, int]] = []
    for start, end, label, inferred in sections_with_gaps(record):
        body = text[start:end]
        cur = conn.execute(
            "INSERT INTO sections(doc_id, label, start, end, text, stems, inferred)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (record["id"], label, start, end, body, stem_text(body), inferred),
        )
        rows.append((start, end, label, cur.lastrowid))
    return rows


def _insert_entities(
    conn: sqlite3.Connection,
    record: Record,
    entities: list[dict[str, Any]],
    sections: list[tuple[int, int, str, int]],
    rules_dir: str | None,
) -> None:
    """Entity rows with their section and table column (records without `meta.columns`, such
    as gold files, get them from `nlp.tables`)."""
    text = record["text"]
    columns = (record.get("meta") or {}).get("columns") or {
        str(k): v for k, v in cell_columns(text, rules_dir).items()
    }
    starts = [s[0] for s in sections]
    for ent in entities:
        ent["column_header"] = columns.get(str(ent["start"]))
        pos = bisect_right(starts, ent["start"]) - 1
        sec = sections[pos] if pos >= 0 and sections[pos][1] > ent["start"] else None
        ent["section_id"], ent["section"] = (sec[3], sec[2]) if sec else (None, "other")
    conn.executemany(
        "INSERT INTO entities(doc_id, label, surface, start, end, section_id, section,"
        " year_start, year_end, date, near_year_start, near_year_end, amount, currency, percent,"
        " program_name, program_key, value_json, column_header)"
        " VALUES (:doc_id, :label, :surface, :start, :end, :section_id, :section,"
        " :year_start, :year_end, :date, :near_year_start, :near_year_end, :amount, :currency,"
        " :percent, :program_name, :program_key, :value_json, :column_header)",
        [{**e, "doc_id": record["id"]} for e in entities],
    )


def search(*args: Any, **kwargs: Any) -> Any:
    """Shortcut to `nlp.search.search`."""
    return _search(*args, **kwargs)
