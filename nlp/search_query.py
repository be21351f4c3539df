"""What a search asks for, checked: the free text as FTS5 phrases, and every filter.

User values reach SQLite only as bound parameters, and free text only as FTS5 strings
built here (each word quoted), so FTS operators and SQL in the text are searched as
words. Every malformed value is a `SearchError` that says what was expected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nlp.index_schema import SearchError, stems, words
from nlp.labels_es import entity_id, section_id
from nlp.settings import ENTITY_LABELS, SECTION_LABELS

MAX_TEXT_CHARS = 500
MAX_LIMIT = 10_000

_CHUNK_RE = re.compile(r'"([^"]*)"|(\S+)')
_AMOUNT_RE = re.compile(
    r"^\s*([-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?)\s*(m|mdp|millones)?\s*$", re.IGNORECASE
)

Bounds = dict[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class Query:
    """The checked filters of one search (None: not asked for)."""

    text: str | None
    label: str | None
    program: str | None
    span: tuple[int, int] | None  # years an entity (or else its document) must touch
    doc_year: int | None
    bounds: Bounds  # amount and percent ranges, inclusive
    section: str | None
    kind: str | None
    limit: int
    agency: str | None = None  # programs of an agency of the catalogue


def check_query(
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
    agency: str | None = None,
) -> Query:
    """The arguments of `nlp.search.search`, checked; a `SearchError` names a bad one.
    `label` and `section` also take their Spanish names (rules/lexicon/label_names_es.tsv)."""
    _check_strings(
        text=text, label=label, program=program, years=years, section=section, kind=kind,
        amount_min=amount_min, amount_max=amount_max, agency=agency,
    )  # fmt: skip
    label, section = entity_id(label), section_id(section)  # Spanish names are aliases
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
    return Query(
        text=_check_text(text),
        label=_check_label(label, amount_min, amount_max, percent_min, percent_max),
        program=program,
        span=span,
        doc_year=None if doc_year is None else _int(doc_year, "doc_year"),
        bounds={
            "amount": (_opt(amount_min, parse_amount), _opt(amount_max, parse_amount)),
            "percent": (_opt(percent_min, _float), _opt(percent_max, _float)),
        },
        section=section,
        kind=kind,
        limit=limit,
        agency=agency,
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
        return _finite(float(value), f"amount {value!r}")
    match = _AMOUNT_RE.match(str(value))
    if not match:
        raise SearchError(f"amount {value!r} is not a number (examples: 15e9, 15000M, 15000 mdp)")
    number = float(match.group(1).replace(",", ""))
    return _finite(number * 1e6 if match.group(2) else number, f"amount {value!r}")


def parse_years(value: str | Sequence[int]) -> tuple[int, int]:
    """A year range from `2019-2021`, `2019:2021`, `2019` or a pair of ints."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})\s*(?:[-:\u2013]\s*(\d{4}))?\s*", value)
        if not match:
            raise SearchError(f"years {value!r} must look like 2019-2021")
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
    else:
        try:
            start, end = (_int(v, "year") for v in value)
        except (TypeError, ValueError) as err:
            raise SearchError(f"years {value!r} must be two years (start, end)") from err
    if start > end:
        raise SearchError(f"years {start}-{end}: the first year is after the second")
    return start, end


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


#: Years a filter may name: anything wider is a typo (and would overflow SQLite's integers).
YEAR_RANGE = (1, 9999)


def _int(value: Any, what: str) -> int:
    """A year as an int in `YEAR_RANGE`, or a SearchError naming the argument."""
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise SearchError(f"{what} must be an integer")
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError) as err:
        raise SearchError(f"{what} {value!r} must be an integer") from err
    if not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
        raise SearchError(f"{what} {value!r} is out of range ({YEAR_RANGE[0]} to {YEAR_RANGE[1]})")
    return number


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise SearchError(f"{value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise SearchError(f"{value!r} is not a number") from err
    return _finite(number, repr(value))


def _finite(number: float, what: str) -> float:
    """Infinite and NaN bounds select everything or nothing: a mistake, not a filter."""
    if not math.isfinite(number):
        raise SearchError(f"{what} is not a finite number")
    return number


def _check_strings(**values: Any) -> None:
    """Text arguments must be encodable (a lone surrogate cannot reach SQLite)."""
    for name, value in values.items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as err:
                raise SearchError(
                    f"{name} {value!r} is not valid text (unpaired surrogate at {err.start})"
                ) from None


def _opt(value: Any, parse: Any) -> float | None:
    return None if value is None else parse(value)
