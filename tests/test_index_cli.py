"""`fichas index` and `fichas search` on the command line, over the fixture records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from index_fixture import FIXTURE

# --- command line -----------------------------------------------------------------------


@pytest.fixture
def cli() -> Any:
    try:
        from nlp.cli import app
    except ImportError as err:  # other commands of the CLI not written yet
        pytest.skip(f"nlp.cli not importable yet: {err}")
    from typer.testing import CliRunner

    return CliRunner(), app


def test_cli_index_and_search(cli: Any, tmp_path: Path) -> None:
    runner, app = cli
    db = str(tmp_path / "cli.db")
    first = runner.invoke(app, ["index", str(FIXTURE), "--db", db])
    assert first.exit_code == 0, first.output
    assert "added 5" in first.output
    again = runner.invoke(app, ["index", str(FIXTURE.parent), "--db", db])
    assert again.exit_code == 0 and "skipped 5" in again.output
    found = runner.invoke(
        app,
        [
            "search",
            "--db",
            db,
            "--program",
            "IMSS-Oportunidades",
            "--amount-min",
            "15000M",
            "--format",
            "json",
        ],
    )
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)
    assert [r["value"] for r in rows] == [{"amount": 20184010000.0, "currency": "MXN"}]
    table = runner.invoke(app, ["search", "padron", "--db", db, "--section", "recommendations"])
    assert table.exit_code == 0 and "[padrón]" in table.output
    csv = runner.invoke(
        app, ["search", "--db", db, "--label", "YEAR", "--years", "2008-2010", "--format", "csv"]
    )
    assert csv.exit_code == 0 and csv.output.splitlines()[0].startswith("doc_id,")
    assert len(csv.output.strip().splitlines()) == 4  # header, 2007-2012 and two 2009


def test_cli_annotates_document_inputs(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_records: list[dict[str, Any]]
) -> None:
    runner, app = cli
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("texto", encoding="utf-8")
    (docs / "b.md").write_text("texto", encoding="utf-8")
    (docs / "ignored.csv").write_text("x", encoding="utf-8")
    calls: list[list[str]] = []

    def annotate_paths(paths: list[Path]) -> Any:
        calls.append(sorted(p.name for p in paths))
        return iter(index_records[:2])

    import nlp.cli.index

    monkeypatch.setattr(nlp.cli.index, "annotate_paths", annotate_paths)
    db = str(tmp_path / "docs.db")
    result = runner.invoke(app, ["index", str(docs), str(FIXTURE), "--db", db])
    assert result.exit_code == 0, result.output
    # records first, then the annotated documents (here the same two records again: skipped)
    assert (
        calls == [["a.txt", "b.md"]] and "added 5" in result.output and "skipped 2" in result.output
    )
    bad = runner.invoke(app, ["index", str(docs / "ignored.csv"), "--db", db])
    assert bad.exit_code == 2 and "not a .jsonl" in bad.output


def test_cli_errors_exit_2(cli: Any, tmp_path: Path) -> None:
    runner, app = cli
    missing = runner.invoke(app, ["search", "padron", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no index at" in missing.output
    db = str(tmp_path / "cli.db")
    runner.invoke(app, ["index", str(FIXTURE), "--db", db])
    long = runner.invoke(app, ["search", "x" * 600, "--db", db])
    assert long.exit_code == 2 and "limit is 500" in long.output
    both = runner.invoke(app, ["search", "--db", db, "--year", "2020", "--years", "2019-2021"])
    assert both.exit_code == 2
