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
import re
import sqlite3
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from nlp.index_schema import (
    WORD_RE,
    SearchError,
    connect_read,
    get_meta,
    name_key,
    stemmer_name,
    stems,
    words,
)
from nlp.settings import ENTITY_LABELS, SECTION_LABELS
from nlp.textmap import fold

MAX_TEXT_CHARS = 500
MAX_LIMIT = 10_000
SNIPPET_WIDTH = 80
MARKS = ("[", "]")
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

_CHUNK_RE = re.compile(r'"([^"]*)"|(\S+)')
_AMOUNT_RE = re.compile(
    r"^\s*([-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?)\s*(m|mdp|millones)?\s*$", re.IGNORECASE
)


def parse_text(text: str) -> list[list[str]]:
    """Phrases to look for: a "quoted phrase" or a whitespace-separated chunk, as folded words.

    A chunk such as `IMSS-Oportunidades` is a phrase of its words; punctuation,
    operators and quotes are not kept, so nothing in `text` is FTS5 syntax.
    """
    phrases = []
    for match in _CHUNK_RE.finditer(text):
        chunk = match.group(1) if match.group(1) is not None else match.group(2)
        if found := words(chunk):
            phrases.append(found)
    return phrases


def fts_string(value: str) -> str:
    """`value` as an FTS5 string literal (double quotes doubled)."""
    return '"' + value.replace('"', '""') + '"'


def fts_expression(phrases: list[list[str]], stemmer: str | None) -> str:
    """FTS5 MATCH expression: every phrase, in the text column or (stemmed) in `stems`."""
    parts = []
    for phrase in phrases:
        exact = f"text : {fts_string(' '.join(phrase))}"
        if stemmer and stemmer != "none":
            parts.append(f"({exact} OR stems : {fts_string(' '.join(stems(phrase, stemmer)))})")
        else:
            parts.append(exact)
    return " AND ".join(parts)


def parse_amount(value: str | float | int) -> float:
    """An amount bound in pesos: `15e9`, `15,000,000,000`, or millions as `15000M` / `15000 mdp`."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = _AMOUNT_RE.match(str(value))
    if not match:
        raise SearchError(f"amount {value!r} is not a number (examples: 15e9, 15000M, 15000 mdp)")
    number = float(match.group(1).replace(",", ""))
    return number * 1e6 if match.group(2) else number


def parse_years(value: str | Sequence[int]) -> tuple[int, int]:
    """A year range from `2019-2021`, `2019:2021`, `2019` or a pair of ints."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[-:\u2013]\s*(\d{4}))?\s*", value)
        if not match:
            raise SearchError(f"years {value!r} must look like 2019-2021")
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
    else:
        try:
            start, end = (int(v) for v in value)
        except (TypeError, ValueError) as err:
            raise SearchError(f"years {value!r} must be two years (start, end)") from err
    if start > end:
        raise SearchError(f"years {start}-{end}: the first year is after the second")
    return start, end


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
    import pandas as pd

    from nlp.exports import typed_columns
    from nlp.labels_es import entity_id, section_id

    label, section = entity_id(label), section_id(section)  # Spanish names are aliases
    text = _check_text(text)
    label = _check_label(label, amount_min, amount_max, percent_min, percent_max)
    if section is not None and section not in SECTION_LABELS:
        raise SearchError(f"unknown section {section!r}; one of: {', '.join(SECTION_LABELS)}")
    if year is not None and years is not None:
        raise SearchError("give either year or years, not both")
    span: tuple[int, int] | None = None
    if years is not None:
        span = parse_years(years)
    elif year is not None:
        span = (_int(year, "year"), _int(year, "year"))
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise SearchError(f"limit must be an integer from 1 to {MAX_LIMIT}")
    doc_year = None if doc_year is None else _int(doc_year, "doc_year")
    bounds = {
        "amount": (_opt(amount_min, parse_amount), _opt(amount_max, parse_amount)),
        "percent": (_opt(percent_min, _float), _opt(percent_max, _float)),
    }
    conn = connect_read(db_path)
    try:
        one_year = span[0] if span is not None and span[0] == span[1] else None
        key_year = doc_year if doc_year is not None else one_year
        names = _program_names(conn, program, key_year) if program is not None else None
        if agency is not None:
            of_agency = _agency_names(agency)
            names = of_agency if names is None else [n for n in names if n in of_agency]
            if not names:
                return typed_columns(pd.DataFrame([], columns=COLUMNS))
        phrases = parse_text(text) if text else []
        if text and not phrases:
            raise SearchError(f"search text {text[:60]!r} has no words to look for")
        stemmer = _usable_stemmer(conn)
        match = fts_expression(phrases, stemmer) if phrases else None
        if label is None:
            rows = _section_rows(
                conn,
                match,
                names,
                span,
                doc_year,
                section,
                kind,
                limit,
                phrases,
                stemmer,
                (marks, context),
            )
        else:
            rows = _entity_rows(
                conn,
                match,
                label,
                names,
                span,
                doc_year,
                bounds,
                section,
                kind,
                limit,
                (marks, context),
            )
    except sqlite3.DatabaseError as err:
        raise SearchError(f"search failed: {err}") from err
    finally:
        conn.close()
    return typed_columns(pd.DataFrame(rows, columns=COLUMNS))


