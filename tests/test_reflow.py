"""Virtual line breaks for run-on text (`nlp.reflow`): same length, headings found inline."""

from __future__ import annotations

import pytest

from nlp.heading_rules import default_rules
from nlp.headings import HeadingMatcher
from nlp.reflow import RUNON_MIN, reflow
from nlp.section_model import analyze
from nlp.textmap import normalize

FILLER = (
    "El programa otorga apoyos económicos a las familias que habitan en localidades rurales "
    "de alta marginación y da seguimiento a su operación en cada entidad federativa del país. "
)


@pytest.fixture(scope="module")
def matcher() -> HeadingMatcher:
    return HeadingMatcher(default_rules())


def _lines(text: str, matcher: HeadingMatcher) -> list[str]:
    tm = reflow(normalize(text), matcher.phrases)
    assert len(tm.norm) == len(normalize(text).norm)
    return [line.strip() for line in tm.norm.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("run_on", "heading_line"),
    [
        (FILLER + "Fortalezas: " + FILLER, "Fortalezas:"),
        (FILLER + "2. Debilidades: " + FILLER, "2. Debilidades:"),
        (FILLER + "  Recomendaciones  1. Mejorar el padrón. " + FILLER, "Recomendaciones"),
        (FILLER + "DATOS GENERALES DEL PROGRAMA Nombre del Programa: " + FILLER, None),
        (FILLER + "Principales conclusiones El programa cuenta con personal. " + FILLER, None),
        (
            FILLER + "APOYO A MADRES TRABAJADORAS Cobertura El programa opera en todo el país. ",
            "Cobertura",
        ),
        (
            FILLER + "Evaluación de la Cobertura y Focalización Por su diseño el fondo. ",
            "Evaluación de la Cobertura y Focalización",
        ),
    ],
)
def test_heading_inside_a_run_on_line_gets_a_line(matcher, run_on, heading_line):
    lines = _lines(FILLER + run_on, matcher)
    assert len(lines) > 1
    if heading_line is not None:
        assert heading_line in lines


@pytest.mark.parametrize(
    "text",
    [
        FILLER * 3 + "La Cobertura de los servicios creció en todos los estados. " + FILLER,
        FILLER * 3 + "según los Resultados de la encuesta nacional. " + FILLER,
        FILLER * 3 + "la población objetivo de Recomendaciones pasadas. " + FILLER,
        FILLER * 3 + "EL PROGRAMA Y SU Cobertura de servicios en el país. " + FILLER,
    ],
    ids=["subject-of-sentence", "after-article", "mid-sentence", "after-capitals-runs-on"],
)
def test_a_phrase_in_running_prose_is_not_a_heading(matcher, text):
    tm = reflow(normalize(text), matcher.phrases)
    assert matcher.find(tm.norm) == []
    assert all(line.endswith(".") for line in _lines(text, matcher))  # cut at sentence ends only


def test_short_lines_are_left_alone(matcher):
    text = "Resultados de la evaluación. Fortalezas: el programa cuenta con padrón."
    assert len(text) < RUNON_MIN
    assert _lines(text, matcher) == [text]


def test_numbered_findings_run_together_become_items(matcher):
    findings = " ".join(f"{k}. El programa cumple con la meta {k} del año." for k in range(1, 9))
    lines = _lines(FILLER * 2 + findings, matcher)
    assert sum(line[:2] in {f"{k}." for k in range(2, 9)} for line in lines) == 7


def test_blank_line_inside_a_wrapped_sentence_is_removed(matcher):
    text = (
        "El programa entrega un apoyo bimestral a las personas adultas mayores que\n\n"
        "viven en localidades rurales.\n\nOtra idea empieza aquí."
    )
    tm = reflow(normalize(text), matcher.phrases)
    assert "que \nviven" in tm.norm and "rurales.\n\nOtra" in tm.norm


def test_blocks_of_a_flattened_ficha_start_at_its_headings(matcher):
    text = (
        "Descripción del Programa: " + FILLER + "Resultados ¿Cuáles son los resultados del "
        "programa y cómo los mide? " + FILLER + "Definición de Población Objetivo: " + FILLER
    )
    text = text * 2
    assert "\n" not in text
    doc = analyze(text, matcher)
    heads = [text[b.start : b.end] for b in doc.blocks if b.kind == "heading"]
    assert "Descripción del Programa:" in heads
    assert "Definición de Población Objetivo:" in heads
    for block in doc.blocks:  # offsets index the original text
        assert text[block.start : block.end].split()[:1] == block.text.split()[:1]
