"""The commonest search, words and nothing else, answered from FTS5's ranking alone.

`nlp.search` joins every ranked match to its section and document rows: for the page's
2,000 counted rows that join costs more than the ranking itself (~4 µs a row, a B-tree
lookup each in a 270 MB file opened afresh per request). The page keeps every section's
(doc_id, label, start, end) in memory per index state (~15 MB for 92,000 sections),
so a words-only search asks SQLite for the ranked rowids only and builds the same rows
(same order: FTS5's rank order, ties in index order) from memory. Any other filter goes
through `nlp.search.search_rows`.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from nlp.index_schema import SearchError, connect_read
from nlp.search import search_rows, usable_stemmer
from nlp.search_query import check_query, fts_expression, parse_text

#: Section id -> (doc_id, label, start, end).
SectionMap = dict[int, tuple[str, str, int, int]]


def section_map(db: str | os.PathLike[str]) -> SectionMap:
    """Every section's document, label and offsets, by section id."""
    conn = connect_read(db)
    try:
        cur = conn.execute("SELECT id, doc_id, label, start, end FROM sections")
        return {row[0]: row[1:] for row in cur}
    finally:
        conn.close()


def words_only(kwargs: dict[str, Any]) -> bool:
    """Whether a search is free text and nothing else (the fast path applies)."""
    return set(kwargs) == {"text"} and isinstance(kwargs["text"], str)


def ranked_rows(
    db: str | os.PathLike[str],
    text: str,
    limit: int,
    sections: SectionMap,
    docs: dict[str, dict[str, Any]],
) -> list[list[Any]]:
    """The rows `search_rows(db, limit, None, text=text)` returns, from the ranked rowids."""
    query = check_query(text=text, limit=limit)  # the same errors as `search`
    phrases = parse_text(query.text) if query.text else []
    if not phrases:  # no text left, or no words in it: `search` says what it does then
        return search_rows(db, limit, None, text=text)
    conn = connect_read(db)
    try:
        match = fts_expression(phrases, usable_stemmer(conn))
        ids = conn.execute(
            "SELECT rowid FROM sections_fts WHERE sections_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()
    except sqlite3.DatabaseError as err:
        raise SearchError(f"search failed: {err}") from err
    finally:
        conn.close()
    rows = []
    for (rowid,) in ids:
        sec = sections.get(rowid)
        doc = docs.get(sec[0]) if sec is not None else None
        if doc is not None:  # as the join with documents would
            doc_id, label, start, end = sec
            rows.append([doc_id, doc["file"], doc["kind"], label, *[None] * 4, start, end])
    return rows
