"""Index building: the fixture is current, rows are counted, re-indexing replaces or skips.

The records come from tests/index_fixture.py; `index_records` and `index_db` (a fresh index of
them) are fixtures of tests/conftest.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from index_checks import COLUMNS, integrity
from index_fixture import FIXTURE, render

from nlp.index import build_index
from nlp.index_schema import connect_read
from nlp.records import content_hash, read_jsonl, validate_record
from nlp.search import search

# --- fixture and building ---------------------------------------------------------------


def test_fixture_file_is_current_and_valid(index_records: list[dict[str, Any]]) -> None:
    assert FIXTURE.read_text(encoding="utf-8") == render(), "run: python tests/index_fixture.py"
    for record in index_records:
        assert validate_record(record) == []
        for ent in record["entities"]:
            assert "⟦" not in record["text"][ent["start"] : ent["end"]]


def test_build_counts_rows(index_db: Path, index_records: list[dict[str, Any]]) -> None:
    counts, ok = integrity(index_db)
    assert ok == "ok"
    assert counts["documents"] == 5
    assert counts["entities"] == sum(len(r["entities"]) for r in index_records)
    # the circular's unlabelled signature becomes one inferred `other` section
    assert counts["sections"] == sum(len(r["sections"]) for r in index_records) + 1
    conn = connect_read(index_db)
    docs = {
        row[0]: row[1:]
        for row in conn.execute(
            "SELECT id, program, program_key, year_start, year_end, kind, year FROM documents"
        )
    }
    conn.close()
    assert docs["001_ficha_imss_bienestar_2022"] == (
        "IMSS-BIENESTAR",
        None,
        2019,
        2024,
        "ficha",
        2022,
    )
    assert docs["004_ficha_prestaciones_sociales_2020"] == (
        "Prestaciones Sociales",
        "E012",
        2019,
        2021,
        "ficha",
        2020,
    )
    assert docs["002_circular_reglas_operacion_imss_oportunidades_2009"][0] == "IMSS-BIENESTAR"
    assert docs["002_circular_reglas_operacion_imss_oportunidades_2009"][2:4] == (
        2008,
        2009,
    )  # DATE years count
    assert (
        docs["003_ficha_programa_institucional_imss_2021"][0]
        == "Programa Institucional del Instituto Mexicano del Seguro Social"
    )


def test_reindexing_the_same_records_changes_nothing(
    index_db: Path, index_records: list[dict[str, Any]]
) -> None:
    before = integrity(index_db)
    conn = sqlite3.connect(index_db)
    docs_before = conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
    conn.close()
    stats = build_index(index_records, index_db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 0, 5)
    assert integrity(index_db) == before
    conn = sqlite3.connect(index_db)
    assert conn.execute("SELECT * FROM documents ORDER BY id").fetchall() == docs_before
    conn.close()
    again = build_index(index_records, index_db)
    assert again.as_dict() == stats.as_dict()


def test_changed_document_is_replaced(index_db: Path, index_records: list[dict[str, Any]]) -> None:
    changed = index_records[4]
    changed["text"] += "Nota: velatorios y centros vacacionales reabiertos.\n"
    changed["sections"][-1]["end"] = len(changed["text"])
    changed["meta"]["hash"] = content_hash(changed["text"])
    stats = build_index(index_records, index_db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 1, 4)
    assert stats.documents == 5
    counts, ok = integrity(index_db)
    assert ok == "ok" and counts["sections"] == sum(len(r["sections"]) for r in index_records) + 1
    hits = search(index_db, "reabiertos")
    assert list(hits["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert "[reabiertos]" in hits["snippet"][0]


def test_reannotated_document_with_same_text_is_replaced(
    index_db: Path, index_records: list[dict[str, Any]]
) -> None:
    record = index_records[0]
    record["entities"] = [e for e in record["entities"] if e["label"] != "AMOUNT"]
    stats = build_index([record], index_db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 1, 0)
    assert search(index_db, label="AMOUNT", program="IMSS-BIENESTAR", years=(2011, 2012)).empty


def test_invalid_records_are_reported_not_indexed(
    tmp_path: Path, index_records: list[dict[str, Any]]
) -> None:
    broken = {
        "id": "bad",
        "text": "corto",
        "entities": [{"start": 3, "end": 99, "label": "YEAR"}],
        "sections": [],
    }
    stats = build_index([broken, "not a record", *index_records], tmp_path / "x.db", batch_size=2)
    assert stats.added == 5 and stats.documents == 5
    assert len(stats.errors) == 2 and "bad" in stats.errors[0]


def test_database_path_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_records: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("FICHAS_DB", str(tmp_path / "env.db"))
    build_index(index_records[:1])
    assert (tmp_path / "env.db").is_file()
    assert len(search(text="padron")) == 1


# --- gold records, when present ---------------------------------------------------------


def test_gold_records_index_if_present(tmp_path: Path) -> None:
    gold = sorted((Path(__file__).parents[1] / "annotations").glob("*.jsonl"))
    if not gold:
        pytest.skip("no gold records in annotations/ yet")
    records = [r for path in gold for r in read_jsonl(path)]
    stats = build_index(records, tmp_path / "gold.db")
    valid = [r for r in records if not validate_record(r)]
    assert stats.documents == len({r["id"] for r in valid})
    assert search(tmp_path / "gold.db", label="PROGRAM", limit=1).shape[1] == len(COLUMNS)
