"""Index and search: analysts' questions answered over a small fixture of records.

The fixture (`tests/data/index_records.jsonl`) is built by `build_records()` below
from inline markup, so every offset is computed, never typed: regenerate it with
`python tests/test_index.py` (a test checks that the file is current). In the markup
an entity is `⟦surface|LABEL⟧` or `⟦surface|LABEL|json value⟧`; PROGRAM, YEAR and
PERCENT values are filled like the gold tool does when omitted.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from nlp.exports import TYPED_COLUMNS
from nlp.gazetteer import program_lookup
from nlp.index import build_index
from nlp.index_schema import (
    CorruptIndexError,
    FichasIndexError,
    IndexNotFoundError,
    SearchError,
    connect_read,
    connect_write,
    stemmer_name,
    table_counts,
)
from nlp.records import content_hash, dumps, read_jsonl, validate_record
from nlp.search import COLUMNS as SQL_COLUMNS
from nlp.search import search
from nlp.textmap import fold

#: What `search` returns: the index's columns, then the typed value columns.
COLUMNS = [*SQL_COLUMNS, *TYPED_COLUMNS]

# --- the fixture ------------------------------------------------------------------------

FIXTURE = Path(__file__).parent / "data" / "index_records.jsonl"
_ENTITY_RE = re.compile(r"⟦(?P<surface>[^|⟧]+)\|(?P<label>[A-Z]+)(?:\|(?P<value>[^⟧]+))?⟧", re.S)

MDP = 1_000_000.0


def _amount(millions: float) -> str:
    return json.dumps({"amount": round(millions * MDP, 2), "currency": "MXN"})


PES_E012 = json.dumps({"name": "Prestaciones Sociales", "key": "E012"})

DOCS: list[dict[str, Any]] = [
    {
        "id": "000_ficha_imss_oportunidades_2012",
        "kind": "ficha",
        "parts": [
            ("other", "Ficha de Monitoreo ⟦2012|YEAR⟧\n\n"),
            (
                "description",
                "**Descripción del Programa:**\n\nEl ⟦Programa IMSS-Oportunidades|PROGRAM⟧ es "
                "administrado por el "
                "Instituto Mexicano del Seguro Social y proporciona servicios de salud "
                "gratuitos a la población que "
                "carece de seguridad social.\n\n",
            ),
            (
                "results",
                "**Resultados**\n\nDurante ⟦2012|YEAR⟧, la mortalidad infantil en población "
                "amparada por "
                "⟦IMSS-Oportunidades|PROGRAM⟧ se redujo en un ⟦17%|PERCENT⟧ respecto a su "
                "meta.\n\n",
            ),
            (
                "coverage",
                "**Análisis de la Cobertura**\n\nPara ⟦2012|YEAR⟧ la proporción de la "
                "población atendida con "
                "respecto a la población objetivo fue de ⟦107.36%|PERCENT⟧.\n\n",
            ),
            (
                "budget",
                "**Datos Presupuestarios**\n\nAño\tPresupuesto del Programa (MDP)\t%\n"
                f"⟦2011|YEAR⟧\t⟦8,171.89|AMOUNT|{_amount(8171.89)}⟧\t⟦12.01 %|PERCENT⟧\n"
                f"⟦2012|YEAR⟧\t⟦8,500|AMOUNT|{_amount(8500)}⟧\t⟦2.10 %|PERCENT⟧\n\n",
            ),
            (
                "alignment",
                "**Análisis del Sector**\n\nEstá vinculado con el ⟦Programa Sectorial de "
                "Salud|PROGRAM⟧ "
                "⟦2007-2012|YEAR⟧ en el objetivo 2.\n\n",
            ),
            (
                "recommendations",
                "**Recomendaciones**\n\nDepurar el padrón de beneficiarios y vincular los "
                "padrones del "
                "Programa con los de otras instituciones de salud.\n",
            ),
        ],
    },
    {
        "id": "001_ficha_imss_bienestar_2022",
        "kind": "ficha",
        "parts": [
            ("other", "⟦**IMSS**\n\n**BIENESTAR**|PROGRAM⟧\n\nFicha de Monitoreo ⟦2022|YEAR⟧\n\n"),
            (
                "description",
                "Descripción del programa\n\nEl ⟦Programa IMSS-BIENESTAR|PROGRAM⟧, antes "
                "⟦IMSS-PROSPERA|PROGRAM⟧, proporciona servicios de salud a población sin "
                "seguridad social en "
                "localidades de alto rezago social.\n\n",
            ),
            (
                "coverage",
                "**Análisis de la Cobertura y Presupuesto**\n\nRespecto a ⟦2021|YEAR⟧, se "
                "observa un discreto "
                "incremento del ⟦0.77%|PERCENT⟧ en la población atendida. ",
            ),
            (
                "budget",
                "En el ejercicio fiscal ⟦2022|YEAR⟧ se asignó un presupuesto de ⟦20,184.01 "
                "millones de "
                f"pesos|AMOUNT|{_amount(20184.01)}⟧ del Ramo 19, ⟦48%|PERCENT⟧ más respecto "
                "al otorgado el año previo. De "
                "este monto, un ⟦12.4%|PERCENT⟧ se destinó a la ⟦Estrategia de Transformación "
                "de los Servicios de "
                "Salud|PROGRAM⟧.\n\n",
            ),
            (
                "alignment",
                "Vinculación con el PND\n\nEl programa se alinea con el ⟦Plan Nacional de "
                "Desarrollo|PROGRAM⟧ "
                "⟦2019-2024|YEAR⟧.\n\n",
            ),
            (
                "recommendations",
                (
                    "Recomendaciones\n\nContar con un sistema nominal que mida a las personas "
                    "beneficiadas.\n"
                ),
            ),
        ],
    },
    {
        "id": "002_circular_reglas_operacion_imss_oportunidades_2009",
        "kind": "circular",
        "parts": [
            (
                "other",
                'México, D.F. a ⟦02 de enero de 2009|DATE|"2009-01-02"⟧.\n\nCIRCULAR No. '
                "23/2008.\n\n"
                "**Ref.: REGLAS DE OPERACIÓN DEL PROGRAMA\n⟦IMSS-OPORTUNIDADES|PROGRAM⟧ PARA "
                "⟦2009|YEAR⟧.**\n\n",
            ),
            (
                "description",
                "El Diario Oficial de la Federación, en su edición del pasado ⟦31 de diciembre de "
                '2008|DATE|"2008-12-31"⟧, publicó el Acuerdo por el que la Unidad del ⟦Programa '
                "IMSS-Oportunidades|PROGRAM⟧ emite las Reglas de Operación para el ejercicio "
                "de ⟦2009|YEAR⟧, con un "
                f"presupuesto de ⟦7,821.23 millones de pesos|AMOUNT|{_amount(7821.23)}⟧. Las "
                "familias beneficiarias se "
                "inscriben en el padrón del Programa.\n\n",
            ),
            (None, "Atentamente,\nEl Despacho\n"),  # no section: indexed as an inferred `other`
        ],
    },
    {
        "id": "003_ficha_programa_institucional_imss_2021",
        "kind": "ficha",
        "parts": [
            (
                "other",
                (
                    "⟦Programa Institucional del Instituto Mexicano del Seguro Social|PROGRAM⟧ "
                    "⟦2020-2024|YEAR⟧\n\n"
                ),
            ),
            (
                "results",
                "Indicadores\n\nEl ⟦67%|PERCENT⟧ de los indicadores tienen un enfoque de "
                "gestión y el "
                "⟦50%|PERCENT⟧ se encuentran muy rezagados respecto de su meta sexenal, "
                "⟦2020|YEAR⟧ o ⟦2021|YEAR⟧ según "
                "el último valor reportado.\n\n",
            ),
            (
                "alignment",
                "Seguimiento de los objetivos\n\n1.1 Porcentaje de la población con carencia "
                "por acceso a "
                "los servicios de salud adscrita al ⟦Programa IMSS-BIENESTAR|PROGRAM⟧.\n\n",
            ),
            (
                "recommendations",
                "Recomendaciones\n\nSe recomienda revisar las metas sexenales de los indicadores "
                "rezagados del ⟦PIIMSS|PROGRAM⟧.\n",
            ),
        ],
    },
    {
        "id": "004_ficha_prestaciones_sociales_2020",
        "kind": "ficha",
        "parts": [
            (
                "other",
                f"Ficha de Monitoreo ⟦2020-2021|YEAR⟧\nPp ⟦E012|PROGRAM|{PES_E012}⟧ "
                f"⟦Prestaciones sociales|PROGRAM|{PES_E012}⟧\n\nInstituto Mexicano del Seguro "
                "Social\n\n",
            ),
            (
                "results",
                "¿Cuáles son los resultados del programa y cómo los mide?\nLos resultados al "
                "cierre de "
                "⟦2020|YEAR⟧ registraron una proporción de ⟦70.33%|PERCENT⟧ de usuarios "
                "atendidos; es decir, se "
                "registró una disminución de la cobertura de ⟦-23.96%|PERCENT⟧ respecto al "
                "año anterior. Los centros "
                "suspendieron actividades a partir del ⟦23 de marzo de "
                '2020|DATE|"2020-03-23"⟧.\n\n',
            ),
            (
                "coverage",
                "Cuantificación de Poblaciones\nValor ⟦2020|YEAR⟧\nPoblación Objetivo (PO) "
                "40,497,488\n"
                "Población Atendida (PA) 577,288\nPoblación Atendida/Población Objetivo ⟦1.43 "
                "%|PERCENT⟧\n\n",
            ),
            (
                "budget",
                "Presupuesto\n\nEl presupuesto ejercido en ⟦2020|YEAR⟧ fue de ⟦2,862.45 "
                "millones de "
                f"pesos|AMOUNT|{_amount(2862.45)}⟧, ⟦12.5%|PERCENT⟧ menos que en ⟦2019|YEAR⟧.\n\n",
            ),
            (
                "recommendations",
                "Recomendaciones\n\nIntegrar un padrón único de usuarios de centros vacacionales y "
                "velatorios.\n",
            ),
        ],
    },
]


def _default_value(label: str, surface: str) -> Any:
    if label == "PROGRAM":
        program = program_lookup().get(fold(surface))
        return {"name": program.name if program else surface, "key": None}
    if label == "YEAR":
        years = [int(y) for y in re.findall(r"\d{4}", surface)]
        return {"start": min(years), "end": max(years)}
    if label == "PERCENT":
        return float(re.search(r"-?\d+(?:\.\d+)?", surface).group())
    raise ValueError(f"{label} {surface!r} needs an explicit value")


def build_record(doc: dict[str, Any]) -> dict[str, Any]:
    """One guide record from a markup document; offsets come from the assembled text."""
    text, entities, sections = "", [], []
    for label, part in doc["parts"]:
        start = len(text)
        pos = 0
        for match in _ENTITY_RE.finditer(part):
            text += part[pos : match.start()]
            surface = match["surface"]
            value = (
                json.loads(match["value"])
                if match["value"]
                else _default_value(match["label"], surface)
            )
            entities.append(
                {
                    "start": len(text),
                    "end": len(text) + len(surface),
                    "label": match["label"],
                    "value": value,
                }
            )
            text += surface
            pos = match.end()
        text += part[pos:]
        if label is not None:
            sections.append({"start": start, "end": len(text), "label": label})
    for ent in entities:
        assert "⟦" not in text[ent["start"] : ent["end"]]
    meta = {"source": f"corpus/{doc['id']}.txt", "kind": doc["kind"], "hash": content_hash(text)}
    return {"id": doc["id"], "text": text, "entities": entities, "sections": sections, "meta": meta}


def build_records() -> list[dict[str, Any]]:
    return [build_record(doc) for doc in DOCS]


def render() -> str:
    return "".join(dumps(record) + "\n" for record in build_records())


# --- helpers ----------------------------------------------------------------------------

HAS_STEMMER = stemmer_name() != "none"


@pytest.fixture
def records() -> list[dict[str, Any]]:
    return list(read_jsonl(FIXTURE))


@pytest.fixture
def db(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "fichas.db"
    stats = build_index(records, path)
    assert stats.errors == []
    return path


def names(df: pd.DataFrame) -> set[str]:
    """Canonical program names of PROGRAM rows."""
    return {json.loads(v)["name"] for v in df["value"]}


def values(df: pd.DataFrame) -> list[Any]:
    return [json.loads(v) for v in df["value"]]


def integrity(path: Path) -> tuple[dict[str, int], str]:
    conn = sqlite3.connect(path)
    try:
        conn.execute("INSERT INTO sections_fts(sections_fts, rank) VALUES ('integrity-check', 1)")
        return table_counts(conn), conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# --- fixture and building ---------------------------------------------------------------


def test_fixture_file_is_current_and_valid(records: list[dict[str, Any]]) -> None:
    assert FIXTURE.read_text(encoding="utf-8") == render(), "run: python tests/test_index.py"
    for record in records:
        assert validate_record(record) == []
        for ent in record["entities"]:
            assert "⟦" not in record["text"][ent["start"] : ent["end"]]


def test_build_counts_rows(db: Path, records: list[dict[str, Any]]) -> None:
    counts, ok = integrity(db)
    assert ok == "ok"
    assert counts["documents"] == 5
    assert counts["entities"] == sum(len(r["entities"]) for r in records)
    # the circular's unlabelled signature becomes one inferred `other` section
    assert counts["sections"] == sum(len(r["sections"]) for r in records) + 1
    conn = connect_read(db)
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
    db: Path, records: list[dict[str, Any]]
) -> None:
    before = integrity(db)
    conn = sqlite3.connect(db)
    docs_before = conn.execute("SELECT * FROM documents ORDER BY id").fetchall()
    conn.close()
    stats = build_index(records, db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 0, 5)
    assert integrity(db) == before
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT * FROM documents ORDER BY id").fetchall() == docs_before
    conn.close()
    again = build_index(records, db)
    assert again.as_dict() == stats.as_dict()


def test_changed_document_is_replaced(db: Path, records: list[dict[str, Any]]) -> None:
    changed = records[4]
    changed["text"] += "Nota: velatorios y centros vacacionales reabiertos.\n"
    changed["sections"][-1]["end"] = len(changed["text"])
    changed["meta"]["hash"] = content_hash(changed["text"])
    stats = build_index(records, db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 1, 4)
    assert stats.documents == 5
    counts, ok = integrity(db)
    assert ok == "ok" and counts["sections"] == sum(len(r["sections"]) for r in records) + 1
    hits = search(db, "reabiertos")
    assert list(hits["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert "[reabiertos]" in hits["snippet"][0]


def test_reannotated_document_with_same_text_is_replaced(
    db: Path, records: list[dict[str, Any]]
) -> None:
    record = records[0]
    record["entities"] = [e for e in record["entities"] if e["label"] != "AMOUNT"]
    stats = build_index([record], db)
    assert (stats.added, stats.replaced, stats.skipped) == (0, 1, 0)
    assert search(db, label="AMOUNT", program="IMSS-BIENESTAR", years=(2011, 2012)).empty


def test_invalid_records_are_reported_not_indexed(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    broken = {
        "id": "bad",
        "text": "corto",
        "entities": [{"start": 3, "end": 99, "label": "YEAR"}],
        "sections": [],
    }
    stats = build_index([broken, "not a record", *records], tmp_path / "x.db", batch_size=2)
    assert stats.added == 5 and stats.documents == 5
    assert len(stats.errors) == 2 and "bad" in stats.errors[0]


def test_database_path_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[dict[str, Any]]
) -> None:
    monkeypatch.setenv("FICHAS_DB", str(tmp_path / "env.db"))
    build_index(records[:1])
    assert (tmp_path / "env.db").is_file()
    assert len(search(text="padron")) == 1


# --- analysts' questions ----------------------------------------------------------------


def test_budget_above_15000_million_for_imss_bienestar_under_an_old_name(db: Path) -> None:
    for old_name in ("IMSS-Oportunidades", "imss coplamar", "IMSS-Solidaridad", "S038"):
        hits = search(db, program=old_name, amount_min=15_000e6)
        assert list(hits["doc_id"]) == ["001_ficha_imss_bienestar_2022"], old_name
        assert values(hits) == [{"amount": 20184010000.0, "currency": "MXN"}]
        assert hits["label"][0] == "AMOUNT" and hits["section"][0] == "budget"
        assert "[20,184.01 millones de pesos]" in hits["snippet"][0]
    assert len(search(db, program="IMSS-Oportunidades", amount_min="15000M")) == 1
    assert len(search(db, program="IMSS-Oportunidades", amount_min="15,000 mdp")) == 1
    below = search(db, program="IMSS-Oportunidades", amount_max=15_000e6)
    assert sorted(v["amount"] for v in values(below)) == [7821230000.0, 8171890000.0, 8500000000.0]


def test_attended_over_target_below_half_in_2020(db: Path) -> None:
    hits = search(db, "población atendida", label="PERCENT", percent_max=50, year=2020)
    assert list(hits["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert values(hits) == [1.43] and hits["section"][0] == "coverage"
    # a figure takes the year of its sentence, else of the last year before it in its section
    assert values(search(db, "poblacion atendida", percent_max=50, year=2021)) == [0.77]


def test_recommendations_mentioning_padron_typed_without_accent(db: Path) -> None:
    hits = search(db, "padron", section="recommendations")
    assert set(hits["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert set(hits["section"]) == {"recommendations"} and hits["label"].isna().all()
    assert all("[padrón]" in s for s in hits["snippet"])
    everywhere = search(db, "PADRON")
    assert "002_circular_reglas_operacion_imss_oportunidades_2009" in set(everywhere["doc_id"])


@pytest.mark.skipif(not HAS_STEMMER, reason="snowballstemmer not installed")
def test_spanish_word_forms_match_by_stem(db: Path) -> None:
    plural = search(db, "padrones", section="recommendations")
    assert set(plural["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert "[padrón]" in plural["snippet"][0] and "[padrones]" in plural["snippet"][0]
    assert "003_ficha_programa_institucional_imss_2021" in set(
        search(db, "recomendación revisar")["doc_id"]
    )


def test_index_without_stemmer_restems_and_still_finds_accentless_words(
    db: Path, records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import nlp.index_schema as schema

    monkeypatch.setattr(schema, "_stemmer", lambda: None)
    stats = build_index(
        records, db
    )  # same records: skipped, but stems recomputed for the new setting
    assert stats.skipped == 5
    conn = connect_read(db)
    assert conn.execute("SELECT value FROM meta WHERE key = 'stemmer'").fetchone()[0] == "none"
    conn.close()
    assert set(search(db, "padron", section="recommendations")["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "004_ficha_prestaciones_sociales_2020",
    }
    assert list(search(db, "padrones")["doc_id"]) == [
        "000_ficha_imss_oportunidades_2012"
    ]  # exact form only
    assert integrity(db)[1] == "ok"


def test_every_program_mentioned_in_2022_documents(db: Path) -> None:
    of_2022 = search(
        db, label="PROGRAM", doc_year=2022
    )  # documents from 2022 (file name or meta.year)
    assert set(of_2022["doc_id"]) == {"001_ficha_imss_bienestar_2022"}
    assert names(of_2022) == {
        "IMSS-BIENESTAR",
        "Estrategia de Transformación de los Servicios de Salud",
        "Plan Nacional de Desarrollo",
    }
    hits = search(db, label="PROGRAM", year=2022)
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


def test_alias_and_rename_search(db: Path) -> None:
    surfaces = set(search(db, label="PROGRAM", program="IMSS-Oportunidades")["surface"])
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
        assert set(search(db, label="PROGRAM", program=alias)["surface"]) == surfaces, alias
    for spelling in ("imss–oportunidades", "“IMSS Oportunidades”", "imss   prospera"):
        assert set(search(db, label="PROGRAM", program=spelling)["surface"]) == surfaces, spelling
    assert names(search(db, label="PROGRAM", program="prestaciones SOCIALES")) == {
        "Prestaciones Sociales"
    }
    assert set(search(db, label="PROGRAM", program="E012")["surface"]) == {
        "E012",
        "Prestaciones sociales",
    }
    # section rows: sections of the documents about the program, whatever its name then
    docs = set(search(db, "programa", program="IMSS-PROSPERA")["doc_id"])
    assert docs == {
        "000_ficha_imss_oportunidades_2012",
        "001_ficha_imss_bienestar_2022",
        "002_circular_reglas_operacion_imss_oportunidades_2009",
    }
    with pytest.raises(SearchError, match="did you mean"):  # part of names, not a name
        search(db, program="IMSS")


def test_program_names_table_has_gazetteer_and_seen_surfaces(db: Path) -> None:
    conn = connect_read(db)
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


def test_year_range_overlap(db: Path) -> None:
    hits = search(db, label="YEAR", years=(2019, 2021))
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
        (v["start"], v["end"]) for v in values(search(db, label="YEAR", years="2008-2010"))
    } == {(2007, 2012), (2009, 2009)}
    assert {(v["start"], v["end"]) for v in values(search(db, label="YEAR", year=2010))} == {
        (2007, 2012)
    }
    dates = search(db, label="DATE", year=2008)
    assert values(dates) == ["2008-12-31"]


def test_amount_and_percent_ranges(db: Path) -> None:
    mid = search(db, amount_min=5e9, amount_max=9e9)
    assert sorted(v["amount"] for v in values(mid)) == [7821230000.0, 8171890000.0, 8500000000.0]
    assert values(search(db, percent_min=-30, percent_max=0)) == [-23.96]
    assert values(search(db, label="percent", percent_min=100)) == [107.36]
    table_row = search(db, label="PERCENT", year=2011, kind="ficha", program="IMSS-BIENESTAR")
    assert values(table_row) == [12.01]  # the year of a table row dates its cells
    with pytest.raises(SearchError, match="both"):
        search(db, amount_min=1, percent_max=2)
    with pytest.raises(SearchError, match="AMOUNT"):
        search(db, label="YEAR", amount_min=1)


def test_accent_and_case_insensitive_text(db: Path) -> None:
    forms = ["análisis de la cobertura", "ANALISIS DE LA COBERTURA", "Analisis de la Cobertúra"]
    results = [search(db, text) for text in forms]
    assert all(r[["doc_id", "section"]].equals(results[0][["doc_id", "section"]]) for r in results)
    assert set(results[0]["doc_id"]) == {
        "000_ficha_imss_oportunidades_2012",
        "001_ficha_imss_bienestar_2022",
    }
    assert list(search(db, '"Mexico, D.F."')["doc_id"]) == [
        "002_circular_reglas_operacion_imss_oportunidades_2009"
    ]


def test_result_rows_sections_or_entities(db: Path) -> None:
    sections = search(db, "presupuesto ejercido")
    assert list(sections.columns) == COLUMNS
    assert sections["label"].isna().all() and sections["value"].isna().all()
    assert list(sections["doc_id"]) == ["004_ficha_prestaciones_sociales_2020"]
    assert "[presupuesto] [ejercido]" in sections["snippet"][0]
    entities = search(db, "presupuesto ejercido", label="AMOUNT", marks=("<mark>", "</mark>"))
    assert values(entities) == [{"amount": 2862450000.0, "currency": "MXN"}]
    assert "<mark>2,862.45 millones de pesos</mark>" in entities["snippet"][0]
    assert search(db, "ejercido", label="AMOUNT", section="coverage").empty
    assert len(search(db, limit=3)) == 3
    gap = search(db, "atentamente")
    assert list(gap["section"]) == ["other"]


# --- safety -----------------------------------------------------------------------------

HOSTILE = [
    '"',
    '""',
    "'",
    "NEAR(",
    "NEAR(salud padron, 2)",
    "*",
    "salud*",
    "salud OR padron",
    "NOT salud",
    "salud AND",
    "'; DROP TABLE entities; --",
    'padron" OR "x',
    "{text stems}: salud",
    "text: salud",
    "^salud",
    "-salud",
    "salud + padron",
    "(",
    ")",
    "\x00",
    "%",
    "_",
    "\\",
    "'; DROP TABLE sections_fts; --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_searched_literally_or_rejected(db: Path, text: str) -> None:
    before = integrity(db)
    try:
        result = search(db, text)
    except SearchError as err:
        assert "\n" not in str(err) and "no words" in str(err)
    else:
        assert list(result.columns) == COLUMNS
    assert integrity(db) == before


def test_hostile_operators_are_words(db: Path) -> None:
    assert search(db, "salud OR padron").empty  # "or" is a word, and no section has it
    assert search(db, "NEAR(padron").empty
    assert set(search(db, "salud*")["doc_id"]) == set(search(db, "salud")["doc_id"])
    assert not search(db, "padron -salud").empty  # "-" is no NOT: both words must appear


def test_hostile_filters_and_long_text(db: Path) -> None:
    before = integrity(db)
    with pytest.raises(SearchError, match="limit is 500"):
        search(db, "padron " * 1500)
    with pytest.raises(SearchError, match="unknown program"):
        search(db, program="'; DROP TABLE entities; --")
    with pytest.raises(SearchError, match="unknown label"):
        search(db, label="YEAR' OR 1=1 --")
    with pytest.raises(SearchError, match="unknown section"):
        search(db, section="x'; DELETE FROM documents; --")
    with pytest.raises(SearchError, match="year"):
        search(db, year="2020; DROP TABLE documents")
    with pytest.raises(SearchError, match="years"):
        search(db, years="2019-2021; --")
    with pytest.raises(SearchError, match="limit"):
        search(db, limit=10**9)
    assert search(db, kind="ficha' OR '1'='1").empty
    assert integrity(db) == before


def test_missing_and_corrupt_databases_give_one_line_errors(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    with pytest.raises(IndexNotFoundError, match="no index at"):
        search(tmp_path / "missing.db", "padron")
    assert not (tmp_path / "missing.db").exists()
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CorruptIndexError) as err:
        search(corrupt, "padron")
    assert "\n" not in str(err.value) and "corrupt.db" in str(err.value)
    with pytest.raises(FichasIndexError):
        build_index(records, corrupt)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(CorruptIndexError, match="not a fichas index"):
        search(other)


def test_search_opens_the_database_read_only(db: Path) -> None:
    conn = connect_read(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM entities")
    conn.close()


def test_search_runs_while_an_update_is_in_progress(
    db: Path, records: list[dict[str, Any]]
) -> None:
    writer = connect_write(db)
    assert writer.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM entities WHERE label = 'AMOUNT'")
    writer.execute("DELETE FROM sections WHERE label = 'recommendations'")
    try:
        assert len(search(db, label="AMOUNT")) == 5  # the last committed state
        assert len(search(db, "padron", section="recommendations")) == 2
        result: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: result.update(df=search(db, label="AMOUNT")))
        thread.start()
        thread.join(timeout=30)
        assert len(result["df"]) == 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_search_between_batches_sees_committed_batches(
    tmp_path: Path, records: list[dict[str, Any]]
) -> None:
    path = tmp_path / "batches.db"
    seen: list[int] = []

    def stream() -> Any:
        for i, record in enumerate(records):
            if i == 4:  # two batches of two committed, the build still running
                seen.append(len(set(search(path, label="PROGRAM")["doc_id"])))
            yield record

    stats = build_index(stream(), path, batch_size=2)
    assert seen == [4] and stats.added == 5


def test_database_opens_in_pandas(db: Path) -> None:
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        docs = pd.read_sql(
            "SELECT id, program, year_start, year_end FROM documents ORDER BY id", conn
        )
        budget = pd.read_sql(
            "SELECT d.id, e.amount / 1e6 AS mdp FROM entities e JOIN documents d ON d.id = e.doc_id"
            " WHERE e.label = 'AMOUNT' AND d.program = ? ORDER BY mdp DESC",
            conn,
            params=("IMSS-BIENESTAR",),
        )
        fts = pd.read_sql(
            "SELECT rowid FROM sections_fts WHERE sections_fts MATCH ?", conn, params=('"padron"',)
        )
    finally:
        conn.close()
    assert len(docs) == 5 and docs["program"].notna().all()
    assert budget["mdp"].round(2).tolist()[0] == 20184.01
    assert len(fts) == 3


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
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[dict[str, Any]]
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
        return iter(records[:2])

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


if __name__ == "__main__":
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(render(), encoding="utf-8")
    print(f"wrote {FIXTURE}")
