"""The commonest search, words and nothing else, answered from FTS5's ranking alone.

`nlp.search` joins every ranked match to its section and document rows: for the page's
2,000 counted rows that join costs more than the ranking itself (~4 µs a row, a B-tree
lookup each in a 270 MB file opened afresh per request). The page keeps every section's
search row (document, label, offsets) in memory per index state (~21 MB and ~0.3 s to
load for 92,000 sections), so a words-only search asks SQLite for the ranked rowids only
and builds the same rows (same order: FTS5's rank order, ties in index order) from
memory. Any other filter goes through `nlp.search.search_rows`.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from nlp.index_schema import SearchError, connect_read
from nlp.search import search_rows, usable_stemmer
from nlp.search_query import check_query, fts_expression, parse_text

#: Section id -> its search row (`nlp.search.COLUMNS`, no snippet).
SectionMap = dict[int, tuple[Any, ...]]


def section_map(db: str | os.PathLike[str]) -> SectionMap:
    """Every section's search row, by section id (the join `search` makes, made once)."""
    conn = connect_read(db)
    try:
        cur = conn.execute(
            "SELECT s.id, s.doc_id, d.file, d.kind, s.label, NULL, NULL, NULL, NULL, s.start,"
            " s.end FROM sections s JOIN documents d ON d.id = s.doc_id"
        )
        one: dict[Any, Any] = {}  # one copy of each repeated id, file, kind and label
        return {row[0]: tuple(one.setdefault(v, v) for v in row[1:]) for row in cur}
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
) -> list[Any]:
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
    # a section without its document would drop out of the join: it drops out here too
    return [sections[rowid] for (rowid,) in ids if rowid in sections]
