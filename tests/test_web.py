"""Server-side tests of `fichas serve`: every page, the downloads, the errors, escaping.

The index is built once from the gold records plus one hostile record whose text
holds `<script>` and whose program value holds an `<img onerror>`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extras (starlette, jinja2) are not installed")
pytest.importorskip("jinja2", reason="the web extras (starlette, jinja2) are not installed")

from starlette.testclient import TestClient  # noqa: E402

from nlp.exports import TYPED_COLUMNS  # noqa: E402
from nlp.index import build_index  # noqa: E402
from nlp.records import read_jsonl  # noqa: E402
from nlp.web.app import create_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
IMSS_2012 = "000_ficha_imss_oportunidades_2012"
IMSS_2022 = "001_ficha_imss_bienestar_2022"
SCRIPT_DOC = "900_ficha_prueba_script_2020"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def hostile_record() -> dict:
    """A ficha whose text and values are HTML: they must show as text, never run."""
    text = (
        "Ficha de prueba 2020\n\nDescripción del Programa\n"
        f"El Programa Prueba {SCRIPT} atiende al 45% de la población objetivo en 2020.\n"
    )
    start = text.index("Programa Prueba")
    pct = text.index("45%")
    year = text.rindex("2020")
    return {
        "id": SCRIPT_DOC,
        "text": text,
        "entities": [
            {
                "start": start,
                "end": start + len("Programa Prueba"),
                "label": "PROGRAM",
                "value": {"name": f"Prueba {IMG}", "key": None},
            },
            {"start": pct, "end": pct + 3, "label": "PERCENT", "value": 45.0},
            {
                "start": year,
                "end": year + 4,
                "label": "YEAR",
                "value": {"start": 2020, "end": 2020},
            },
        ],
        "sections": [{"start": 0, "end": len(text), "label": "description"}],
        "meta": {"source": f"corpus/{SCRIPT_DOC}.txt"},
    }


def make_web_index(path: Path) -> Path:
    """The test index: gold annotations + the hostile record."""
    records = list(read_jsonl(REPO / "annotations")) + [hostile_record()]
    stats = build_index(records, path)
    assert not stats.errors, stats.errors
    return path


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_web_index(tmp_path_factory.mktemp("web") / "fichas.db")


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), follow_redirects=False)


def text_of(html: str) -> str:
    """Visible-ish text: tags dropped, whitespace collapsed (entities left as written)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def body_value(value: str) -> float:
    return float(json.loads(value))


def gold(doc_id: str) -> dict:
    return next(read_jsonl(REPO / "annotations" / f"{doc_id}.jsonl"))


# --- search -------------------------------------------------------------------------------


