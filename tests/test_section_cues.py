"""Content cues of the section classifier (`rules/sections/cues.jsonl`): schema, examples, use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp.records import read_jsonl
from nlp.section_cues import CueMatcher, CueRuleError, default_cues, load_cues, parse_cues
from nlp.section_model import SectionModel, cue_features
from nlp.settings import SECTION_LABELS
from nlp.train import prepare, train_sections

REPO = Path(__file__).resolve().parent.parent
CUES = default_cues()
MATCHER = CueMatcher(CUES)


def _ids(text: str, scope: str = "block") -> set[str]:
    return {cue.id for cue, _start in MATCHER.matches(text, scope)}


def test_the_shipped_cues_cover_every_label_but_other_twice():
    labels = {c.label for c in CUES if c.scope == "block"}
    assert set(SECTION_LABELS) - {"other"} <= labels
    assert all(c.examples for c in CUES), "every cue needs examples"


@pytest.mark.parametrize(
    "cue,example",
    [(c, e) for c in CUES for e in c.examples],
    ids=lambda v: v.id if hasattr(v, "id") else v[:30],
)
def test_cue_examples_match(cue, example):
    assert cue.id in _ids(example, cue.scope)


@pytest.mark.parametrize(
    "cue,example",
    [(c, e) for c in CUES for e in c.counter_examples],
    ids=lambda v: v.id if hasattr(v, "id") else v[:30],
)
def test_cue_counter_examples_do_not_match(cue, example):
    assert cue.id not in _ids(example, cue.scope)


@pytest.mark.parametrize(
    "text,label",
    [
        (
            "Por ello, respetuosamente sugerimos que el programa permita la portabilidad.",
            "recommendations",
        ),
        ("Se recomienda actualizar el diagnóstico del programa.", "recommendations"),
        (
            "Sin embargo, los apoyos se suspenden cuando la familia cambia de residencia.",
            "weaknesses",
        ),
        (
            "Reconocemos que el estímulo de arribo llega a tiempo a la mayoría de las familias.",
            "strengths",
        ),
        (
            "Pueden participar los hogares que habitan viviendas sin toma domiciliaria.",
            "population",
        ),
        ("El programa se alinea con el eje 3 del Plan Municipal de Desarrollo.", "alignment"),
        ("La inversión total del ejercicio fue de $31,452,780.00.", "budget"),
        (
            "2. Se integrará el padrón de beneficiarios al Sistema Estatal de Padrones.",
            "improvements",
        ),
        ("Quedo a sus órdenes para cualquier aclaración.", "other"),
    ],
)
def test_cue_labels_of_typical_openings(text, label):
    assert f"cue_open={label}" in MATCHER.features(text)


def test_document_cues_find_the_genre_at_the_start_only():
    acuerdo = (
        "DOF: 01/03/2019\nACUERDO por el que se dan a conocer las Reglas de Operación del "
        "Programa X.\n"
    )
    assert "doc:description.acuerdo_dof" in MATCHER.document_features(acuerdo)
    late = (
        "Informe.\n"
        + "Texto del informe. " * 200
        + "\nACUERDO por el que se emiten las Reglas de Operación"
    )
    assert "doc:description.acuerdo_dof" not in MATCHER.document_features(late)
    mention = (
        "Informe\nLos comentarios se recibieron en los plazos fijados por la Circular No. "
        "23/2008.\n"
    )
    assert not MATCHER.document_features(mention)


@pytest.mark.parametrize(
    "line,message",
    [
        ('{"id": "x", "label": "nope", "regex": "a"}', "not a section label"),
        ('{"id": "x", "label": "budget", "regex": "("}', "does not compile"),
        ('{"id": "x", "label": "budget", "regex": "a", "where": "start"}', "unknown keys"),
        ('{"id": "x", "label": "budget", "regex": "a", "scope": "page"}', "scope"),
        ('{"id": "x", "label": "budget", "regex": "a", "text": "upper"}', "text"),
        ('{"id": "x", "label": "budget"}', "regex must be"),
        ("not json", "invalid JSON"),
    ],
)
def test_bad_cues_are_refused_with_file_and_line(line, message):
    with pytest.raises(CueRuleError, match=message) as err:
        parse_cues(["// comment", line], "cues.jsonl")
    assert "cues.jsonl:2" in str(err.value)


def test_duplicate_cue_ids_are_refused():
    line = '{"id": "x", "label": "budget", "regex": "a"}'
    with pytest.raises(CueRuleError, match="duplicate id"):
        parse_cues([line, line], "cues.jsonl")


def test_a_rules_folder_without_cues_gives_none(tmp_path):
    assert load_cues(tmp_path) == []


# ---------------------------------------------------------------- in the model


@pytest.fixture(scope="module")
def records() -> list[dict]:
    recs = sorted(read_jsonl(REPO / "annotations"), key=lambda r: r["id"])[:10]
    if len(recs) < 3:
        pytest.skip("fewer than 3 gold records")
    return recs


def test_the_model_keeps_the_cues_it_was_trained_with(records, tmp_path):
    rules = tmp_path / "rules"
    (rules / "sections").mkdir(parents=True)
    (rules / "sections" / "headings.jsonl").write_text(
        (REPO / "rules" / "sections" / "headings.jsonl").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    (rules / "sections" / "cues.jsonl").write_text(
        json.dumps(
            {"id": "budget.pesos", "label": "budget", "regex": "\\bpesos\\b", "examples": ["pesos"]}
        )
        + "\n",
        encoding="utf-8",
    )
    model = train_sections(records, seed=0, rules_dir=str(rules))
    assert [c["id"] for c in model.cue_rules] == ["budget.pesos"]
    model.save(tmp_path / "model")
    loaded = SectionModel.load(tmp_path / "model")
    assert loaded.cue_rules == model.cue_rules
    docs, _labels = prepare(records[:2], model.params["max_chars"])
    assert all(
        (a == b).all()
        for a, b in zip(model.predict_proba(docs), loaded.predict_proba(docs), strict=False)
    )


def test_cue_weight_zero_trains_without_cues(records):
    model = train_sections(records, seed=0, cue_weight=0)
    assert model.cue_vec is None and model.cue_rules == []
    docs, _labels = prepare(records[:1], model.params["max_chars"])
    assert len(model.predict(docs)[0]) == len(docs[0].blocks)


def test_documents_without_section_headings_get_their_own_cue_features():
    """A letter whose only heading is its closing (`Atentamente`) counts as headingless."""
    letter = (
        "Estimada Lic. Quintero:\n\nSin embargo, los apoyos se suspenden cuando la familia se "
        "muda.\n\n"
        "Por ello, sugerimos que el programa permita la "
        "portabilidad.\n\nAtentamente,\n\nMtra. Elena Sauceda\n"
    )
    ficha = "Recomendaciones\n\nPor ello, sugerimos que el programa permita la portabilidad.\n"
    docs, _labels = prepare(
        [{"id": "a", "text": letter, "sections": []}, {"id": "b", "text": ficha, "sections": []}],
        None,
    )
    letter_doc, ficha_doc = docs
    assert letter_doc.headings and all(h.labels == ("other",) for h in letter_doc.headings)
    letter_rows = cue_features(letter_doc, MATCHER)
    assert any("nohead:cue_open=weaknesses" in row for row in letter_rows)
    assert any("nohead:cue_open=recommendations" in row for row in letter_rows)
    assert not any(k.startswith("nohead:") for row in cue_features(ficha_doc, MATCHER) for k in row)
