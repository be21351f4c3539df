"""The Starlette application behind `fichas serve`: search, document and series pages.

GET only, over a read-only index. Every value reaches the page through Jinja2
with autoescaping on; query parameters are parsed here (types, ranges, lengths)
and then by `nlp.search.search` (labels, programs, amounts), and any problem is
a page that says what was wrong.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from nlp.index_schema import FichasIndexError, SearchError
from nlp.search import MAX_LIMIT, MAX_TEXT_CHARS, search
from nlp.settings import ENTITY_LABELS, SECTION_LABELS
from nlp.web import data
from nlp.web.charts import chart, number

HERE = Path(__file__).parent
#: Private-use characters as snippet marks: escaped text cannot contain `<mark>`, so
#: the marks are swapped for tags after escaping.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
PER_PAGE = (20, 50, 100)
MAX_PAGE = MAX_LIMIT // min(PER_PAGE)
SECURITY_HEADERS = {
    # No script runs on these pages: the browser refuses any, even one that escaped escaping.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_YEAR_RE = re.compile(r"\d{4}")
_KIND_RE = re.compile(r"[\w\-]{1,40}")


class BadRequest(ValueError):
    """A query parameter that cannot be used (the page explains it, status 400)."""


# --- query parameters ------------------------------------------------------------------

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


def _text(value: str, name: str, limit: int = MAX_TEXT_CHARS) -> str:
    if len(value) > limit:
        raise BadRequest(f"{name} is {len(value)} characters long; the limit is {limit}")
    return value


def _year(value: str, name: str) -> int:
    if not _YEAR_RE.fullmatch(value) or not 1800 <= int(value) <= 2200:
        raise BadRequest(f"{name} {value[:20]!r} is not a year (four digits, 1800 to 2200)")
    return int(value)


def _percent(value: str, name: str) -> float:
    try:
        number_ = float(value.replace("%", "").strip())
    except ValueError:
        raise BadRequest(f"{name} {value[:20]!r} is not a number (example: 50 or 12.5)") from None
    if not -1e6 <= number_ <= 1e6:
        raise BadRequest(f"{name} {value[:20]!r} is out of range")
    return number_


def _int_in(value: str | None, name: str, low: int, high: int, default: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        raise BadRequest(f"{name} {value[:20]!r} must be a whole number from {low} to {high}")
    return int(value)


def search_params(request: Request) -> dict[str, str]:
    """The search fields present in the URL, stripped, empty ones dropped (what a shared URL keeps)."""
    out = {}
    for name in SEARCH_FIELDS:
        value = request.query_params.get(name, "").strip()
        if value:
            out[name] = value
    return out


def search_kwargs(params: dict[str, str]) -> dict[str, Any]:
    """`nlp.search.search` arguments from the URL fields; raises BadRequest on a malformed one."""
    kw: dict[str, Any] = {}
    if "q" in params:
        kw["text"] = _text(params["q"], "search text")
    if "label" in params:
        if params["label"].upper() not in ENTITY_LABELS:
            raise BadRequest(
                f"unknown label {params['label'][:30]!r}; one of: {', '.join(ENTITY_LABELS)}"
            )
        kw["label"] = params["label"].upper()
    if "program" in params:
        kw["program"] = _text(params["program"], "program")
    low = _year(params["year_from"], "first year") if "year_from" in params else None
    high = _year(params["year_to"], "last year") if "year_to" in params else None
    if low is not None or high is not None:
        low, high = low or 1800, high or 2200
        if low > high:
            raise BadRequest(f"years {low}-{high}: the first year is after the last")
        kw["years"] = (low, high)
    if "doc_year" in params:
        kw["doc_year"] = _year(params["doc_year"], "document year")
    for name in ("amount_min", "amount_max"):
        if name in params:
            kw[name] = _text(params[name], name.replace("_", " "), 40)
    for name in ("percent_min", "percent_max"):
        if name in params:
            kw[name] = _percent(params[name], name.replace("_", " "))
    if "section" in params:
        if params["section"] not in SECTION_LABELS:
            raise BadRequest(
                f"unknown section {params['section'][:30]!r}; one of: {', '.join(SECTION_LABELS)}"
            )
        kw["section"] = params["section"]
    if "kind" in params:
        if not _KIND_RE.fullmatch(params["kind"]):
            raise BadRequest(
                f"document kind {params['kind'][:30]!r} must be one word (ficha, circular, ...)"
            )
        kw["kind"] = params["kind"]
    return kw


# --- template helpers ------------------------------------------------------------------


def marked(snippet: Any) -> Markup:
    """A snippet escaped, then its hit marks turned into <mark> tags."""
    if not isinstance(snippet, str):
        return Markup("")
    html = str(escape(snippet))
    return Markup(html.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def value_text(label: str | None, value: Any) -> str:
    """An entity's normalized value as a person reads it (plain text; escaped by the template)."""
    if isinstance(value, str) and label != "DATE":
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if value is None or label is None:
        return ""
    if label == "AMOUNT" and isinstance(value, dict):
        return f"{number(float(value['amount']))} {value.get('currency') or ''}".strip()
    if label == "PERCENT" and isinstance(value, (int, float)):
        return f"{number(float(value))} %"
    if label == "YEAR" and isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
        return str(start) if start == end else f"{start}–{end}"
    if label == "PROGRAM" and isinstance(value, dict):
        return value.get("name", "") + (f" ({value['key']})" if value.get("key") else "")
    return str(value)


