"""`nlp.programs`: one main-program function, used by the entities component and the index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nlp.index import build_index
from nlp.programs import main_program
from nlp.records import doc_to_record

# The plan the program aligns to is named more often than the program itself.
ALIGNED = (
    "El Programa de Apoyo a Jornaleros del Mar se alinea al Plan Nacional de Desarrollo.\n"
    "El Plan Nacional de Desarrollo fija la meta; el Plan Nacional de Desarrollo la mide.\n"
    "Según el Plan Nacional de Desarrollo, el Programa de Apoyo a Jornaleros del Mar atiende "
    "a 300 familias.\nClave presupuestaria: S999\n"
)
PROGRAM = "Programa de Apoyo a Jornaleros del Mar"


def _mentions(*names: str) -> list[tuple[int, str]]:
    return [(100 + 10 * i, name) for i, name in enumerate(names)]


def test_main_program_leaves_out_plans_a_document_aligns_to() -> None:
    body = "Informe\n" + " " * 200
    names = ["Plan Nacional de Desarrollo"] * 4 + [PROGRAM] * 2
    assert main_program(_mentions(*names), body) == PROGRAM
    assert main_program(_mentions("Programa Sectorial de Salud", "PND"), body) is None
    assert main_program(_mentions("B", "A", "A", "B"), body) == "B"  # a tie: the first mentioned


def test_the_program_a_title_names_is_the_main_program_even_an_institutional_one() -> None:
    """A ficha of the IMSS's institutional program is about it, though documents usually
    only align to such programs."""
    name = "Programa Institucional del Instituto Mexicano del Seguro Social"
    text = f"\n \n{name} 2020-2024\n\nEl programa IMSS-BIENESTAR ..."
    mentions = [(3, name), (60, "IMSS-BIENESTAR"), (90, "IMSS-BIENESTAR")]
    assert main_program(mentions, text) == name
    assert main_program(mentions[1:], text) == "IMSS-BIENESTAR"


@pytest.mark.issue(13)
def test_component_and_index_agree_on_the_main_program(blank_pipeline, tmp_path: Path) -> None:
    """A key stated alone is named after the main program; the index's document program is
    the same one, not the plan that is mentioned more often."""
    doc = blank_pipeline(ALIGNED)
    key = [e._.value for e in doc.ents if e.text == "S999"]
    assert key == [{"name": PROGRAM, "key": "S999", "id": None}]  # not in the catalogue
    db = tmp_path / "fichas.db"
    build_index([doc_to_record(doc, "001_ficha_jornaleros_2020")], db)
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT program, program_key FROM documents").fetchone()
    assert row == (PROGRAM, "S999")
