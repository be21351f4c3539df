"""The Starlette application behind `fichas serve`: search, document, series and program
pages, in Spanish.

GET only, over a read-only index. Every value reaches the page through Jinja2
with autoescaping on; query parameters are parsed in `nlp.web.params` (types, ranges,
lengths) and then by `nlp.search.search` (labels, programs, amounts), and any problem is
a page that says what was wrong. Page handlers are plain (not async) methods of `Pages`:
Starlette runs them in its thread pool, so one slow query does not hold the others.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

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

from nlp.ids import id_url
from nlp.index_schema import FichasIndexError, SearchError, default_db_path
from nlp.labels_es import date_mx, entity_names, money_mx, section_names
from nlp.settings import ENTITY_LABELS, SECTION_LABELS
from nlp.web import data, downloads, program
from nlp.web.charts import chart, number
from nlp.web.params import PER_PAGE, BadRequest, paging, search_kwargs, search_params
from nlp.web.params import text as check_text
from nlp.web.results import PAGE_LIMIT, PAGE_MARKS, Results

HERE = Path(__file__).parent
#: Private-use characters as snippet marks: escaped text cannot contain `<mark>`, so
#: the marks are swapped for tags after escaping.
MARK_OPEN, MARK_CLOSE = PAGE_MARKS
SECURITY_HEADERS = {
    # No script runs on these pages: the browser refuses any, even one that escaped escaping.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

# --- template helpers ------------------------------------------------------------------


def marked(snippet: Any) -> Markup:
    """A snippet escaped, then its hit marks turned into <mark> tags."""
    if not isinstance(snippet, str):
        return Markup("")
    html = str(escape(snippet))
    return Markup(html.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>"))


def value_text(label: str | None, value: Any) -> str:
    """An entity's normalized value as a Mexican reader writes it (plain text; escaped by
    the template): `8,500 millones de pesos`, `107.36 %`, `14 de agosto de 2018`."""
    if isinstance(value, str) and (label != "DATE" or value.startswith('"')):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if value is None or label is None:
        return ""
    if label == "AMOUNT" and isinstance(value, dict):
        return money_mx(float(value["amount"]), value.get("currency"))
    if label == "PERCENT" and isinstance(value, (int, float)):
        return f"{number(float(value))} %"
    if label == "YEAR" and isinstance(value, dict):
        start, end = value.get("start"), value.get("end")
        return str(start) if start == end else f"{start}–{end}"
    if label == "DATE" and isinstance(value, str):
        return date_mx(value)
    if label == "PROGRAM" and isinstance(value, dict):
        return value.get("name", "") + (f" ({value['key']})" if value.get("key") else "")
    return str(value)


def with_params(params: dict[str, Any], **changes: Any) -> str:
    """A query string: `params` with `changes` (None drops a field)."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "")})


def program_url(name: str) -> str:
    """The program page of a name (any name reaches it)."""
    return "/programa/" + quote(name, safe="")