def test_home_redirects_to_search(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["location"].endswith("/search")


def test_search_without_fields_lists_the_documents(client):
    html = client.get("/search").text
    assert "Documentos indexados" in html and '<html lang="es">' in html
    assert f'href="/doc/{IMSS_2012}"' in html and f'href="/doc/{IMSS_2022}"' in html
    for name in (
        "q",
        "program",
        "label",
        "section",
        "year_from",
        "year_to",
        "doc_year",
        "amount_min",
        "amount_max",
        "percent_min",
        "percent_max",
        "kind",
    ):
        assert f'name="{name}"' in html, name


def test_search_by_earlier_program_name_finds_2012_and_2022(client):
    response = client.get("/search", params={"program": "IMSS-Oportunidades", "per_page": 100})
    assert response.status_code == 200
    html = response.text
    assert f"/doc/{IMSS_2012}#s" in html and f"/doc/{IMSS_2022}#s" in html
    assert 'value="IMSS-Oportunidades"' in html  # the form keeps the query


def test_search_text_marks_hits_and_keeps_a_shareable_url(client):
    html = client.get("/search", params={"q": "padrón", "section": "recommendations"}).text
    assert re.search(r"<mark>[Pp]adr[oó]n", html)
    assert 'href="/search?q=padr%C3%B3n&amp;section=recommendations"' in html
    assert 'href="/search.csv?q=padr%C3%B3n&amp;section=recommendations"' in html
    assert 'href="/search.json?q=padr%C3%B3n&amp;section=recommendations"' in html


def test_search_facets_count_and_link(client):
    html = client.get("/search", params={"label": "AMOUNT", "program": "IMSS-Oportunidades"}).text
    facets = html[html.index('class="facets"') : html.index('class="results"')]
    for title in ("Entidad", "Programa", "Año del documento", "Sección"):
        assert f"<h3>{title}</h3>" in facets
    assert re.search(r">Monto</a> <span class=\"count\">\d+</span>", facets)
    assert "doc_year=2012" in facets and "doc_year=2022" in facets and "section=budget" in facets


def test_entity_search_shows_values(client):
    html = client.get(
        "/search",
        params={"label": "AMOUNT", "amount_min": "15000M", "program": "imss oportunidades"},
    ).text
    assert "<th>Valor</th>" in html
    assert "20,184.01 millones de pesos" in html  # 2022 ficha, as a Mexican reader writes it
    assert f"/doc/{IMSS_2022}#e" in html


def test_search_pages(client):
    first = client.get("/search", params={"label": "YEAR", "per_page": 20}).text
    total = int(re.search(r"<h1>([\d,]+) resultados</h1>", first).group(1).replace(",", ""))
    assert total > 20
    assert f"Página 1 de {-(-total // 20)}" in first and 'rel="next"' in first
    second = client.get("/search", params={"label": "YEAR", "per_page": 20, "page": 2}).text
    assert "Página 2 de" in second and 'rel="prev"' in second
    assert client.get("/search", params={"label": "YEAR", "page": 999}).status_code == 400


def test_csv_and_json_downloads_match_the_page(client):
    query = {"program": "IMSS-Oportunidades", "label": "PERCENT"}
    html = client.get("/search", params=query).text
    total = int(re.search(r"<h1>(\d+) resultados?</h1>", html).group(1))
    csv_response = client.get("/search.csv", params=query)
    assert csv_response.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv_response.headers["content-disposition"]
    assert csv_response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents
    rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert len(rows) == total
    assert list(rows[0]) == [
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
        *TYPED_COLUMNS,
    ]
    assert float(rows[0]["percent"]) == body_value(rows[0]["value"])
    assert "[" in rows[0]["snippet"]  # plain-text marks in downloads
    body = client.get("/search.json", params=query).json()
    assert body["count"] == total and body["query"] == query
    assert all(isinstance(r["value"], (int, float)) for r in body["results"])


# --- document -----------------------------------------------------------------------------


def test_document_page_shows_sections_and_entity_values(client):
    html = client.get(f"/doc/{IMSS_2012}").text
    record = gold(IMSS_2012)
    labels = re.findall(r'<section class="band sec-(\w+)[^"]*" id="s(\d+)"', html)
    assert [(label, int(start)) for label, start in labels] == [
        (s["label"], s["start"]) for s in record["sections"]
    ]
    for _, start in labels:
        assert f'href="#s{start}"' in html  # side list jumps to each section
    marks = re.findall(
        r'<mark class="ent ent-(\w+)" id="e(\d+)" title="[^"]*" data-value="([^"]*)">', html
    )
    assert len(marks) == len(record["entities"])
    assert ("AMOUNT", "8,500 millones de pesos") in {(label, value) for label, _, value in marks}
    assert ("PROGRAM", "IMSS-BIENESTAR") in {(label, value) for label, _, value in marks}
    assert f'href="/doc/{IMSS_2012}.json"' in html


def test_document_text_is_the_record_text(client):
    html = client.get(f"/doc/{IMSS_2022}").text
    shown = "".join(
        re.sub(r'<span class="ent-label">\w+</span>', "", body)
        for body in re.findall(r'<div class="text">(.*?)</div>\n  </section>', html, re.S)
    )
    import html as html_lib

    assert html_lib.unescape(re.sub(r"<[^>]+>", "", shown)) == gold(IMSS_2022)["text"]


def test_document_json_is_the_record(client):
    response = client.get(f"/doc/{IMSS_2012}.json")
    assert response.headers["content-type"].startswith("application/json")
    record, want = response.json(), gold(IMSS_2012)
    assert record["id"] == IMSS_2012 and record["text"] == want["text"]
    assert record["sections"] == [
        {k: s[k] for k in ("start", "end", "label")} for s in want["sections"]
    ]
    got = [(e["start"], e["end"], e["label"], e["value"]) for e in record["entities"]]
    assert got == sorted(
        (e["start"], e["end"], e["label"], e.get("value")) for e in want["entities"]
    )


# --- series -------------------------------------------------------------------------------


def test_series_index_lists_programs(client):
    html = client.get("/series").text
    assert 'href="/series?program=IMSS-BIENESTAR"' in html


def test_series_page_charts_budget_points_of_every_name(client):
    html = client.get("/series", params={"program": "IMSS-Oportunidades"}).text
    assert "<svg" in html and "Presupuesto por año" in html and "Cobertura por año" in html
    budget = html[html.index('id="budget-1"') : html.index('id="budget-2"')]
    assert "Presupuesto del programa" in budget
    points = re.findall(
        r'<a href="/doc/([\w.-]+)#e\d+" class="point" data-doc="[^"]+" data-year="(\d+)">', budget
    )
    assert {(IMSS_2012, str(y)) for y in range(2007, 2013)} <= set(points)
    assert {(IMSS_2022, str(y)) for y in range(2017, 2023)} <= set(points)
    assert '<td>2012</td><td class="num">8,500</td>' in budget  # the table under the chart
    assert "IMSS-Coplamar" in html  # the earlier names are shown


def test_series_coverage_chart(client):
    html = client.get("/series", params={"program": "IMSS-BIENESTAR"}).text
    coverage = html[html.index('id="coverage-1"') :]
    assert "107.36" in coverage and f"/doc/{IMSS_2012}#e" in coverage


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/doc/999_no_such_ficha_2020", 404, "no document '999_no_such_ficha_2020'"),
        ("/doc/999_no_such_ficha_2020.json", 404, "no document"),
        ("/doc/bad%20id%3Cb%3E", 404, "no document"),
        ("/doc/..%2F..%2Fetc%2Fpasswd", 404, "'..' path segment"),
        ("/search?year_from=20x1", 400, "is not a year"),
        ("/search?year_from=2022&year_to=2010", 400, "first year is after the last"),
        ("/search?percent_min=mucho", 400, "is not a number"),
        ("/search?amount_min=lots", 400, "is not a number"),
        ("/search?label=ORG", 400, "unknown label"),
        ("/search?section=intro", 400, "unknown section"),
        ("/search?kind=a%20b", 400, "must be one word"),
        ("/search?per_page=7", 400, "per_page must be one of"),
        ("/search?page=0&q=salud", 400, "page"),
        ("/search?q=" + "a" * 501, 400, "the limit is 500"),
        ("/search?q=%2B%2B%2B", 400, "no words to look for"),
        ("/search?program=IMSS", 400, "did you mean"),
        ("/search?label=AMOUNT&percent_min=5", 400, "percent bounds apply to PERCENT entities"),
        ("/search?amount_min=5M&percent_min=5", 400, "cannot both apply"),
        ("/series?program=Programa%20Inexistente", 404, "unknown program"),
        ("/no/such/page", 404, "no page at /no/such/page"),
        ("/search.csv", 400, "give at least one search field"),
    ],
)
def test_errors_are_pages_a_person_can_read(client, url, status, says):
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in response.text
    assert says in text_of(response.text).replace("&#39;", "'")


