"""Search the index: free text (FTS5) and typed entity filters, combined with AND.

What a result row is depends on the request:

* **section rows** when no entity filter is given (only text, program, year(s),
  doc_year, section, kind): one row per matching section, best match first (bm25;
  exact ties in index order);
  `label`, `surface` and `value` are empty.
* **entity rows** when `label` or an amount/percent bound is given: one row per
  matching entity, in document order; with text, only entities inside sections
  that match the text.

User values reach SQLite only as bound parameters, and free text only as FTS5
strings built here (each word quoted), so FTS operators and SQL in the text are
searched as words. The database is opened read-only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from nlp.catalog import CatalogError, agency_programs, lookup, normalize_key
from nlp.exports import typed_columns
from nlp.index_schema import SearchError, connect_read, get_meta, name_key, stemmer_name
from nlp.rules import read_tsv, rules_path
from nlp.search_query import (
    MAX_LIMIT,
    MAX_TEXT_CHARS,
    Query,
    check_query,
    fts_expression,
    parse_amount,
    parse_text,
    parse_years,
)
from nlp.snippets import MARKS, SNIPPET_WIDTH, phrase_hits, snippet

COLUMNS = [
    "doc_id",
    "file",
    "kind",
    "section",
    "label",
    "surface",
    "value",
    "snippet",
    "start",
    "end",
]
#: Snippet marks (None: no snippets) and width.
Style = tuple[tuple[str, str] | None, int]
__all__ = [
    "COLUMNS",
    "MAX_LIMIT",
    "MAX_TEXT_CHARS",
    "branch_column_words",
    "parse_amount",
    "parse_years",
    "program_matches",
    "search",
    "search_rows",
    "usable_stemmer",
    "value_of",
]


def search(
    db_path: str | os.PathLike[str] | None = None,
    text: str | None = None,
    label: str | None = None,
    program: str | None = None,
    year: int | None = None,
    years: str | Sequence[int] | None = None,
    doc_year: int | None = None,
    amount_min: float | str | None = None,
    amount_max: float | str | None = None,
    percent_min: float | None = None,
    percent_max: float | None = None,
    section: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    marks: tuple[str, str] | None = MARKS,
    agency: str | None = None,
    context: int = SNIPPET_WIDTH,
) -> Any:
    """Rows of the index matching every given filter, as a pandas DataFrame.

    Columns: doc_id, file, kind, section, label, surface, value (JSON), snippet,
    start, end, then typed: amount, currency, percent, year_start, year_end, date
    (`nlp.exports.typed_columns`). `label` and `section` also take the Spanish names
    (`PROGRAMA`, `presupuesto`: rules/lexicon/label_names_es.tsv). `year`/`years` test
    an entity's own years (YEAR, DATE, or the sentence year of a figure), else the
    document's period; `doc_year` is the year the document is from. Bounds are
    inclusive; amounts are in pesos (units). `program` matches any name, earlier name,
    key or seen surface of a program (a key reused by another program resolves through
    `doc_year` or a single `year`); `agency` keeps the programs of an agency of the
    catalogue, by any name it had (docs/catalog.md). Snippets show `context` characters
    each side of the first hit, hits wrapped in `marks`; `marks=None` leaves them out
    (the web page makes snippets for the rows it shows only).
    """
    import pandas as pd  # heavy: only when a search runs

    filters = dict(
        text=text, label=label, program=program, year=year, years=years, doc_year=doc_year,
        amount_min=amount_min, amount_max=amount_max, percent_min=percent_min,
        percent_max=percent_max, section=section, kind=kind, agency=agency,
    )  # fmt: skip
    rows = search_rows(db_path, limit, marks, context, **filters)
    return typed_columns(pd.DataFrame(rows, columns=COLUMNS))


def search_rows(
    db_path: str | os.PathLike[str] | None = None,
    limit: int = 50,
    marks: tuple[str, str] | None = MARKS,
    context: int = SNIPPET_WIDTH,
    **filters: Any,
) -> list[list[Any]]:
    """The rows of `search` as lists in `COLUMNS` order, without the typed columns and
    without pandas: the web page counts, facets and shows them (a DataFrame and its typed
    columns cost ~10 ms a query, more than the SQL of a rare word)."""
    query = check_query(**filters, limit=limit)
    conn = connect_read(db_path)
    try:
        return _rows(conn, query, (marks, context))
    except sqlite3.DatabaseError as err:
        raise SearchError(f"search failed: {err}") from err
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, query: Query, style: Style) -> list[list[Any]]:
    """Section rows, or entity rows when the query asks for a label or a bound."""
    names = _query_names(conn, query)
    if names == []:  # an agency without programs, or none of the program's
        return []
    phrases = parse_text(query.text) if query.text else []
    if query.text and not phrases:
        raise SearchError(f"search text {query.text[:60]!r} has no words to look for")
    stemmer = usable_stemmer(conn)
    match = fts_expression(phrases, stemmer) if phrases else None
    if query.label is None:
        return _section_rows(conn, query, match, names, phrases, stemmer, style)
    return _entity_rows(conn, query, match, names, style)


def usable_stemmer(conn: sqlite3.Connection) -> str | None:
    """The index's stemmer if this process has the same one, else None (text column only)."""
    indexed = get_meta(conn, "stemmer")
    return indexed if indexed and indexed != "none" and indexed == stemmer_name() else None


