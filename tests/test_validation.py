"""Issue 14: validation at every boundary (cases 11, 12, 13).

Command-line numbers are finite and in range, Python API arguments raise the package's
own errors, gold records name each problem's file, line and field, and document ids
neither climb out of a URL nor reach a link unencoded.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO
from typer.testing import CliRunner

from nlp.cli import app
from nlp.index import build_index
from nlp.index_schema import SearchError
from nlp.records import read_jsonl

RECORDS = REPO / "tests" / "data" / "index_records.jsonl"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("index") / "fichas.db"
    assert build_index(read_jsonl(RECORDS), path).errors == []
    return path


# -- case 11: numbers on the command line, API arguments -------------------------------


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--year", "99999999999999999999", "out of range"),
        ("--doc-year", "-5", "out of range"),
        ("--amount-min", "1e999", "not a finite number"),
        ("--amount-max", "-inf", "not a number"),  # the amount syntax has no inf
        ("--percent-min", "nan", "not a finite number"),
        ("--percent-max", "-inf", "not a finite number"),
    ],
)
def test_case11_cli_numbers_must_be_finite_and_in_range(
    db: Path, option: str, value: str, says: str
) -> None:
    result = CliRunner().invoke(app, ["search", "--db", str(db), option, value])
    assert (
        result.exit_code != 0
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    assert says in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    "arguments",
    [
        {"kind": "\ud800"},
        {"text": "salud \udcff"},
        {"program": "IMSS\ud800"},
        {"year": 10**20},
        {"years": (2019, 10**30)},
        {"amount_min": float("inf")},
        {"percent_max": float("nan")},
        {"year": 2019.5},
    ],
)
def test_case11_api_arguments_raise_the_package_error(db: Path, arguments: dict) -> None:
    from nlp.search import search

    with pytest.raises(SearchError):
        search(db, **arguments)


def test_valid_numbers_still_filter(db: Path) -> None:
    from nlp.search import search

    assert len(search(db, label="PERCENT", percent_min=0.0, percent_max=100.0, year=2012)) > 0


# -- case 12: gold records are checked ------------------------------------------------


def _gold_line(**changes: object) -> str:
    text = "El Programa de Abasto Social atendió al 45% de la población en 2019."
    record = {
        "id": "g1",
        "text": text,
        "entities": [
            {"start": 40, "end": 43, "label": "PERCENT", "value": 45.0},
            {"start": 63, "end": 67, "label": "YEAR", "value": {"start": 2019, "end": 2019}},
        ],
        "sections": [{"start": 0, "end": len(text), "label": "coverage"}],
    }
    for path, value in changes.items():
        target: dict = record
        *parents, last = path.split("__")
        for key in parents:
            target = target[key] if not key.isdigit() else target[int(key)]  # type: ignore[index]
        target[last] = value
    return json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (_gold_line(entities__0__label="ORG"), "entities[0].label: unknown label 'ORG'"),
        (_gold_line(entities__0__end=4000), "entities[0]: span 40-4000 is outside the text"),
        (_gold_line(entities__1__start=67), "entities[1]: zero-length span at 67"),
        (_gold_line(entities__0__start="40"), "entities[0].start: str '40', not an integer"),
        (_gold_line(entities__1__value={"start": 2019}), "entities[1].value: YEAR value"),
        (_gold_line(entities__0__value="45"), "entities[0].value: PERCENT value"),
        (_gold_line(sections__0__label="intro"), "sections[0].label: unknown label 'intro'"),
        ('["not", "an", "object"]', "the line is a JSON list, not an object"),
        ('{"id": "g2", "entities": []}', "text: missing or not a string"),
        ("{not json", "not valid JSON"),
    ],
)
def test_case12_evaluate_names_each_gold_problem(tmp_path: Path, line: str, says: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(_gold_line() + "\n" + line + "\n", encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(_gold_line() + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--pred", str(pred)])
    assert result.exit_code == 1
    assert f"{gold}:2: {says}" in result.output, result.output
    assert "Traceback" not in result.output and "ORG " not in result.output


def test_valid_gold_still_scores(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(_gold_line() + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--pred", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["entities"]["micro"]["f1"] == 1.0


# -- case 13: ids in the index and in links -------------------------------------------


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "/etc/passwd", "a//b", "a\\b", "x\n"])
def test_case13_the_index_refuses_ids_that_climb_or_hide(tmp_path: Path, bad_id: str) -> None:
    record = dict(next(read_jsonl(RECORDS)), id=bad_id)
    stats = build_index([record], tmp_path / "fichas.db")
    assert stats.added == 0 and len(stats.errors) == 1 and "id" in stats.errors[0]


def test_case13_ids_in_links_are_encoded_and_resolve(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from nlp.web.app import create_app

    odd = "informes/2019 #1?"  # a relative-path id (two report.txt) with URL syntax in it
    record = dict(next(read_jsonl(RECORDS)), id=odd)
    path = tmp_path / "fichas.db"
    assert build_index([record], path).errors == []
    client = TestClient(create_app(path))
    html = client.get("/search", params={"q": "programa"}).text
    assert 'href="/doc/informes%2F2019%20%231%3F#s' in html and 'href="/doc/informes/' not in html
    page = client.get("/doc/informes%2F2019%20%231%3F")
    assert page.status_code == 200 and "informes/2019 #1?" in page.text
    assert client.get("/doc/informes%2F2019%20%231%3F.json").json()["id"] == odd