# --- validation ------------------------------------------------------------------------


def _check_text(text: str | None) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise SearchError("search text must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise SearchError(
            f"search text is {len(text)} characters long; the limit is {MAX_TEXT_CHARS}"
        )
    return text.strip() or None


def _check_label(label: str | None, *bounds: Any) -> str | None:
    amount = bounds[0] is not None or bounds[1] is not None
    percent = bounds[2] is not None or bounds[3] is not None
    if amount and percent:
        raise SearchError(
            "amount and percent bounds cannot both apply: an entity is one or the other"
        )
    implied = "AMOUNT" if amount else "PERCENT" if percent else None
    if label is not None:
        label = label.upper()
        if label not in ENTITY_LABELS:
            raise SearchError(f"unknown label {label!r}; one of: {', '.join(ENTITY_LABELS)}")
        if implied and label != implied:
            raise SearchError(f"{implied.lower()} bounds apply to {implied} entities, not {label}")
    return label or implied


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise SearchError(f"{what} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise SearchError(f"{what} {value!r} must be an integer") from err


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise SearchError(f"{value!r} is not a number") from err


def _opt(value: Any, parse: Any) -> float | None:
    return None if value is None else parse(value)


def _usable_stemmer(conn: sqlite3.Connection) -> str | None:
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
                "SELECT DISTINCT alias FROM program_names WHERE instr(alias_fold, ?) > 0 ORDER BY alias LIMIT 5",
                (key,),
            )
        ]
    )
    return names, near


def _program_names(conn: sqlite3.Connection, program: str, year: int | None = None) -> list[str]:
    """Canonical names that `program` stands for; a SearchError with suggestions when none.
    A budget key with a year is the program that held the key that year (the catalogue)."""
    if not isinstance(program, str) or not program.strip() or len(program) > MAX_TEXT_CHARS:
        raise SearchError("program must be a non-empty name of at most 500 characters")
    from nlp.catalog import CatalogError, lookup, normalize_key

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
    from nlp.catalog import CatalogError, agency_programs

    try:
        programs = agency_programs(agency)
    except (CatalogError, FileNotFoundError) as err:
        raise SearchError(f"no catalogue to resolve agencies: {err}") from err
    if programs is None:
        raise SearchError(f"unknown agency {agency!r}; see rules/catalog/agencies.tsv")
    return sorted({entry.name for entry in programs})


# --- queries ---------------------------------------------------------------------------