def program_matches(conn: sqlite3.Connection, program: str) -> tuple[list[str], list[str]]:
    """(canonical names `program` stands for, up to five aliases containing it when none does).

    `program` may be any name, earlier name, budget key or surface seen in the records;
    the web page and `search` both resolve programs here.
    """
    key = name_key(program)
    if not key:
        raise SearchError(f"program {program[:60]!r} has no words to look for")
    names = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT name FROM program_names WHERE alias_fold = ? ORDER BY name", (key,)
        )
    ]
    near = (
        []
        if names
        else [
            r[0]
            for r in conn.execute(
                (
                    "SELECT DISTINCT alias FROM program_names WHERE instr(alias_fold, ?) > 0 "
                    "ORDER BY alias LIMIT 5"
                ),
                (key,),
            )
        ]
    )
    return names, near


def _query_names(conn: sqlite3.Connection, query: Query) -> list[str] | None:
    """Canonical names the program and agency filters leave (None: neither filter given).
    A budget key resolves through `doc_year`, else a single `year` (a key can be reused)."""
    one_year = query.span[0] if query.span is not None and query.span[0] == query.span[1] else None
    key_year = query.doc_year if query.doc_year is not None else one_year
    names = _program_names(conn, query.program, key_year) if query.program is not None else None
    if query.agency is not None:
        of_agency = _agency_names(query.agency)
        names = of_agency if names is None else [n for n in names if n in of_agency]
    return names


def _program_names(conn: sqlite3.Connection, program: str, year: int | None = None) -> list[str]:
    """Canonical names that `program` stands for; a SearchError with suggestions when none.
    A budget key with a year is the program that held the key that year (the catalogue)."""
    if not isinstance(program, str) or not program.strip() or len(program) > MAX_TEXT_CHARS:
        raise SearchError("program must be a non-empty name of at most 500 characters")
    if year is not None and normalize_key(program):
        try:
            entry = lookup(program, year)
        except CatalogError:
            entry = None
        if entry is not None:
            return [entry.name]
    names, near = program_matches(conn, program)
    if names:
        return names
    hint = f"; did you mean: {' | '.join(near)}" if near else "; see the program_names table"
    raise SearchError(f"unknown program {program!r}{hint}")


def _agency_names(agency: str) -> list[str]:
    """Canonical names of the programs of an agency; a SearchError when no agency has that name."""
    if not isinstance(agency, str) or not agency.strip() or len(agency) > MAX_TEXT_CHARS:
        raise SearchError("agency must be a non-empty name of at most 500 characters")
    try:
        programs = agency_programs(agency)
    except (CatalogError, FileNotFoundError) as err:
        raise SearchError(f"no catalogue to resolve agencies: {err}") from err
    if programs is None:
        raise SearchError(f"unknown agency {agency!r}; see rules/catalog/agencies.tsv")
    return sorted({entry.name for entry in programs})


# --- queries ---------------------------------------------------------------------------


def _common_filters(
    query: Query,
    names: list[str] | None,
    program_in: str,
    years: tuple[str, str],
    section_col: str,
) -> tuple[list[str], list[Any]]:
    """WHERE terms and their parameters (documents are `d`); `program_in` is a condition with
    `{names}` for the placeholders."""
    where: list[str] = []
    params: list[Any] = []
    if query.doc_year is not None:
        where.append("d.year = ?")
        params.append(query.doc_year)
    if names is not None:
        where.append(program_in.format(names=", ".join("?" * len(names))))
        params += names
    if query.span is not None:
        where.append(f"{years[0]} <= ? AND {years[1]} >= ?")
        params += [query.span[1], query.span[0]]
    if query.section is not None:
        where.append(f"{section_col} = ?")
        params.append(query.section)
    if query.kind is not None:
        where.append("lower(d.kind) = lower(?)")
        params.append(query.kind)
    return where, params


