"""The SQLite layout of the search index, how to open it, and the words it stores.

One file holds everything (documents, sections, entities, program names and an
FTS5 index over section text) so an analyst can copy it, open it in pandas or
Datasette, and query it without this package. Writers and readers go through
`connect_write` / `connect_read` so WAL mode, read-only access and clear errors
are the same everywhere.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.textmap import fold

SCHEMA_VERSION = "1"
DEFAULT_DB = "fichas.db"
DB_ENV = "FICHAS_DB"
BUSY_TIMEOUT_S = 10.0

#: Word characters as FTS5's unicode61 tokenizer sees them (letters and digits, not "_").
WORD_RE = re.compile(r"[^\W_]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id          TEXT PRIMARY KEY,
    file        TEXT,
    kind        TEXT,
    hash        TEXT NOT NULL,      -- content hash of the text (nlp.records.content_hash)
    record_hash TEXT NOT NULL,      -- hash of text + annotations: decides skip or replace
    program     TEXT,               -- the main program (nlp.programs.main_program)
    program_key TEXT,
    -- the document's own year: meta.year, else the last year in its id or file name
    year        INTEGER,
    year_start  INTEGER,            -- period: min / max of YEAR and DATE years
    year_end    INTEGER,
    n_chars     INTEGER NOT NULL,
    indexed_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sections (
    id       INTEGER PRIMARY KEY,
    doc_id   TEXT NOT NULL REFERENCES documents(id),
    label    TEXT NOT NULL,
    start    INTEGER NOT NULL,
    end      INTEGER NOT NULL,
    text     TEXT NOT NULL,
    stems    TEXT NOT NULL,         -- Spanish stems of the folded words, for word-form matching
    inferred INTEGER NOT NULL DEFAULT 0  -- 1: a gap between the record's sections, labelled other
);
CREATE INDEX IF NOT EXISTS sections_doc ON sections(doc_id, start);
-- documents about one program: program queries without a text start here
CREATE INDEX IF NOT EXISTS documents_program ON documents(program);
CREATE TABLE IF NOT EXISTS entities (
    id           INTEGER PRIMARY KEY,
    doc_id       TEXT NOT NULL REFERENCES documents(id),
    label        TEXT NOT NULL,
    surface      TEXT NOT NULL,
    start        INTEGER NOT NULL,
    end          INTEGER NOT NULL,
    section_id   INTEGER REFERENCES sections(id),
    section      TEXT NOT NULL,
    year_start   INTEGER,           -- YEAR range, or the year of a DATE
    year_end     INTEGER,
    near_year_start INTEGER,        -- AMOUNT/PERCENT: the YEAR or DATE of its sentence (table row)
    near_year_end   INTEGER,
    date         TEXT,
    amount       REAL,
    currency     TEXT,
    percent      REAL,
    program_name TEXT,
    program_key  TEXT,
    value_json   TEXT,
    -- a table cell's column (`Presupuesto del Ramo (MDP) (2)`), from meta.columns
    column_header TEXT
);
CREATE INDEX IF NOT EXISTS entities_doc ON entities(doc_id, start);
CREATE INDEX IF NOT EXISTS entities_label ON entities(label);
-- Entity rows come out ordered by (doc_id, start): this index lets a label with an amount
-- or percent range be read in that order without a sort (60 ms -> 1 ms on 10,000 docs).
CREATE INDEX IF NOT EXISTS entities_label_doc ON entities(label, doc_id, start, amount, percent);
CREATE INDEX IF NOT EXISTS entities_program ON entities(program_name);
CREATE INDEX IF NOT EXISTS entities_amount ON entities(amount) WHERE amount IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_percent ON entities(percent) WHERE percent IS NOT NULL;
CREATE INDEX IF NOT EXISTS entities_section ON entities(section_id);
CREATE TABLE IF NOT EXISTS program_names (
    name       TEXT NOT NULL,       -- canonical name
    alias      TEXT NOT NULL,       -- any name, earlier name, key or surface seen
    alias_fold TEXT NOT NULL,       -- name_key(alias): folded words, no case, accents, punctuation
    source     TEXT NOT NULL,       -- gazetteer | key | surface
    PRIMARY KEY (name, alias)
);
CREATE INDEX IF NOT EXISTS program_names_fold ON program_names(alias_fold);
CREATE VIRTUAL TABLE IF NOT EXISTS sections_fts USING fts5(
    text, stems, content="sections", content_rowid="id",
    tokenize="unicode61 remove_diacritics 2"
);
CREATE TRIGGER IF NOT EXISTS sections_ai AFTER INSERT ON sections BEGIN
    INSERT INTO sections_fts(rowid, text, stems) VALUES (new.id, new.text, new.stems);
END;
CREATE TRIGGER IF NOT EXISTS sections_ad AFTER DELETE ON sections BEGIN
    INSERT INTO sections_fts(sections_fts, rowid, text, stems)
        VALUES ('delete', old.id, old.text, old.stems);
END;
CREATE TRIGGER IF NOT EXISTS sections_au AFTER UPDATE ON sections BEGIN
    INSERT INTO sections_fts(sections_fts, rowid, text, stems)
        VALUES ('delete', old.id, old.text, old.stems);
    INSERT INTO sections_fts(rowid, text, stems) VALUES (new.id, new.text, new.stems);
END;
"""

