"""What the index tests read back: result columns and small views of a search's rows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from nlp.exports import TYPED_COLUMNS
from nlp.index_schema import stemmer_name, table_counts
from nlp.search import COLUMNS as SQL_COLUMNS

#: What `search` returns: the index's columns, then the typed value columns.
COLUMNS = [*SQL_COLUMNS, *TYPED_COLUMNS]

HAS_STEMMER = stemmer_name() != "none"


def names(df: pd.DataFrame) -> set[str]:
    """Canonical program names of PROGRAM rows."""
    return {json.loads(v)["name"] for v in df["value"]}


def values(df: pd.DataFrame) -> list[Any]:
    return [json.loads(v) for v in df["value"]]


def integrity(path: Path) -> tuple[dict[str, int], str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)")
        return table_counts(conn), conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