def _section_rows(
    conn: sqlite3.Connection,
    query: Query,
    match: str | None,
    names: list[str] | None,
    phrases: list[list[str]],
    stemmer: str | None,
    style: Style,
) -> list[list[Any]]:
    where, params = _common_filters(
        query,
        names,
        "s.doc_id IN (SELECT id FROM documents WHERE program IN ({names}))",
        ("d.year_start", "d.year_end"),
        "s.label",
    )
    text = "s.text" if style[0] else "NULL"  # no snippets: the text is not read (3x faster)
    if match is not None:
        sql = (
            f"SELECT s.doc_id, d.file, d.kind, s.label, s.start, s.end, {text} FROM sections_fts"
            " JOIN sections s ON s.id = sections_fts.rowid JOIN documents d ON d.id = s.doc_id"
            " WHERE sections_fts MATCH ?"
            + "".join(f" AND {w}" for w in where)
            # rank alone lets FTS5 keep only the best rows while ranking (twice as fast as
            # adding `s.doc_id, s.start`, which sorts every match); ties come in index order
            + " ORDER BY sections_fts.rank LIMIT ?"
        )
        params = [match, *params]
    else:
        sql = (
            f"SELECT s.doc_id, d.file, d.kind, s.label, s.start, s.end, {text} FROM sections s"
            " JOIN documents d ON d.id = s.doc_id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY s.doc_id, s.start LIMIT ?"
        )
    rows = []
    for doc_id, file, kind_, label, start, end, text in conn.execute(sql, [*params, query.limit]):
        snip = snippet(text, phrase_hits(text, phrases, stemmer), *style) if style[0] else None
        rows.append([doc_id, file, kind_, label, None, None, None, snip, start, end])
    return rows


@lru_cache(maxsize=1)
def branch_column_words() -> tuple[str, ...]:
    """Words of `rules/entities/branch_columns.tsv`: table columns of the budget branch."""

    path = rules_path(None, "entities", "branch_columns.tsv")
    return tuple(row["word"].lower() for row in read_tsv(path)) if path.exists() else ()


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether an index file has a column (files built before it was added do not)."""
    return column in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _entity_filters(
    conn: sqlite3.Connection, query: Query, match: str | None, names: list[str] | None
) -> tuple[list[str], list[Any]]:
    """WHERE terms and parameters of an entity search."""
    # A PROGRAM mention names its program; any other entity belongs to its document's program.
    # Written as `doc_id IN (documents of the program)` so SQLite seeks (label, doc_id) in the
    # entities index for each such document, in result order: a bounded cost (~4 ms on 10,000
    # documents) instead of a walk over every AMOUNT that took ~80 ms for a rare program.
    program_in = (
        "e.program_name IN ({names})"
        if query.label == "PROGRAM"
        else "e.doc_id IN (SELECT id FROM documents WHERE program IN ({names}))"
    )
    years = (
        "COALESCE(e.year_start, e.near_year_start, d.year_start)",
        "COALESCE(e.year_end, e.near_year_end, d.year_end)",
    )
    where, params = _common_filters(query, names, program_in, years, "e.section")
    where.insert(0, "e.label = ?")
    params.insert(0, query.label)
    for column, (low, high) in query.bounds.items():
        if low is not None:
            where.append(f"e.{column} >= ?")
            params.append(low)
        if high is not None:
            where.append(f"e.{column} <= ?")
            params.append(high)
    if (
        names is not None
        and query.label in ("AMOUNT", "PERCENT")
        and _has_column(conn, "entities", "column_header")
    ):
        # A program's figures, not its budget branch's: `Presupuesto del Ramo (MDP)` cells are
        # left out.
        for word in branch_column_words():
            where.append("(e.column_header IS NULL OR lower(e.column_header) NOT LIKE ?)")
            params.append(f"%{word}%")
    if match is not None:
        where.append("e.section_id IN (SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?)")
        params.append(match)
    return where, params


def _entity_rows(
    conn: sqlite3.Connection,
    query: Query,
    match: str | None,
    names: list[str] | None,
    style: Style,
) -> list[list[Any]]:
    where, params = _entity_filters(conn, query, match, names)
    sql = (
        "SELECT e.doc_id, d.file, d.kind, e.section, e.label, e.surface, e.value_json,"
        " e.start, e.end, s.text, s.start"
        " FROM entities e JOIN documents d ON d.id = e.doc_id"
        " LEFT JOIN sections s ON s.id = e.section_id"
        " WHERE " + " AND ".join(where) + " ORDER BY e.doc_id, e.start LIMIT ?"
    )
    rows = []
    for row in conn.execute(sql, [*params, query.limit]):
        doc_id, file, kind, sec, label, surface, value, start, end, sec_text, sec_start = row
        if style[0] is None:
            snip = None
        elif sec_text is None:
            snip = f"{style[0][0]}{' '.join(surface.split())}{style[0][1]}"
        else:
            snip = snippet(sec_text, [(start - sec_start, end - sec_start)], *style)
        rows.append([doc_id, file, kind, sec, label, surface, value, snip, start, end])
    return rows


def value_of(row_value: str | None) -> Any:
    """The `value` column parsed back from JSON (None stays None)."""
    return None if row_value is None else json.loads(row_value)
