"""Index and search: analysts' questions answered over the fixture records
(tests/index_fixture.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from index_checks import COLUMNS, HAS_STEMMER, integrity, names, values

from nlp.index import build_index
from nlp.index_schema import SearchError, connect_read
from nlp.search import search

# --- analysts' questions ----------------------------------------------------------------


def test_budget_above_15000_million_for_imss_bienestar_under_an_old_name(index_db: Path) -> None:
    for old_name in ("IMSS-Oportunidades", "imss coplamar", "IMSS-Solidaridad", "S038"):
        hits = search(index_db, program=old_name, amount_min=15_000e6)
        assert list(hits["doc_id"]) == ["001_ficha_imss_bienestar_2022"], old_name
        assert values(hits) == [{"amount": 20184010000.0, "currency": "MXN"}]
        assert hits["label"][0] == "AMOUNT" and hits["section"][0] == "budget"
        assert "[20,184.01 millones de pesos]" in hits["snippet"][0]
    assert len(search(index_db, program="IMSS-Oportunidades", amount_min="15000M")) == 1
    assert len(search(index_db, program="IMSS-Oportunidades", amount_min="15,000 mdp")) == 1
    below = search(index_db, program="IMSS-Oportunidades", amount_max=15_000e6)
    assert sorted(v["amount"] for v in values(below)) == [7821230000.0, 8171890000.0, 8500000000.0]


def test_attended_over_target_below_half_in_2020(index_db: Path) -> None:
    hits = search(index_db, "población atendida", label="PERCENT", percent_max=50, year=2020)
    assert list(hits["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert values(hits) == [1.43] and hits["section"][0] == "coverage"
    # a figure takes the year of its sentence, else of the last year before it in its section
    assert values(search(index_db, "poblacion atendida", percent_max=50, year=2021)) == [0.77]


def test_recommendations_mentioning_padron_typed_without_accent(index_db: Path) -> None:
    hits = search(index_db, "padron", section="recommendations")
    assert set(hits["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert set(hits["section"]) == {"recommendations"} and hits["label"].isna().all()
    assert all("[padrón]" in s for s in hits["snippet"])
    everywhere = search(index_db, "PADRON")
    assert "002_circular_reglas_operacion_imss_oportunidades_2009" in set(everywhere["doc_id"])


@pytest.mark.skipif(not HAS_STEMMER, reason="snowballstemmer not installed")
def test_spanish_word_forms_match_by_stem(index_db: Path) -> None:
    plural = search(index_db, "padrones", section="recommendations")
    assert set(plural["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert "[padrón]" in plural["snippet"][0] and "[padrones]" in plural["snippet"][0]
    assert "003_ficha_programa_institucional_imss_2021" in set(
        search(index_db, "recomendación revisar")["doc_id"]
    )


def test_index_without_stemmer_restems_and_still_finds_accentless_words(
    index_db: Path, index_records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlp.index_schema as schema

    monkeypatch.setattr(schema, "_stemmer", lambda: None)
    stats = build_index(
        index_records, index_db
    )  # same records: skipped, but stems recomputed for the new setting
    assert stats.skipped == 5
    conn = connect_read(index_db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'stemmer'").fetchone()[0] == "none"
    conn.close()
    assert set(search(index_db, "padron", section="recommendations")["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert list(search(index_db, "padrones")["doc_id"]) == [
        "000_ficha_imss_oportunidades_2012"
    ]  # exact form only
    assert integrity(index_db)[1] == "ok"


def test_every_program_mentioned_in_2022_documents(index_db: Path) -> None:
    of_2022 = search(
        index_db, label="PROGRAM", doc_year=2022
    )  # documents from 2022 (file name or meta.year)
    assert set(of_2022["doc_id"]) == {"001_ficha_imss_bienestar_2022"}
    assert names(of_2022) == {
        "IMSS-BIENESTAR",
        "Estrategia de Transformación de los Servicios de Salud",
        "Plan Nacional de Desarrollo",
    }
    hits = search(index_db, label="PROGRAM", year=2022)
    # documents whose period (min-max YEAR/DATE) covers 2022: the 2022 ficha and the 2020-2024
    # program
    assert set(hits["doc_id"]) == {
        "001_ficha_imss_bienestar_2022",
        "003_ficha_programa_institucional_imss_2021",
    }
    assert names(hits) == {
        "IMSS-BIENESTAR",
        "Estrategia de Transformación de los Servicios de Salud",
        "Plan Nacional de Desarrollo",
        "Programa Institucional del Instituto Mexicano del Seguro Social",
    }


def test_alias_and_rename_search(index_db: Path) -> None:
    surfaces = set(search(index_db, label="PROGRAM", program="IMSS-Oportunidades")["surface"])
    assert surfaces == {
        "Programa IMSS-Oportunidades",
        "IMSS-Oportunidades",
        "IMSS-OPORTUNIDADES",
        "**IMSS**\n\n**BIENESTAR**",
        "Programa IMSS-BIENESTAR",
        "IMSS-PROSPERA",
    }
    for alias in (
        "IMSS-BIENESTAR",
        "imss bienestar",
        "Imss-Prospera",
        "IMSS‑COPLAMAR".replace("\u2011", "-"),
    ):
        assert set(search(index_db, label="PROGRAM", program=alias)["surface"]) == surfaces, alias
    for spelling in ("imss–oportunidades", "“IMSS Oportunidades”", "imss   prospera"):
        assert set(search(index_db, label="PROGRAM", program=spelling)["surface"]) == surfaces, (
            spelling
        )
    assert names(search(index_db, label="PROGRAM", program="prestaciones SOCIALES")) == {
        "Prestaciones Sociales"
    }
    assert set(search(index_db, label="PROGRAM", program="E012")["surface"]) == {
        "E012",
        "Prestaciones sociales",
    }
    # section rows: sections of the documents about the program, whatever its name then
    docs = set(search(index_db, "programa", program="IMSS-PROSPERA")["doc_id"])
    assert docs == {
        "000_ficha_imss_oportunidades_2012",
        "001_ficha_imss_bienestar_2022",
        "002_circular_reglas_operacion_imss_oportunidades_2009",
    }
    with pytest.raises(SearchError, match="did you mean"):  # part of names, not a name
        search(index_db, program="IMSS")


def test_program_names_table_has_gazetteer_and_seen_surfaces(index_db: Path) -> None:
    conn = connect_read(index_db)
    rows = set(conn.execute("SELECT name, alias, source FROM program_names"))
    conn.close()
    assert ("IMSS-BIENESTAR", "IMSS-Coplamar", "gazetteer") in rows
    assert ("IMSS-BIENESTAR", "S038", "key") in rows
    assert ("Prestaciones Sociales", "Prestaciones sociales", "surface") in rows
    assert (
        "Prestaciones Sociales",
        "E012",
        "key",
    ) in rows  # a surface already known keeps its source


def test_year_range_overlap(index_db: Path) -> None:
    hits = search(index_db, label="YEAR", years=(2019, 2021))
    ranges = {(v["start"], v["end"]) for v in values(hits)}
    assert ranges == {
        (2019, 2019),
        (2020, 2020),
        (2021, 2021),
        (2019, 2024),
        (2020, 2024),
        (2020, 2021),
    }
    assert all(a <= 2021 and b >= 2019 for a, b in ranges)
    assert {
        (v["start"], v["end"]) for v in values(search(index_db, label="YEAR", years="2008-2010"))
    } == {(2007, 2012), (2009, 2009)}
    assert {(v["start"], v["end"]) for v in values(search(index_db, label="YEAR", year=2010))} == {
        (2007, 2012)
    }
    dates = search(index_db, label="DATE", year=2008)
    assert values(dates) == ["2008-12-31"]


def test_amount_and_percent_ranges(index_db: Path) -> None:
    mid = search(index_db, amount_min=5e9, amount_max=9e9)
    assert sorted(v["amount"] for v in values(mid)) == [7821230000.0, 8171890000.0, 8500000000.0]
    assert values(search(index_db, percent_min=-30, percent_max=0)) == [-23.96]
    assert values(search(index_db, label="percent", percent_min=100)) == [107.36]
    table_row = search(index_db, label="PERCENT", year=2011, kind="ficha", program="IMSS-BIENESTAR")
    assert values(table_row) == [12.01]  # the year of a table row dates its cells
    with pytest.raises(SearchError, match="both"):
        search(index_db, amount_min=1, percent_max=2)
    with pytest.raises(SearchError, match="AMOUNT"):
        search(index_db, label="YEAR", amount_min=1)


def test_accent_and_case_insensitive_text(index_db: Path) -> None:
    forms = ["análisis de la cobertura", "ANALISIS DE LA COBERTURA", "Analisis de la Cobertúra"]
    results = [search(index_db, text) for text in forms]
    assert all(r[["doc_id", "section"]].equals(results[0][["doc_id", "section"]]) for r in results)
    assert set(results[0]["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "001_ficha_imss_bienestar_2022",
    }
    assert list(search(index_db, '"Mexico, D.F."')["doc_id"]) == [
        "002_circular_reglas_operacion_imss_oportunidades_2009"
    ]


def test_result_rows_sections_or_entities(index_db: Path) -> None:
    sections = search(index_db, "presupuesto ejercido")
    assert list(sections.columns) == COLUMNS
    assert sections["label"].isna().all() and sections["value"].isna().all()
    assert list(sections["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert "[presupuesto] [ejercido]" in sections["snippet"][0]
    entities = search(index_db, "presupuesto ejercido", label="AMOUNT", marks=("<mark>", "</mark>"))
    assert values(entities) == [{"amount": 2862450000.0, "currency": "MXN"}]
    assert "<mark>2,862.45 millones de pesos</mark>" in entities["snippet"][0]
    assert search(index_db, "ejercido", label="AMOUNT", section="coverage").empty
    assert len(search(index_db, limit=3)) == 3
    gap = search(index_db, "atentamente")
    assert list(gap["section"]) == ["other"]
