"""Heading rules: the cases file, every rule's own examples, and the validator's errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from nlp.heading_rules import HeadingRuleError, default_rules, load_rules, parse_rules
from nlp.headings import HeadingMatcher
from nlp.settings import HEADINGS_KEY, SECTION_LABELS
from nlp.textmap import normalize

CASES_FILE = Path(__file__).parent / "cases" / "headings.jsonl"


def load_cases() -> list[dict]:
    with CASES_FILE.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def case_id(case: dict) -> str:
    return case["text"][:40].replace("\n", "⏎")


@pytest.fixture(scope="module")
def matcher() -> HeadingMatcher:
    return HeadingMatcher(default_rules())


def first_heading(matcher: HeadingMatcher, text: str):
    tm = normalize(text)
    found = matcher.find(tm.norm)
    return tm, found[0] if found else None


def test_enough_cases():
    cases = load_cases()
    assert len(cases) >= 40
    assert sum(c["label"] is None for c in cases) >= 8  # negatives
    assert {c["label"] for c in cases} - {None} == set(SECTION_LABELS)


@pytest.mark.parametrize("case", load_cases(), ids=case_id)
def test_heading_case(matcher, case):
    tm, match = first_heading(matcher, case["text"])
    if case["label"] is None:
        assert match is None, f"not a heading ({case['note']}) but matched {match}"
        return
    assert match is not None, case["note"]
    assert case["label"] in match.labels, case["note"]
    if "surface" in case:
        start, end = tm.span(match.start, match.end)
        assert case["text"][start:end].strip("*") == case["surface"].strip("*")


@pytest.mark.parametrize("rule", default_rules(), ids=lambda r: r.id)
def test_rule_examples(matcher, rule):
    assert rule.examples, f"{rule.id} has no examples"
    for example in rule.examples:
        _, match = first_heading(matcher, example)
        if rule.qualifier:  # a qualified phrase keeps the label of the phrase it qualifies
            assert match is not None and rule.id not in match.rule_ids, (rule.id, example)
            continue
        assert match is not None and rule.label in match.labels, (
            f"{rule.id}: {example!r} -> {match}"
        )


def test_two_column_line_gives_each_heading_its_label(matcher):
    text = (
        "Análisis del Sector Indicador Sectorial Presupuesto Ejercido *\nEl Pp E012 se alinea al "
        "PND."
    )
    tm = normalize(text)
    found = matcher.find(tm.norm)
    assert [(tm.norm[m.start : m.end], m.label) for m in found] == [
        ("Análisis del Sector", "alignment"),
        ("Indicador Sectorial", "alignment"),
        ("Presupuesto Ejercido *", "budget"),
    ]


def test_rules_that_disagree_give_several_candidates(matcher):
    _, match = first_heading(matcher, "**Análisis de la Cobertura y Presupuesto**")
    assert set(match.labels) == {"coverage", "budget"}


def test_running_header_does_not_open_a_section(matcher):
    _, match = first_heading(
        matcher, "CONEVAL · Ficha de Monitoreo y Evaluación 2021-2022        Página 2 de 3"
    )
    assert match is not None and match.label == "other" and not match.opens


CONTENTS = """INFORME FINAL

ÍNDICE
1. PRESENTACIÓN
2. DESCRIPCIÓN DEL PROGRAMA
3. RESULTADOS FINALES
4. FORTALEZAS
5. RECOMENDACIONES

1. PRESENTACIÓN

La presente evaluación forma parte del Programa Anual de Evaluación.

2. DESCRIPCIÓN DEL PROGRAMA

