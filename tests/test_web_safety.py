"""Server-side tests of `fichas serve`: errors as readable pages, escaping of hostile text,
no writes, and the command's defaults (the index: tests/web_fixture.py)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extras (starlette, jinja2) are not installed")
pytest.importorskip("jinja2", reason="the web extras (starlette, jinja2) are not installed")

from starlette.testclient import TestClient  # noqa: E402
from web_fixture import IMSS_2012, SCRIPT, SCRIPT_DOC, text_of  # noqa: E402

from nlp.web.app import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(web_index_db: Path) -> TestClient:
    return TestClient(create_app(web_index_db), follow_redirects=False)


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


def test_pages_never_write_the_index(web_index_db):
    before = hashlib.sha256(web_index_db.read_bytes()).hexdigest()
    fresh = TestClient(create_app(web_index_db))
    for url in (
        "/search?q=salud",
        f"/doc/{IMSS_2012}",
        "/series?program=IMSS-BIENESTAR",
        "/search.csv?q=salud",
    ):
        assert fresh.get(url).status_code == 200
    assert hashlib.sha256(web_index_db.read_bytes()).hexdigest() == before


# --- the command --------------------------------------------------------------------------


def test_serve_binds_to_loopback_by_default(web_index_db, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from nlp.cli import app

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda asgi, **kw: calls.append(kw))
    result = CliRunner().invoke(app, ["serve", "--db", str(web_index_db)])
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
