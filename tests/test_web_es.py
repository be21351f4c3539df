"""Issue 15, server side: the page in Spanish, the program page, exports that open in
Excel and pandas with typed columns, Spanish aliases in the API and the CLI.

Uses the web test index of tests/test_web.py (gold records + one hostile record).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extras (starlette, jinja2) are not installed")

from starlette.testclient import TestClient  # noqa: E402
from typer.testing import CliRunner  # noqa: E402
from web_fixture import IMSS_2012, IMSS_2022, gold, make_web_index  # noqa: E402

from nlp.cli import app as cli  # noqa: E402
from nlp.exports import TYPED_COLUMNS, records_to_frames  # noqa: E402
from nlp.labels_es import date_mx, entity_id, money_mx, section_id, section_names  # noqa: E402
from nlp.program_page import program_history, program_series  # noqa: E402
from nlp.records import read_jsonl  # noqa: E402
from nlp.search import search  # noqa: E402
from nlp.settings import ENTITY_LABELS, SECTION_LABELS  # noqa: E402
from nlp.web.app import create_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_web_index(tmp_path_factory.mktemp("web_es") / "fichas.db")


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db), follow_redirects=False)


def section_text(doc_id: str, label: str) -> list[str]:
    record = gold(doc_id)
    return [
        record["text"][s["start"] : s["end"]] for s in record["sections"] if s["label"] == label
    ]


# --- Spanish --------------------------------------------------------------------------------


def test_every_label_has_a_spanish_name_and_alias():
    names = section_names()
    assert names["budget"] == "Presupuesto" and names["improvements"].startswith("Aspectos")
    for label in SECTION_LABELS:
        assert section_id(names[label]) == label and section_id(label) == label
    for label in ENTITY_LABELS:
        assert entity_id(label) == label
    assert (section_id("presupuesto"), section_id("RECOMENDACIONES")) == (
        "budget",
        "recommendations",
    )
    assert (entity_id("PROGRAMA"), entity_id("año"), entity_id("monto")) == (
        "PROGRAM",
        "YEAR",
        "AMOUNT",
    )
    assert section_id("intro") == "intro"  # unknown: left for the caller's error


def test_mexican_formats():
    assert money_mx(20_184_010_000) == "20,184.01 millones de pesos"
    assert money_mx(1_500.5) == "1,500.5 pesos"
    assert date_mx("2018-08-14") == "14 de agosto de 2018"
    assert date_mx("2012-10") == "octubre de 2012"


def test_page_is_in_spanish_with_guide_ids_in_urls(client):
    html = client.get("/search").text
    assert '<html lang="es">' in html and "Documentos indexados" in html
    assert '<option value="recommendations">Recomendaciones</option>' in html
    assert '<option value="improvements">Aspectos susceptibles de mejora</option>' in html
    assert '<option value="PROGRAM">Programa</option>' in html
    doc = client.get(f"/doc/{IMSS_2022}").text
    assert '<div class="band-label">Recomendaciones</div>' in doc
    assert 'data-label="recommendations"' in doc  # the id stays in the data


def test_search_with_spanish_section_parameter(client):
    spanish = client.get("/search", params={"seccion": "recomendaciones", "q": "padrón"})
    english = client.get("/search", params={"section": "recommendations", "q": "padrón"})
    assert spanish.status_code == 200
    count = re.search(r"<h1>(\d+) resultados?</h1>", spanish.text)
    assert count and int(count.group(1)) > 0
    assert count.group(0) in english.text
    assert f"/doc/{IMSS_2022}#s" in spanish.text
    # links made by the page use the guide's id
    assert 'href="/search.xlsx?q=padr%C3%B3n&amp;section=recommendations"' in spanish.text


def test_spanish_label_value_in_the_url(client):
    spanish = client.get("/search", params={"label": "MONTO", "program": "IMSS-Oportunidades"})
    english = client.get("/search", params={"label": "AMOUNT", "program": "IMSS-Oportunidades"})
    found = re.search(r"<h1>\d+ resultados?</h1>", spanish.text)
    assert found and found.group(0) in english.text
    assert "millones de pesos" in spanish.text


def test_python_api_accepts_spanish_names(db):
    es = search(db, section="presupuesto", label="MONTO", program="IMSS-Oportunidades", limit=500)
    en = search(db, section="budget", label="AMOUNT", program="IMSS-Oportunidades", limit=500)
    assert len(es) > 0 and es["start"].tolist() == en["start"].tolist()


# --- typed columns and exports -----------------------------------------------------------


def test_search_returns_typed_columns(db):
    df = search(db, label="AMOUNT", program="IMSS-Oportunidades", doc_year=2012, limit=100)
    assert list(df.columns[-len(TYPED_COLUMNS) :]) == list(TYPED_COLUMNS)
    assert df["amount"].dtype == "float64" and 8_500_000_000.0 in set(df["amount"])
    assert set(df["currency"].dropna()) == {"MXN"}
    years = search(db, label="YEAR", program="IMSS-Oportunidades", limit=100)
    assert str(years["year_start"].dtype) == "Int64" and 2012 in set(years["year_start"].dropna())


def test_xlsx_download_opens_with_typed_cells(client):
    openpyxl = pytest.importorskip("openpyxl")
    query = {"program": "IMSS-Oportunidades", "label": "AMOUNT"}
    response = client.get("/search.xlsx", params=query)
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[-len(TYPED_COLUMNS) :] == list(TYPED_COLUMNS)
    amounts = [row[header.index("amount")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # numbers, not JSON text (Excel keeps 8500000000.0 as the integer 8500000000)
    assert amounts and all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in amounts)
    assert 20_184_010_000.0 in amounts


def test_parquet_download_has_typed_columns(client):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    response = client.get(
        "/search.parquet", params={"program": "IMSS-BIENESTAR", "label": "PERCENT"}
    )
    df = pd.read_parquet(io.BytesIO(response.content))
    assert df["percent"].dtype == "float64" and 107.36 in set(df["percent"])
    assert str(df["year_start"].dtype) == "Int64"


def test_cli_writes_xlsx_parquet_and_csv_with_bom(db, tmp_path):
    pd = pytest.importorskip("pandas")
    runner = CliRunner()
    base = ["search", "--db", str(db), "--program", "IMSS-Oportunidades", "--label", "MONTO"]
    xlsx = tmp_path / "montos.xlsx"
    result = runner.invoke(
        cli, [*base, "--section", "presupuesto", "--out", str(xlsx), "-n", "500"]
    )
    assert result.exit_code == 0, result.output
    sheet = pd.read_excel(xlsx)
    assert pd.api.types.is_numeric_dtype(sheet["amount"]) and set(sheet["section"]) == {"budget"}
    parquet = tmp_path / "montos.data"
    result = runner.invoke(cli, [*base, "--format", "parquet", "--out", str(parquet)])
    assert result.exit_code == 0 and pd.read_parquet(parquet)["amount"].dtype == "float64"
    csv_path = tmp_path / "montos.csv"
    assert runner.invoke(cli, [*base, "--out", str(csv_path)]).exit_code == 0
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    no_file = runner.invoke(cli, [*base, "--format", "xlsx"])
    assert no_file.exit_code == 2 and "--out" in no_file.output


def test_cli_json_has_typed_values(db):
    result = CliRunner().invoke(
        cli, ["search", "--db", str(db), "--label", "FECHA", "-n", "5", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(re.fullmatch(r"\d{4}(-\d\d){0,2}", r["value"]) for r in rows)
    assert all(r["date"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", r["date"]) for r in rows)


def test_records_to_frames_types_values_without_an_index():
    records = [gold(IMSS_2012), gold(IMSS_2022)]
    entities, sections = records_to_frames(records)
    assert len(entities) == sum(len(r["entities"]) for r in records)
    assert len(sections) >= sum(len(r["sections"]) for r in records)
    amounts = entities[entities["label"] == "AMOUNT"]
    want = sorted(
        e["value"]["amount"] for r in records for e in r["entities"] if e["label"] == "AMOUNT"
    )
    assert sorted(amounts["amount"].tolist()) == want
    row = amounts[amounts["amount"] == 8_500_000_000.0].iloc[0]
    assert row["section"] == "budget" and row["near_year_start"] == 2012
    assert str(entities["year_start"].dtype) == "Int64"
    text = gold(IMSS_2022)["text"]
    for sec in sections[sections["doc_id"] == IMSS_2022].itertuples():
        assert sec.text == text[sec.start : sec.end]


# --- program page ---------------------------------------------------------------------------


def test_program_page_under_an_earlier_name(client):
    response = client.get("/programa/IMSS-Oportunidades")
    assert response.status_code == 200
    html = response.text
    assert '<h1 class="program-title">IMSS-BIENESTAR</h1>' in html
    columns = re.findall(
        r'<th scope="col" class="doc-col" data-doc="([^"]+)" data-year="(\d*)">', html
    )
    assert (IMSS_2012, "2012") in columns and (IMSS_2022, "2022") in columns
    assert columns.index((IMSS_2012, "2012")) < columns.index((IMSS_2022, "2022"))  # by year
    row = re.search(r'<tr class="compare-row sec-recommendations".*?</tr>', html, re.S).group(0)
    cells = dict(
        re.findall(r'<td class="cell" data-doc="([^"]+)" data-year="\d*">(.*?)</td>', row, re.S)
    )
    assert {IMSS_2012, IMSS_2022} <= set(cells)  # side by side in one row
    first_line = section_text(IMSS_2022, "recommendations")[0].strip().splitlines()[-1]
    assert first_line[:40] in cells[IMSS_2022].replace("&#34;", '"')
    assert "sin recomendaciones" in cells[IMSS_2012]  # the 2012 ficha has none: said so
    budget = html[html.index('id="budget-1"') :]
    points = set(re.findall(r'class="point" data-doc="([^"]+)" data-year="(\d+)"', budget))
    assert (IMSS_2012, "2012") in points and (IMSS_2022, "2022") in points
    assert f'href="/doc/{IMSS_2012}#e' in budget  # each point links to its figure


def test_program_mentions_link_to_the_program_page(client):
    html = client.get(f"/doc/{IMSS_2012}").text
    assert 'class="mention" href="/programa/IMSS-BIENESTAR"' in html
    search_html = client.get("/search", params={"label": "PROGRAMA", "program": "IMSS-BIENESTAR"})
    assert 'href="/programa/IMSS-BIENESTAR"' in search_html.text


def test_program_page_unknown_and_csv(client):
    response = client.get("/programa/Programa%20Inexistente")
    assert response.status_code == 404 and "unknown program" in response.text
    csv_response = client.get("/programa/IMSS-Oportunidades.csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf") and IMSS_2022 in csv_response.text


def test_program_history_dataframe(db):
    df = program_history(db, "IMSS-Oportunidades")
    assert set(df["doc_id"]) >= {IMSS_2022}
    rec = df[(df["doc_id"] == IMSS_2022) & (df["section"] == "recommendations")]
    assert rec["year"].tolist() == [2022] and rec["section_es"].tolist() == ["Recomendaciones"]
    assert rec["text"].iloc[0] == "\n\n".join(
        t.strip() for t in section_text(IMSS_2022, "recommendations")
    )
    assert df["year"].is_monotonic_increasing
    points = program_series(db, "IMSS-Oportunidades")
    budget = points[(points["series"] == "budget") & (points["doc_id"] == IMSS_2012)]
    assert 8_500.0 in set(budget[budget["year"] == 2012]["value"])


# --- Datasette -----------------------------------------------------------------------------


def test_index_writes_datasette_metadata_with_working_queries(tmp_path):
    import sqlite3

    db = tmp_path / "analisis.db"
    result = CliRunner().invoke(cli, ["index", str(REPO / "annotations"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "analisis.metadata.json").read_text(encoding="utf-8"))
    database = meta["databases"]["analisis"]
    assert "Recomendaciones" in database["tables"]["sections"]["columns"]["label"]
    assert "PROGRAM (Programa)" in database["tables"]["entities"]["columns"]["label"]
    queries = database["queries"]
    conn = sqlite3.connect(db)
    budget = conn.execute(
        queries["presupuesto_por_anio"]["sql"], {"programa": "IMSS-Oportunidades"}
    ).fetchall()
    assert (2012, 8500.0) in {(row[0], row[1]) for row in budget}
    found = conn.execute(queries["recomendaciones_con_palabra"]["sql"], {"palabra": "padrón"})
    assert IMSS_2022 in {row[0] for row in found}
    programs = dict(row[:2] for row in conn.execute(queries["programas_por_documentos"]["sql"]))
    assert programs["IMSS-BIENESTAR"] >= 2
    conn.close()


def test_progress_is_quiet_off_a_terminal(monkeypatch, capsys):
    from nlp.progress import enabled, progress

    monkeypatch.delenv("FICHAS_PROGRESS", raising=False)
    assert not enabled()  # pytest's stderr is not a terminal
    assert list(progress(range(3), "x")) == [0, 1, 2]
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("FICHAS_PROGRESS", "1")
    assert list(progress(iter(range(3)), "indexing", total=3)) == [0, 1, 2]
    assert "indexing" in capsys.readouterr().err


def test_records_are_read_from_the_repo():
    assert any(r["id"] == IMSS_2012 for r in read_jsonl(REPO / "annotations"))


def test_stems_are_right_when_threads_stem_at_once():
    """The web server answers from several threads; the Snowball stemmer object keeps its
    state, so unguarded it swapped words between threads (wrong stems, a 500 under load)."""
    import random
    import threading

    import snowballstemmer

    from nlp.index_schema import _stem_word

    words = [f"{w}{i}" for w in ("sustitución", "operaciones", "padrones") for i in range(1500)]
    fresh = snowballstemmer.stemmer("spanish")
    want = {w: fresh.stemWord(w) for w in words}
    wrong: list[str] = []

    def stem_all() -> None:
        wrong.extend(w for w in random.sample(words, len(words)) if _stem_word(w) != want[w])

    threads = [threading.Thread(target=stem_all) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_serve_with_workers_runs_the_app_factory(db, monkeypatch):
    import os

    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    monkeypatch.setenv("FICHAS_DB", "elsewhere.db")
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    target, kw = calls[0]
    assert target == "nlp.web.app:app_from_env" and kw["factory"] and kw["workers"] == 2
    assert kw["host"] == "127.0.0.1" and os.environ["FICHAS_DB"] == str(db.resolve())


def test_dates_are_written_the_mexican_way(client):
    html = client.get("/doc/002_circular_reglas_operacion_imss_oportunidades_2009").text
    assert 'title="Fecha: 2 de enero de 2009"' in html


def test_document_list_comes_a_page_at_a_time(client):
    first = client.get("/search").text
    second = client.get("/search", params={"page": 2}).text
    listed = re.compile(r'<td><a href="/doc/([^"]+)">')
    assert len(listed.findall(first)) == 20 and IMSS_2012 in listed.findall(first)
    assert not set(listed.findall(first)) & set(listed.findall(second))
    assert client.get("/search", params={"page": 99}).status_code == 400


def test_datasette_metadata_titles_every_table_and_column(db):
    import sqlite3

    from nlp.datasette_meta import metadata

    tables = metadata(db)["databases"][db.stem]["tables"]
    conn = sqlite3.connect(db)
    for table in ("documents", "sections", "entities", "program_names"):
        assert tables[table]["title"] and tables[table]["description"]
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
        assert set(columns) <= set(tables[table]["columns"]), table  # no column undescribed
    conn.close()


def test_program_page_escapes_and_takes_no_writes(client):
    from web_fixture import IMG, SCRIPT_DOC

    doc = client.get(f"/doc/{SCRIPT_DOC}").text
    link = re.search(r'class="mention" href="(/programa/[^"]+)"', doc).group(1)
    assert "<" not in link and "%3Cimg" in link
    page = client.get(link.replace("&amp;", "&"))
    assert page.status_code == 200 and "<img" not in page.text and "<script" not in page.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text and IMG not in page.text
    for method in ("POST", "PUT", "DELETE"):
        for url in ("/programa/IMSS-BIENESTAR", "/search.xlsx", "/search.parquet"):
            assert client.request(method, url).status_code == 405, (method, url)