def _common_filters(
    doc: str,
    names: list[str] | None,
    program_in: str,
    span: tuple[int, int] | None,
    years: tuple[str, str],
    doc_year: int | None,
    section: str | None,
    section_col: str,
    kind: str | None,
) -> tuple[list[str], list[Any]]:
    """WHERE terms and their parameters; `program_in` is a condition with `{names}` for the placeholders."""
    where: list[str] = []
    params: list[Any] = []
    if doc_year is not None:
        where.append(f"{doc}.year = ?")
        params.append(doc_year)
    if names is not None:
        where.append(program_in.format(names=", ".join("?" * len(names))))
        params += names
    if span is not None:
        where.append(f"{years[0]} <= ? AND {years[1]} >= ?")
        params += [span[1], span[0]]
    if section is not None:
        where.append(f"{section_col} = ?")
        params.append(section)
    if kind is not None:
        where.append(f"lower({doc}.kind) = lower(?)")
        params.append(kind)
    return where, params


def _section_rows(
    conn: sqlite3.Connection,
    match: str | None,
    names: list[str] | None,
    span: tuple[int, int] | None,
    doc_year: int | None,
    section: str | None,
    kind: str | None,
    limit: int,
    phrases: list[list[str]],
    stemmer: str | None,
    style: tuple[tuple[str, str], int],
) -> list[list[Any]]:
    where, params = _common_filters(
        "d",
        names,
        "s.doc_id IN (SELECT id FROM documents WHERE program IN ({names}))",
        span,
        ("d.year_start", "d.year_end"),
        doc_year,
        section,
        "s.label",
        kind,
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
    for doc_id, file, kind_, label, start, end, text in conn.execute(sql, [*params, limit]):
        snip = snippet(text, phrase_hits(text, phrases, stemmer), *style) if style[0] else None
        rows.append([doc_id, file, kind_, label, None, None, None, snip, start, end])
    return rows


@lru_cache(maxsize=1)
def branch_column_words() -> tuple[str, ...]:
    """Words of `rules/entities/branch_columns.tsv`: table columns of the budget branch."""
    from nlp.rules import _dir, read_tsv

    path = _dir(None) / "entities" / "branch_columns.tsv"
    return tuple(row["word"].lower() for row in read_tsv(path)) if path.exists() else ()


def _has_column(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """Whether an index file has a column (files built before it was added do not)."""
    return column in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _entity_rows(
    conn: sqlite3.Connection,
    match: str | None,
    label: str,
    names: list[str] | None,
    span: tuple[int, int] | None,
    doc_year: int | None,
    bounds: dict[str, tuple[float | None, float | None]],
    section: str | None,
    kind: str | None,
    limit: int,
    style: tuple[tuple[str, str], int],
) -> list[list[Any]]:
    # A PROGRAM mention names its program; any other entity belongs to its document's program.
    # Written as `doc_id IN (documents of the program)` so SQLite seeks (label, doc_id) in the
    # entities index for each such document, in result order: a bounded cost (~4 ms on 10,000
    # documents) instead of a walk over every AMOUNT that took ~80 ms for a rare program.
    program_in = (
        "e.program_name IN ({names})"
        if label == "PROGRAM"
        else "e.doc_id IN (SELECT id FROM documents WHERE program IN ({names}))"
    )
    years = (
        "COALESCE(e.year_start, e.near_year_start, d.year_start)",
        "COALESCE(e.year_end, e.near_year_end, d.year_end)",
    )
    where, params = _common_filters(
        "d", names, program_in, span, years, doc_year, section, "e.section", kind
    )
    where.insert(0, "e.label = ?")
    params.insert(0, label)
    for column, (low, high) in bounds.items():
        if low is not None:
            where.append(f"e.{column} >= ?")
            params.append(low)
        if high is not None:
            where.append(f"e.{column} <= ?")
            params.append(high)
    if (
        names is not None
        and label in ("AMOUNT", "PERCENT")
        and _has_column(conn, "entities", "column_header")
    ):
        # A program's figures, not its budget branch's: `Presupuesto del Ramo (MDP)` cells are left out.
        for word in branch_column_words():
            where.append("(e.column_header IS NULL OR lower(e.column_header) NOT LIKE ?)")
            params.append(f"%{word}%")
    if match is not None:
        where.append("e.section_id IN (SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?)")
        params.append(match)
    sql = (
        "SELECT e.doc_id, d.file, d.kind, e.section, e.label, e.surface, e.value_json, e.start, e.end, s.text, s.start"
        " FROM entities e JOIN documents d ON d.id = e.doc_id LEFT JOIN sections s ON s.id = e.section_id"
        " WHERE " + " AND ".join(where) + " ORDER BY e.doc_id, e.start LIMIT ?"
    )
    rows = []
    for (
        doc_id,
        file,
        kind_,
        sec,
        lab,
        surface,
        value,
        start,
        end,
        sec_text,
        sec_start,
    ) in conn.execute(sql, [*params, limit]):
        if style[0] is None:
            snip = None
        elif sec_text is None:
            snip = f"{style[0][0]}{' '.join(surface.split())}{style[0][1]}"
        else:
            snip = snippet(sec_text, [(start - sec_start, end - sec_start)], *style)
        rows.append([doc_id, file, kind_, sec, lab, surface, value, snip, start, end])
    return rows


# --- snippets --------------------------------------------------------------------------


def phrase_hits(
    text: str, phrases: list[list[str]], stemmer: str | None = None
) -> list[tuple[int, int]]:
    """Offsets in `text` of each query phrase (its words in a row, accent-free or by stem).

    Sorted by position; the longest phrase's first hit comes first so the snippet
    window shows it. One-word phrases of under three letters ("de", "la") are not
    marked: they would light up every line.
    """
    if not phrases:
        return []
    tokens = [(m.span(), fold(m.group())) for m in WORD_RE.finditer(text)]
    token_stems = stems([t[1] for t in tokens], stemmer) if stemmer else None
    found: dict[int, list[tuple[int, int]]] = {}
    for index, phrase in enumerate(phrases):
        if len(phrase) == 1 and len(phrase[0]) < 3 and len(phrases) > 1:
            continue
        want = stems(phrase, stemmer) if stemmer else None
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if all(
                tokens[i + k][1] == phrase[k] or (want and token_stems[i + k] == want[k])
                for k in range(n)
            ):
                found.setdefault(index, []).append((tokens[i][0][0], tokens[i + n - 1][0][1]))
    spans = sorted({span for hits in found.values() for span in hits})
    if not spans:
        return []
    longest = max(found, key=lambda i: sum(map(len, phrases[i])))
    anchor = found[longest][0]
    return [anchor] + [span for span in spans if span != anchor]


def snippet(
    text: str,
    hits: list[tuple[int, int]],
    marks: tuple[str, str] = MARKS,
    width: int = SNIPPET_WIDTH,
) -> str:
    """A one-line window of `text` around `hits[0]`, every hit inside it wrapped in `marks`."""
    if hits:
        first_start, first_end = hits[0]
        lo, hi = max(0, first_start - width), min(len(text), first_end + width)
    else:
        lo, hi = 0, min(len(text), 2 * width)
    floor, cap = max(0, lo - 20), min(len(text), hi + 20)  # widen to whole words
    while lo > floor and not text[lo - 1].isspace():
        lo -= 1
    while hi < cap and not text[hi].isspace():
        hi += 1
    parts, pos = [], lo
    for start, end in sorted(hits):
        if start >= pos and end <= hi:
            parts += [text[pos:start], marks[0], text[start:end], marks[1]]
            pos = end
    parts.append(text[pos:hi])
    body = " ".join("".join(parts).split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def value_of(row_value: str | None) -> Any:
    """The `value` column parsed back from JSON (None stays None)."""
    return None if row_value is None else json.loads(row_value)
