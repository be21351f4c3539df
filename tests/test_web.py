"""Server-side tests of `fichas serve`: the search, document and series pages, the downloads.

The index (tests/web_fixture.py, the `web_index_db` fixture of tests/conftest.py) holds the
gold records plus one hostile record.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extras (starlette, jinja2) are not installed")
pytest.importorskip("jinja2", reason="the web extras (starlette, jinja2) are not installed")

from starlette.testclient import TestClient  # noqa: E402
from web_fixture import IMSS_2012, IMSS_2022, body_value, gold  # noqa: E402

from nlp.exports import TYPED_COLUMNS  # noqa: E402
from nlp.web.app import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(web_index_db: Path) -> TestClient:
    return TestClient(create_app(web_index_db), follow_redirects=False)


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


def test_series_page_shows_the_catalogue_history(client):
    html = client.get("/series", params={"program": "IMSS-Oportunidades"}).text
    assert "Catálogo <code>imss_bienestar</code>" in html
    assert "IMSS-Solidaridad (1989-2002)" in html and "S038 (2008-)" in html
