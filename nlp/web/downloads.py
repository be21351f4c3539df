"""The search downloads: `/search.csv` (UTF-8 with BOM, for Excel), `/search.xlsx`,
`/search.parquet` and `/search.json`, every row of the query (up to 10,000) with the
typed columns of `nlp.exports`. Same fields and checks as the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nlp.exports import MEDIA_TYPES, json_rows, table_bytes
from nlp.search import MAX_LIMIT, search
from nlp.web.params import BadRequest, search_kwargs, search_params

FORMATS = ("csv", "xlsx", "parquet", "json")


def download(db: Path, request: Request, fmt: str) -> Response:
    """The rows of the URL's query as a `fmt` file (json: with the query and the count)."""
    params = search_params(request)
    if not params:
        raise BadRequest(
            "give at least one search field (text, program, label, ...) to download results"
        )
    df = search(db, **search_kwargs(params), limit=MAX_LIMIT, marks=("[", "]"), context=80)
    if fmt == "json":
        return JSONResponse({"query": params, "count": len(df), "results": json_rows(df)})
    return Response(
        table_bytes(df, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="fichas-busqueda.{fmt}"'},
    )


def routes(db: Path) -> list[Any]:
    """One GET route per format, named `search_<fmt>`."""
    from starlette.routing import Route

    def handler(fmt: str) -> Any:
        def endpoint(request: Request) -> Response:
            return download(db, request, fmt)

        return endpoint

    return [
        Route(f"/search.{fmt}", handler(fmt), methods=["GET"], name=f"search_{fmt}")
        for fmt in FORMATS
    ]