def mention_url(value: Any) -> str | None:
    """The program page a PROGRAM mention links to (its value's name), else None."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    name = value.get("name") if isinstance(value, dict) else None
    return program_url(name) if isinstance(name, str) and name.strip() else None


def _environment() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)

    def chart_html(series: Any, geometry: Any, table: bool = True) -> Markup:
        """A chart's SVG (and table), drawn once per chart: the series and program contexts
        are cached per index state, so a chart is escaped once, not on every view."""
        memo = geometry.__dict__.setdefault("_html", {})
        if table not in memo:
            memo[table] = env.get_template("_chart.html").module.svg_chart(series, geometry, table)
        return memo[table]

    env.filters.update(marked=marked, number=number, id_url=id_url)
    env.globals.update(chart_html=chart_html)
    env.globals.update(
        value_text=value_text,
        with_params=with_params,
        program_url=program_url,
        mention_url=mention_url,
        ENTITY_LABELS=ENTITY_LABELS,
        SECTION_LABELS=SECTION_LABELS,
        SECTION_ES=section_names(),
        ENTITY_ES=entity_names(),
        PER_PAGE=PER_PAGE,
    )
    return Jinja2Templates(env=env)


# --- pages ------------------------------------------------------------------------------


def search_context(results: Results, request: Request) -> dict[str, Any]:
    """The search page: its form, and either the documents (no field) or a page of rows."""
    page_no, per_page = paging(request)
    params = search_params(request)
    docs = results.documents()
    kinds, programs = results.choices()
    context: dict[str, Any] = {
        "params": params,
        "per_page": per_page,
        "page_no": page_no,
        "kinds": kinds,
        "programs": programs,
    }
    if not params:
        listed = list(docs.values())
        if (page_no - 1) * per_page >= max(len(listed), 1):
            raise BadRequest(f"page {page_no} is past the last page")
        context.update(
            n_docs=len(listed),
            listed=listed[(page_no - 1) * per_page : page_no * per_page],
            pages=max(1, -(-len(listed) // per_page)),
        )
        return context
    kwargs = search_kwargs(params)
    found = results.rows(kwargs)
    total = found.total
    if (page_no - 1) * per_page >= max(total, 1):
        raise BadRequest(f"page {page_no} is past the last page ({max(1, -(-total // per_page))})")
    rows = results.page(kwargs, page_no, per_page)
    context.update(
        total=total,
        truncated=total >= PAGE_LIMIT,
        page_limit=PAGE_LIMIT,
        rows=rows,
        pages=max(1, -(-total // per_page)),
        facets=found.facets,
        docs={r["doc_id"]: docs.get(r["doc_id"], {}) for r in rows},
        entity_rows=found.entity_rows,
    )
    return context


def series_context(db: Path, name: str) -> dict[str, Any]:
    """The series page of a program: its names, catalogue history and charts."""
    names = data.program_names(db, check_text(name, "program"))
    budget, coverage = data.series(db, names)
    charts = [(s, chart(s)) for s in budget + coverage]
    return {
        "program": name,
        "names": names,
        "aliases": data.aliases(db, names),
        "history": data.history(names),
        "budget": [c for c in charts if c[0] in budget],
        "coverage": [c for c in charts if c[0] in coverage],
    }


def app_from_env() -> Starlette:
    """The application over `$FICHAS_DB` (for `fichas serve --workers N`: each worker
    process builds its own)."""
    return create_app(default_db_path())


def create_app(db_path: str | os.PathLike[str]) -> Starlette:
    """The web application over the index at `db_path` (opened read-only on each request)."""
    pages = Pages(Path(db_path))
    routes = [
        Route("/", pages.home, methods=["GET"]),
        Route("/search", pages.search_page, methods=["GET"], name="search_page"),
        *downloads.routes(pages.db),
        # ids may hold '/' (relative paths, nlp/paths.py): links encode it (filter `id_url`)
        Route(
            "/doc/{doc_id:path}.json", pages.document_json, methods=["GET"], name="document_json"
        ),
        Route("/doc/{doc_id:path}", pages.document_page, methods=["GET"], name="document_page"),
        Route("/series", pages.series_page, methods=["GET"], name="series_page"),
        *program.routes(pages.db, pages.page, pages.results),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(
        routes=routes,
        lifespan=pages.lifespan,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={
            BadRequest: pages.bad_request,
            SearchError: pages.bad_request,
            data.NotFound: pages.not_found,
            FichasIndexError: pages.index_error,
            HTTPException: pages.http_error,
        },
    )


class Pages:
    """The handlers of every page and of its errors, over one index (downloads:
    `nlp.web.downloads`, the program page: `nlp.web.program`)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.templates = _environment()
        self.results = Results(db)

    @asynccontextmanager
    async def lifespan(self, app: Any) -> AsyncIterator[None]:
        """At server start, load what every search needs (in the background)."""
        self.results.warm()
        yield

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        return self.templates.TemplateResponse(request, name, context, status_code=status)

    def error(self, request: Request, status: int, title: str, message: str) -> Response:
        return self.page(request, "error.html", status, title=title, message=message)

    def home(self, request: Request) -> Response:
        return RedirectResponse(request.url_for("search_page"), status_code=302)

    def search_page(self, request: Request) -> Response:
        return self.page(request, "search.html", **search_context(self.results, request))

    def document_page(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        doc = self.results.cached(("doc", doc_id), lambda: data.document(self.db, doc_id))
        return self.page(request, "document.html", doc=doc)

    def document_json(self, request: Request) -> Response:
        doc = data.document(self.db, request.path_params["doc_id"])
        return JSONResponse(doc["record"], headers={"Content-Disposition": "inline"})

    def series_page(self, request: Request) -> Response:
        name = request.query_params.get("program", "").strip()
        if not name:
            counts: dict[str, int] = {}
            for d in self.results.documents().values():
                if d["program"]:
                    counts[d["program"]] = counts.get(d["program"], 0) + 1
            return self.page(request, "series.html", program="", programs=sorted(counts.items()))
        context = self.results.cached(("series", name), lambda: series_context(self.db, name))
        return self.page(request, "series.html", **context)

    async def bad_request(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 400, "No se puede hacer esta búsqueda", str(exc))

    async def not_found(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 404, "No encontrado", str(exc))

    async def index_error(self, request: Request, exc: Exception) -> Response:
        return self.error(request, 503, "El índice no está disponible", str(exc))

    async def http_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return self.error(request, 404, "No encontrado", f"no page at {request.url.path[:100]}")
        return self.error(request, exc.status_code, "Solicitud incorrecta", str(exc.detail))


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