def with_params(params: dict[str, Any], **changes: Any) -> str:
    """A query string: `params` with `changes` (None drops a field)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


# --- pages ------------------------------------------------------------------------------


def create_app(db_path: str | os.PathLike[str]) -> Starlette:
    """The web application over the index at `db_path` (opened read-only on each request)."""
    db = Path(db_path)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    templates = Jinja2Templates(env=env)
    env.filters.update(marked=marked, number=number)
    env.globals.update(
        value_text=value_text,
        with_params=with_params,
        ENTITY_LABELS=ENTITY_LABELS,
        SECTION_LABELS=SECTION_LABELS,
        PER_PAGE=PER_PAGE,
    )

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def error(request: Request, status: int, title: str, message: str) -> Response:
        return page(request, "error.html", status, title=title, message=message)

    async def home(request: Request) -> Response:
        return RedirectResponse(request.url_for("search_page"), status_code=302)

    def run_search(request: Request, marks: tuple[str, str]) -> tuple[dict[str, str], Any]:
        params = search_params(request)
        df = (
            search(db, **search_kwargs(params), limit=MAX_LIMIT, marks=marks, context=80)
            if params
            else None
        )
        return params, df

    async def search_page(request: Request) -> Response:
        per_page = _int_in(
            request.query_params.get("per_page"), "per_page", 1, max(PER_PAGE), PER_PAGE[0]
        )
        if per_page not in PER_PAGE:
            raise BadRequest(f"per_page must be one of {', '.join(map(str, PER_PAGE))}")
        page_no = _int_in(request.query_params.get("page"), "page", 1, MAX_PAGE, 1)
        params, df = run_search(request, (MARK_OPEN, MARK_CLOSE))
        docs = {d["id"]: d for d in data.documents(db)}
        context: dict[str, Any] = {
            "params": params,
            "docs": docs,
            "per_page": per_page,
            "page_no": page_no,
            "kinds": sorted({d["kind"] for d in docs.values() if d["kind"]}),
            "programs": sorted({d["program"] for d in docs.values() if d["program"]}),
        }
        if df is not None:
            total = len(df)
            if (page_no - 1) * per_page >= max(total, 1):
                raise BadRequest(
                    f"page {page_no} is past the last page ({max(1, -(-total // per_page))})"
                )
            rows = df.iloc[(page_no - 1) * per_page : page_no * per_page]
            context.update(
                total=total,
                truncated=total >= MAX_LIMIT,
                rows=rows.to_dict(orient="records"),
                pages=max(1, -(-total // per_page)),
                facets=data.facets(df, docs),
                entity_rows=bool(df["label"].notna().any()),
            )
        return page(request, "search.html", **context)

    async def search_csv(request: Request) -> Response:
        params, df = run_search(request, ("[", "]"))
        if df is None:
            raise BadRequest(
                "give at least one search field (text, program, label, ...) to download results"
            )
        return Response(
            df.to_csv(index=False),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="fichas-search.csv"'},
        )

    async def search_json(request: Request) -> Response:
        params, df = run_search(request, ("[", "]"))
        if df is None:
            raise BadRequest(
                "give at least one search field (text, program, label, ...) to download results"
            )
        rows = df.astype(object).where(df.notna(), None).to_dict(orient="records")
        for row in rows:
            row["value"] = data_value(row["value"])
        return JSONResponse({"query": params, "count": len(rows), "results": rows})

    async def document_page(request: Request) -> Response:
        doc = data.document(db, request.path_params["doc_id"])
        return page(request, "document.html", doc=doc)

    async def document_json(request: Request) -> Response:
        doc = data.document(db, request.path_params["doc_id"])
        return JSONResponse(doc["record"], headers={"Content-Disposition": "inline"})

    async def series_page(request: Request) -> Response:
        program = request.query_params.get("program", "").strip()
        if not program:
            docs = data.documents(db)
            counts: dict[str, int] = {}
            for d in docs:
                if d["program"]:
                    counts[d["program"]] = counts.get(d["program"], 0) + 1
            return page(request, "series.html", program="", programs=sorted(counts.items()))
        names = data.program_names(db, _text(program, "program"))
        budget, coverage = data.series(db, names)
        charts = [(s, chart(s)) for s in budget + coverage]
        return page(
            request,
            "series.html",
            program=program,
            names=names,
            aliases=data.aliases(db, names),
            history=data.history(names),
            budget=[c for c in charts if c[0] in budget],
            coverage=[c for c in charts if c[0] in coverage],
        )

    async def bad_request(request: Request, exc: Exception) -> Response:
        return error(request, 400, "This search cannot be run", str(exc))

    async def not_found(request: Request, exc: Exception) -> Response:
        return error(request, 404, "Not found", str(exc))

    async def index_error(request: Request, exc: Exception) -> Response:
        return error(request, 503, "The index is not available", str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return error(request, 404, "Not found", f"no page at {request.url.path[:100]}")
        return error(request, exc.status_code, "Bad request", str(exc.detail))

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/search", search_page, methods=["GET"], name="search_page"),
        Route("/search.csv", search_csv, methods=["GET"], name="search_csv"),
        Route("/search.json", search_json, methods=["GET"], name="search_json"),
        Route("/doc/{doc_id}.json", document_json, methods=["GET"], name="document_json"),
        Route("/doc/{doc_id}", document_page, methods=["GET"], name="document_page"),
        Route("/series", series_page, methods=["GET"], name="series_page"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            BadRequest: bad_request,
            SearchError: bad_request,
            data.NotFound: not_found,
            FichasIndexError: index_error,
            HTTPException: http_error,
        },
    )

    return app


class SecurityHeaders:
    """ASGI middleware: `SECURITY_HEADERS` on every response, error pages included."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def data_value(value: Any) -> Any:
    """The `value` column (JSON text) as JSON data for the JSON download."""
    return None if value is None else json.loads(value)
