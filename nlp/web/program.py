"""`/programa/<name>`: one program's history on one page (`nlp.program_page`).

Any name, earlier name or key reaches it (`/programa/IMSS-Oportunidades` shows the
IMSS-BIENESTAR documents); every program mention on the other pages links here.
`/programa/<name>.csv` downloads the compared sections as a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from nlp.exports import MEDIA_TYPES, table_bytes
from nlp.labels_es import section_name
from nlp.program_page import COMPARED, history, program_history
from nlp.web import data
from nlp.web.charts import chart
from nlp.web.params import text


def program_context(db: Path, name: str) -> dict[str, Any]:
    """What `programa.html` shows: names, series with their charts, documents by year."""
    found = history(db, text(name, "program"))
    charts = [(s, chart(s)) for s in found.budget + found.coverage]
    compared = [label for label in COMPARED if any(label in doc.texts for doc in found.documents)]
    return {
        "program": name,
        "names": found.names,
        "aliases": data.aliases(db, found.names),
        "catalog": data.history(found.names),
        "years": found.by_year(),
        "documents": found.documents,
        "compared": compared or list(COMPARED),
        "compared_names": {label: section_name(label) for label in COMPARED},
        "budget": [c for c in charts if c[0] in found.budget],
        "coverage": [c for c in charts if c[0] in found.coverage],
    }


def routes(db: Path, page: Any, results: Any) -> list[Any]:
    """The program page and its CSV; `page(request, template, **context)` renders, and
    `results` (`nlp.web.results.Results`) keeps each program's context per index state."""

    def program_page(request: Request) -> Response:
        name = request.path_params["name"]
        if not name.strip():  # no program: the list of programs
            return RedirectResponse("/series", status_code=302)
        if name.endswith(".csv"):
            df = program_history(db, text(name[: -len(".csv")], "program"))
            return Response(
                table_bytes(df, "csv"),
                media_type=MEDIA_TYPES["csv"],
                headers={"Content-Disposition": 'attachment; filename="fichas-programa.csv"'},
            )
        context = results.cached(("program", name), lambda: program_context(db, name))
        return page(request, "programa.html", **context)

    return [Route("/programa/{name:path}", program_page, methods=["GET"], name="program_page")]
