"""spaCy contracts of the project's components, whichever of them a pipeline has: nothing
per-document left in `doc.user_data`, metadata that says what they do, scores through
`nlp.evaluate()`, and a saved pipeline that names the package version."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import spacy
from conftest import SEEDS
from spacy.tokens import DocBin
from spacy.training import Example

import nlp
from nlp.pipeline import load_base

FACTORIES = ("fichas_entities", "fichas_sections", "fichas_headings")
PIPELINES = [combo for n in (1, 2, 3) for combo in itertools.permutations(FACTORIES, n)]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEEDS[0].read_text(encoding="utf-8")


@pytest.mark.issue(13)
@pytest.mark.parametrize("names", PIPELINES, ids=["+".join(p) for p in PIPELINES])
def test_docbin_with_user_data_after_any_pipeline(names: tuple[str, ...], seed_text: str) -> None:
    """Each factory alone and with every other, in every order: the Doc serializes."""
    pipeline = load_base("blank")
    for name in names:
        pipeline.add_pipe(name)
    doc = pipeline(seed_text)
    assert all(isinstance(key, tuple) for key in doc.user_data), list(doc.user_data)
    docbin = DocBin(store_user_data=True, docs=[doc])
    (restored,) = DocBin().from_bytes(docbin.to_bytes()).get_docs(pipeline.vocab)
    assert restored.text == doc.text
    assert [(e.start_char, e._.value) for e in restored.ents] == [
        (e.start_char, e._.value) for e in doc.ents
    ]


def test_the_entities_factory_declares_that_it_retokenizes() -> None:
    pipeline = load_base("blank")
    pipeline.add_pipe("fichas_entities")
    meta = pipeline.get_pipe_meta("fichas_entities")
    assert meta.retokenizes is True
    assert "doc.ents" in meta.assigns


@pytest.mark.issue(13)
def test_nlp_evaluate_scores_entities(seed_text: str) -> None:
    """`nlp.evaluate()` reports entity scores from the component's `score`."""
    pipeline = nlp.load(base="blank", sections=False)
    gold = pipeline(seed_text)
    example = Example(pipeline.make_doc(seed_text), gold)
    scores = pipeline.evaluate([example])
    assert scores["ents_f"] == pytest.approx(1.0)
    assert set(scores["ents_per_type"]) >= {"AMOUNT", "YEAR"}
    empty = Example(pipeline.make_doc(seed_text), pipeline.make_doc(seed_text))
    assert pipeline.evaluate([empty])["ents_p"] == 0.0


@pytest.mark.issue(13)
def test_a_saved_pipeline_names_the_package_version(tmp_path: Path) -> None:
    pipeline = nlp.load(base="blank", sections=False)
    pipeline.to_disk(tmp_path / "fichas")
    meta = json.loads((tmp_path / "fichas" / "meta.json").read_text(encoding="utf-8"))
    assert meta["version"] == nlp.__version__
    assert meta["name"] == "fichas"
    assert spacy.load(tmp_path / "fichas").meta["version"] == nlp.__version__


def test_nlp_evaluate_scores_sections(seed_text: str) -> None:
    pipeline = nlp.load(base="blank")
    gold = pipeline(seed_text)
    scores = pipeline.evaluate([Example(pipeline.make_doc(seed_text), gold)])
    assert scores["spans_sections_f"] == pytest.approx(1.0)
    assert scores["ents_f"] == pytest.approx(1.0)
    assert "budget" in scores["spans_sections_per_type"]


@pytest.mark.issue(13)
def test_spacy_evaluate_reports_entities_and_sections(tmp_path: Path) -> None:
    """`spacy evaluate` on a saved pipeline and gold records as a DocBin."""
    from conftest import REPO
    from spacy.cli.evaluate import evaluate

    from nlp.records import read_jsonl, record_to_doc

    pipeline = nlp.load(base="blank")
    pipeline.to_disk(tmp_path / "fichas")
    gold = next(read_jsonl(REPO / "annotations" / "000_ficha_imss_oportunidades_2012.jsonl"))
    doc = record_to_doc(gold, pipeline)
    DocBin(docs=[doc], attrs=["ENT_IOB", "ENT_TYPE"]).to_disk(tmp_path / "gold.spacy")
    scores = evaluate(str(tmp_path / "fichas"), str(tmp_path / "gold.spacy"), silent=True)
    assert scores["ents_f"] > 0.9
    assert scores["spans_sections_f"] > 0.5  # exact spans; `fichas evaluate` scores characters