def test_empty_result_says_so(client):
    response = client.get("/search", params={"q": "xilófono", "program": "IMSS-Oportunidades"})
    assert response.status_code == 200 and "<h1>Sin resultados</h1>" in response.text
    assert "Quite un filtro" in response.text


def test_missing_index_is_a_readable_error(tmp_path):
    response = TestClient(create_app(tmp_path / "none.db")).get("/search", params={"q": "salud"})
    assert response.status_code == 503 and "no index at" in response.text


# --- security -----------------------------------------------------------------------------


def test_script_in_a_document_is_text(client):
    html = client.get(f"/doc/{SCRIPT_DOC}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html
    assert "Prueba &lt;img src=x onerror=alert(2)&gt;" in html  # the value on hover, escaped


def test_script_in_snippets_facets_and_series_is_text(client):
    for url in (
        "/search?q=alert",
        "/search?label=PROGRAM&q=alert",
        "/series",
        "/series?program=Programa%20Prueba",
    ):
        html = client.get(url).text
        assert "<script" not in html and "<img" not in html, url
    assert (
        "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in client.get("/search?q=alert").text
    )
    assert (
        client.get("/search.json?q=alert").json()["results"][0]["snippet"].count("<script>") == 1
    )  # JSON keeps the text


def test_security_headers(client):
    for url in ("/search", f"/doc/{IMSS_2012}", "/doc/nope", "/static/style.css"):
        headers = client.get(url).headers
        assert "default-src 'none'" in headers["content-security-policy"], url
        assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_no_write_endpoints(client, method):
    for url in ("/search", f"/doc/{IMSS_2012}", "/series", "/search.json"):
        assert client.request(method, url).status_code == 405, (method, url)


def test_pages_never_write_the_index(web_db):
    before = hashlib.sha256(web_db.read_bytes()).hexdigest()
    fresh = TestClient(create_app(web_db))
    for url in (
        "/search?q=salud",
        f"/doc/{IMSS_2012}",
        "/series?program=IMSS-BIENESTAR",
        "/search.csv?q=salud",
    ):
        assert fresh.get(url).status_code == 200
    assert hashlib.sha256(web_db.read_bytes()).hexdigest() == before


# --- the command --------------------------------------------------------------------------


def test_serve_binds_to_loopback_by_default(web_db, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from nlp.cli import app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **kw: calls.append(kw))
    result = CliRunner().invoke(app, ["serve", "--db", str(web_db)])
    assert result.exit_code == 0, result.output
    assert calls == [
        {"host": "127.0.0.1", "port": 8000, "log_level": "warning", "server_header": False}
    ]


def test_serve_without_index_exits_2(tmp_path):
    from typer.testing import CliRunner

    from nlp.cli import app

    result = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "no index at" in result.output


def test_document_json_offsets_stay_in_the_text(client):
    record = client.get(f"/doc/{SCRIPT_DOC}.json").json()
    assert json.dumps(record)  # JSON-safe
    for ent in record["entities"]:
        assert 0 <= ent["start"] < ent["end"] <= len(record["text"])
    assert SCRIPT in record["text"]


def test_series_page_shows_the_catalogue_history(client):
    html = client.get("/series", params={"program": "IMSS-Oportunidades"}).text
    assert "Catálogo <code>imss_bienestar</code>" in html
    assert "IMSS-Solidaridad (1989-2002)" in html and "S038 (2008-)" in html
