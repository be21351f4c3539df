"""Index and search safety: hostile text and filters, broken databases, read-only and
concurrent reads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from index_checks import COLUMNS, integrity

from nlp.index import build_index
from nlp.index_schema import (
    CorruptIndexError,
    FichasIndexError,
    IndexNotFoundError,
    SearchError,
    connect_read,
    connect_write,
)
from nlp.search import search

# --- safety -----------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "'",
    "NEAR(",
    "NEAR(salud padron, 2)",
    "*",
    "salud*",
    "salud OR padron",
    "NOT salud",
    "salud AND",
    "'; DROP TABLE entities; --",
    'padron" OR "x',
    "{text stems}: salud",
    "text: salud",
    "^salud",
    "-salud",
    "salud + padron",
    "(",
    ")",
    "\x00",
    "%",
    "_",
    "\\",
    "'; DROP TABLE sections_fts; --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_searched_literally_or_rejected(index_db: Path, text: str) -> None:
    before = integrity(index_db)
    try:
        result = search(index_db, text)
    except SearchError as err:
        assert "\n" not in str(err) and "no words" in str(err)
    else:
        assert list(result.columns) == COLUMNS
    assert integrity(index_db) == before


def test_hostile_operators_are_words(index_db: Path) -> None:
    assert search(index_db, "salud OR padron").empty  # "or" is a word, and no section has it
    assert search(index_db, "NEAR(padron").empty
    assert set(search(index_db, "salud*")["doc_id"]) == set(search(index_db, "salud")["doc_id"])
    assert not search(index_db, "padron -salud").empty  # "-" is no NOT: both words must appear


def test_hostile_filters_and_long_text(index_db: Path) -> None:
    before = integrity(index_db)
    with pytest.raises(SearchError, match="limit is 500"):
        search(index_db, "padron " * 1500)
    with pytest.raises(SearchError, match="unknown program"):
        search(index_db, program="'; DROP TABLE entities; --")
    with pytest.raises(SearchError, match="unknown label"):
        search(index_db, label="YEAR' OR 1=1 --")
    with pytest.raises(SearchError, match="unknown section"):
        search(index_db, section="x'; DELETE FROM documents; --")
    with pytest.raises(SearchError, match="year"):
        search(index_db, year="2020; DROP TABLE documents")
    with pytest.raises(SearchError, match="years"):
        search(index_db, years="2019-2021; --")
    with pytest.raises(SearchError, match="limit"):
        search(index_db, limit=10**9)
    assert search(index_db, kind="ficha' OR '1'='1").empty
    assert integrity(index_db) == before


def test_missing_and_corrupt_databases_give_one_line_errors(
    tmp_path: Path, index_records: list[dict[str, Any]]
) -> None:
    with pytest.raises(IndexNotFoundError, match="no index at"):
        search(tmp_path / "missing.db", "padron")
    assert not (tmp_path / "missing.db").exists()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorruptIndexError) as err:
        search(corrupt, "padron")
    assert "\n" not in str(err.value) and "corrupt.db" in str(err.value)
    with pytest.raises(FichasIndexError):
        build_index(index_records, corrupt)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(CorruptIndexError, match="not a fichas index"):
        search(other)


def test_search_opens_the_database_read_only(index_db: Path) -> None:
    conn = connect_read(index_db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM entities")
    conn.close()


def test_search_runs_while_an_update_is_in_progress(
    index_db: Path, index_records: list[dict[str, Any]]
) -> None:
    writer = connect_write(index_db)
    assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM entities WHERE label = 'AMOUNT'")
    writer.execute("DELETE FROM sections WHERE label = 'recommendations'")
    try:
        assert len(search(index_db, label="AMOUNT")) == 5  # the last committed state
        assert len(search(index_db, "padron", section="recommendations")) == 2
        result: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: result.update(df=search(index_db, label="AMOUNT")))
        thread.start()
        thread.join(timeout=30)
        assert len(result["df"]) == 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_search_between_batches_sees_committed_batches(
    tmp_path: Path, index_records: list[dict[str, Any]]
) -> None:
    path = tmp_path / "batches.db"
    seen: list[int] = []

    def stream() -> Any:
        for i, record in enumerate(index_records):
            if i == 4:  # two batches of two committed, the build still running
                seen.append(len(set(search(path, label="PROGRAM")["doc_id"])))
            yield record

    stats = build_index(stream(), path, batch_size=2)
    assert seen == [4] and stats.added == 5


def test_database_opens_in_pandas(index_db: Path) -> None:
    conn = sqlite3.connect(index_db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        docs = pd.read_sql(
            "SELECT id, program, year_start, year_end FROM documents ORDER BY id", conn
        )
        budget = pd.read_sql(
            "SELECT d.id, e.amount / 1e6 AS mdp FROM entities e JOIN documents d ON d.id = e.doc_id"
            " WHERE e.label = 'AMOUNT' AND d.program = ? ORDER BY mdp DESC",
            conn,
            params=("IMSS-BIENESTAR",),
        )
        fts = pd.read_sql(
            "SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?", conn, params=('"padron"',)
        )
    finally:
        conn.close()
    assert len(docs) == 5 and docs["program"].notna().all()
    assert budget["mdp"].round(2).tolist()[0] == 20184.01
    assert len(fts) == 3