TABLES: tuple[str, ...] = ("documents", "sections", "entities", "program_names")


class FichasIndexError(Exception):
    """An index problem the CLI reports in one line (exit 2) instead of a traceback."""


class IndexNotFoundError(FichasIndexError):
    """No database file where one was expected."""


class CorruptIndexError(FichasIndexError):
    """The file exists but is not a readable fichas index."""


class SearchError(FichasIndexError, ValueError):
    """A search request that cannot be run as given (bad filter, text too long...)."""


def default_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: explicit > $FICHAS_DB > `fichas.db` in the working folder."""
    return Path(path or os.environ.get(DB_ENV) or DEFAULT_DB)


# --- words and stems -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stemmer() -> Any | None:
    try:
        import snowballstemmer
    except ImportError:
        return None
    return snowballstemmer.stemmer("spanish")


def stemmer_name() -> str:
    """Which stemmer fills `sections.stems`; stored in `meta` so search stems queries alike."""
    return "snowball-spanish" if _stemmer() is not None else "none"


def words(text: str) -> list[str]:
    """Folded (lowercase, accent-free) words of `text`, as the FTS tokenizer splits them."""
    return WORD_RE.findall(fold(text))


def name_key(name: str) -> str:
    """Lookup key of a program name: its folded words, so "IMSS–Oportunidades",
    "imss oportunidades" and "“IMSS-Oportunidades”" are one key."""
    return " ".join(words(name))


def stems(tokens: Iterable[str], stemmer: str | None = None) -> list[str]:
    """Spanish stems of folded words ("padrones" -> "padron"); identity without a stemmer."""
    tokens = list(tokens)
    engine = _stemmer() if (stemmer or stemmer_name()) != "none" else None
    return [_stem_word(t) for t in tokens] if engine is not None else tokens


@lru_cache(maxsize=500_000)
def _stem_word(word: str) -> str:
    """One word's stem, memoized: the Snowball stemmer is pure Python and a corpus
    repeats a few thousand words millions of times. The stemmer keeps its state in the
    object, so two threads (the web server's) would swap each other's words: one at a time."""
    with _STEM_LOCK:
        return _stemmer().stemWord(word)


_STEM_LOCK = threading.Lock()


def stem_text(text: str) -> str:
    """The `stems` column of a section: its words stemmed, in order, space-separated."""
    return " ".join(stems(words(text)))


# --- connections -----------------------------------------------------------------------


def _describe(path: Path, err: sqlite3.DatabaseError) -> CorruptIndexError:
    return CorruptIndexError(
        f"{path}: not a usable fichas index ({err}); rebuild it with `fichas index`"
    )


def connect_write(db_path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the index for writing: WAL mode, schema in place.

    Autocommit mode (`isolation_level=None`): callers open their own transactions,
    one per batch, with `BEGIN IMMEDIATE`.
    """
    path = default_db_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
        if "column_header" not in {row[1] for row in conn.execute("PRAGMA table_info(entities)")}:
            conn.execute(
                "ALTER TABLE entities ADD COLUMN column_header TEXT"
            )  # an index made before it existed
        version = _meta(conn, "schema_version")
        if version is not None and version != SCHEMA_VERSION:
            raise CorruptIndexError(
                f"{path}: index schema {version}, this version writes {SCHEMA_VERSION}; "
                "delete the file and rebuild"
            )
        conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )
    except sqlite3.DatabaseError as err:
        conn.close()
        raise _describe(path, err) from err
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read(db_path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """Open an existing index read-only (`mode=ro`): a search can never change it."""
    path = default_db_path(db_path)
    if not path.is_file():
        raise IndexNotFoundError(
            f"no index at {path}: build one with `fichas index RECORDS --db {path}`"
        )
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as err:
        raise _describe(path, err) from err
    try:
        version = _meta(conn, "schema_version")
    except sqlite3.DatabaseError as err:
        conn.close()
        raise _describe(path, err) from err
    if version != SCHEMA_VERSION:
        conn.close()
        raise CorruptIndexError(
            f"{path}: not a fichas index (schema {version!r}); rebuild it with `fichas index`"
        )
    return conn


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError as err:
        if "no such table" in str(err):
            return None
        raise
    return row[0] if row else None


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A value of the `meta` table (schema_version, stemmer), None when unset."""
    return _meta(conn, key)


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Row count of each data table (names are constants, never user input)."""
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