El programa opera desde 2003.
"""


def test_headings_listed_in_a_table_of_contents_open_nothing(matcher):
    tm = normalize(CONTENTS)
    found = [(tm.norm[m.start : m.end], m.label, m.opens) for m in matcher.find(tm.norm)]
    index = CONTENTS.index("ÍNDICE")
    listed = [
        f
        for f, m in zip(found, matcher.find(tm.norm), strict=False)
        if index < m.start < CONTENTS.index("\n\n1.")
    ]
    assert listed and all(label == "other" and not opens for _text, label, opens in listed)
    assert (
        "2. DESCRIPCIÓN DEL PROGRAMA",
        "description",
        True,
    ) in found  # the real heading, after the index


def test_consecutive_headings_of_one_label_are_not_a_table_of_contents(matcher):
    text = (
        "1. Fortalezas\n2. Oportunidades\n3. Fortalezas y oportunidades\nEl programa cuenta con "
        "padrón.\n"
    )
    tm = normalize(text)
    assert all(m.opens for m in matcher.find(tm.norm))


# ---------------------------------------------------------------- validation


def _rule(**over):
    base = {
        "id": "x.y",
        "label": "results",
        "pattern": "Resultados",
        "anchor": "line",
        "examples": ["Resultados"],
    }
    base.update(over)
    return json.dumps({k: v for k, v in base.items() if v is not None}, ensure_ascii=False)


@pytest.mark.parametrize(
    "line, message",
    [
        (_rule(label="resultados"), "is not a section label"),
        (_rule(anchor="block"), "anchor"),
        (_rule(colour="red"), "unknown keys"),
        (_rule(pattern=None), "exactly one of pattern or regex"),
        (_rule(pattern=None, regex="resultados("), "regex does not compile"),
        (_rule(scope="page"), "scope"),
        (_rule(reach=-1), "reach must be a whole number"),
        (_rule(reach="2"), "reach must be a whole number"),
        (_rule(id=None), "missing keys"),
        ("{not json", "invalid JSON"),
    ],
)
def test_validation_errors_name_file_and_line(line, message):
    with pytest.raises(HeadingRuleError) as err:
        parse_rules(["// comment", line], "rules/sections/headings.jsonl")
    assert "rules/sections/headings.jsonl:2" in str(err.value)
    assert message in str(err.value)


def test_duplicate_ids_are_refused():
    with pytest.raises(
        HeadingRuleError, match=r"f\.jsonl:2: duplicate id 'x\.y' \(first at f\.jsonl:1\)"
    ):
        parse_rules([_rule(), _rule()], "f.jsonl")


def test_rules_file_is_valid_and_ids_unique():
    rules = default_rules()
    assert len({r.id for r in rules}) == len(rules) >= 100


def test_load_rules_from_folder(tmp_path):
    (tmp_path / "sections").mkdir()
    (tmp_path / "sections" / "headings.jsonl").write_text(_rule() + "\n", encoding="utf-8")
    assert [r.id for r in load_rules(tmp_path)] == ["x.y"]


def test_headings_component_writes_spans(tmp_path):
    import nlp.components.headings  # noqa: F401

    pipe = spacy.blank("es")
    pipe.add_pipe("fichas_headings")
    doc = pipe("Texto previo.\n\n**Datos Presupuestarios \\***\n\nAño\t2012")
    spans = list(doc.spans[HEADINGS_KEY])
    assert [(s.text, s.label_, s.id_) for s in spans] == [
        ("**Datos Presupuestarios \\***", "budget", "budget.datos_presupuestarios")
    ]


def test_a_summary_heading_holds_for_its_reach_only(matcher):
    """`Resumen ejecutivo` (reach 1) is a candidate for the block after it, not for the rest."""
    from nlp.section_features import analyze, heading_context

    body = "El programa entrega apoyos a los hogares del país en todas las regiones. " * 5
    text = "Resumen ejecutivo\n\n" + "\n\n".join([body] * 4) + "\n"
    doc = analyze(text, matcher)
    context = heading_context(doc)
    assert doc.headings[0].reach == 1
    assert context[1][0] == ("description", "other")
    assert [labels for labels, _since in context[2:]] == [()] * (len(context) - 2)
