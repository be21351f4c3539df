"""Query parameters of the web pages: read, checked (types, ranges, lengths) and turned
into `nlp.search.search` arguments. A malformed one is a `BadRequest` the page explains.

Spanish works too, as analysts type it: `seccion=recomendaciones`, `etiqueta=MONTO`,
`programa=...` are read as `section=recommendations`, `label=AMOUNT`, `program=...`;
links the pages make use the guide's ids (rules/lexicon/label_names_es.tsv).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request

from nlp.labels_es import entity_id, entity_names, section_id, section_names
from nlp.search import MAX_LIMIT, MAX_TEXT_CHARS
from nlp.settings import ENTITY_LABELS, SECTION_LABELS

PER_PAGE = (20, 50, 100)
MAX_PAGE = MAX_LIMIT // min(PER_PAGE)
SEARCH_FIELDS = (
    "q",
    "label",
    "program",
    "year_from",
    "year_to",
    "doc_year",
    "amount_min",
    "amount_max",
    "percent_min",
    "percent_max",
    "section",
    "kind",
)
#: Spanish parameter names read as the field they stand for.
SPANISH_FIELDS = {
    "texto": "q",
    "etiqueta": "label",
    "programa": "program",
    "seccion": "section",
    "sección": "section",
    "anio_desde": "year_from",
    "anio_hasta": "year_to",
    "tipo": "kind",
}
_YEAR_RE = re.compile(r"\d{4}")
_KIND_RE = re.compile(r"[\w\-]{1,40}")


class BadRequest(ValueError):
    """A query parameter that cannot be used (the page explains it, status 400)."""


def text(value: str, name: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(value) > limit:
        raise BadRequest(f"{name} is {len(value)} characters long; the limit is {limit}")
    return value


def year(value: str, name: str) -> int:
    if not _YEAR_RE.fullmatch(value) or not 1800 <= int(value) <= 2200:
        raise BadRequest(f"{name} {value[:20]!r} is not a year (four digits, 1800 to 2200)")
    return int(value)


def percent(value: str, name: str) -> float:
    try:
        number_ = float(value.replace("%", "").strip())
    except ValueError:
        raise BadRequest(f"{name} {value[:20]!r} is not a number (example: 50 or 12.5)") from None
    if not -1e6 <= number_ <= 1e6:
        raise BadRequest(f"{name} {value[:20]!r} is out of range")
    return number_


def int_in(value: str | None, name: str, low: int, high: int, default: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadRequest(f"{name} {value[:20]!r} must be a whole number from {low} to {high}")
    return int(value)


def paging(request: Request) -> tuple[int, int]:
    """(page number, rows per page) of the URL."""
    per_page = int_in(
        request.query_params.get("per_page"), "per_page", 1, max(PER_PAGE), PER_PAGE[0]
    )
    if per_page not in PER_PAGE:
        raise BadRequest(f"per_page must be one of {', '.join(map(str, PER_PAGE))}")
    return int_in(request.query_params.get("page"), "page", 1, MAX_PAGE, 1), per_page


def search_params(request: Request) -> dict[str, str]:
    """The search fields present in the URL (Spanish names read as their field), stripped,
    empty ones dropped, labels and sections as the guide's ids (what a shared URL keeps)."""
    out = {}
    query = request.query_params
    for name in SEARCH_FIELDS:
        value = query.get(name, "").strip()
        if not value:
            value = next(
                (query.get(es, "").strip() for es, f in SPANISH_FIELDS.items() if f == name), ""
            )
        if value:
            out[name] = value
    if "label" in out:
        out["label"] = str(entity_id(out["label"])).upper()
    if "section" in out:
        out["section"] = str(section_id(out["section"]))
    return out


def _one_of(value: str, allowed: Any, names: dict[str, str], what: str) -> str:
    """`value` if it is one of `allowed`; else BadRequest listing them with their names."""
    if value not in allowed:
        listed = ", ".join(f"{k} ({v})" for k, v in names.items())
        raise BadRequest(f"unknown {what} {value[:30]!r}; one of: {listed}")
    return value


def search_kwargs(params: dict[str, str]) -> dict[str, Any]:
    """`nlp.search.search` arguments from the URL fields; raises BadRequest on a malformed one."""
    kw: dict[str, Any] = {}
    if "q" in params:
        kw["text"] = text(params["q"], "search text")
    if "label" in params:
        kw["label"] = _one_of(params["label"], ENTITY_LABELS, entity_names(), "label")
    if "program" in params:
        kw["program"] = text(params["program"], "program")
    low = year(params["year_from"], "first year") if "year_from" in params else None
    high = year(params["year_to"], "last year") if "year_to" in params else None
    if low is not None or high is not None:
        low, high = low or 1800, high or 2200
        if low > high:
            raise BadRequest(f"years {low}-{high}: the first year is after the last")
        kw["years"] = (low, high)
    if "doc_year" in params:
        kw["doc_year"] = year(params["doc_year"], "document year")
    for name in ("amount_min", "amount_max"):
        if name in params:
            kw[name] = text(params[name], name.replace("_", " "), 40)
    for name in ("percent_min", "percent_max"):
        if name in params:
            kw[name] = percent(params[name], name.replace("_", " "))
    if "section" in params:
        kw["section"] = _one_of(params["section"], SECTION_LABELS, section_names(), "section")
    if "kind" in params:
        if not _KIND_RE.fullmatch(params["kind"]):
            raise BadRequest(
                f"document kind {params['kind'][:30]!r} must be one word (ficha, circular, ...)"
            )
        kw["kind"] = params["kind"]
    return kw
