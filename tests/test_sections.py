"""`fichas_sections`: coverage of the doc, the three modes, layouts, training, save/load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import spacy

import nlp.components.sections  # noqa: F401  (registers the factory)
from nlp.readers import read_document
from nlp.records import read_jsonl
from nlp.section_model import SectionModel
from nlp.settings import HEADINGS_KEY, SECTIONS_KEY
from nlp.train import cross_validate_predictions, prepare, train_sections

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
GOLD = REPO / "annotations"


def gold_records() -> list[dict]:
    return (
        sorted((r for r in read_jsonl(GOLD) if r.get("sections")), key=lambda r: r["id"])
        if GOLD.is_dir()
        else []
    )


def seed_text(prefix: str) -> str:
    return read_document(next(CORPUS.glob(f"{prefix}*"))).text


@pytest.fixture(scope="module")
def records() -> list[dict]:
    recs = gold_records()
    if len(recs) < 3:
        pytest.skip("fewer than 3 gold records in annotations/")
    return recs


@pytest.fixture(scope="module")
def model(records) -> SectionModel:
    return train_sections(records, seed=0)


def make_pipe(mode: str = "combined", model: SectionModel | None = None):
    pipe = spacy.blank("es")
    component = pipe.add_pipe("fichas_sections", config={"mode": mode})
    if model is not None or mode == "rules":
        component.set_model(model)
    return pipe


def sections(doc) -> list[tuple[str, str]]:
    return [(s.label_, s.text) for s in doc.spans[SECTIONS_KEY]]


def assert_covering(doc) -> None:
    spans = list(doc.spans[SECTIONS_KEY])
    assert spans and spans[0].start == 0 and spans[-1].end == len(doc)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end == b.start, "sections must be contiguous"
        assert a.label_ != b.label_, "neighbouring sections with one label are merged"


# ---------------------------------------------------------------- modes and coverage


@pytest.mark.parametrize("mode", ["rules", "classifier", "combined"])
def test_every_mode_covers_every_seed(mode, model):
    pipe = make_pipe(mode, model)
    for path in sorted(CORPUS.glob("00[0-4]*")):
        doc = pipe(read_document(path).text)
        assert_covering(doc)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        make_pipe("heuristic")


def test_pipe_equals_call(model):
    pipe = make_pipe("combined", model)
    texts = [seed_text(p) for p in ("000", "001", "002", "004")]
    batched = [sections(d) for d in pipe.pipe(texts, batch_size=3)]
    single = [sections(pipe(t)) for t in texts]
    assert batched == single


def test_empty_and_blank_docs(model):
    pipe = make_pipe("combined", model)
    assert list(pipe("").spans[SECTIONS_KEY]) == []
    doc = pipe("   \n\n  ")
    assert [s.label_ for s in doc.spans[SECTIONS_KEY]] == ["other"]


# ---------------------------------------------------------------- layouts


def test_headingless_circular(model):
    text = seed_text("002")
    rules_only = make_pipe("rules")(text)
    assert [label for label, _ in sections(rules_only)][0] == "other"
    doc = make_pipe("combined", model)(text)
    labels = dict((label, body) for label, body in sections(doc))
    assert "description" in labels, "the body of a circular is its description"
    closing = next(s for s in doc.spans[SECTIONS_KEY] if "Reciban un cordial saludo" in s.text)
    assert closing.label_ == "other"


def test_sections_in_unusual_order():
    text = (
        "**Recomendaciones**\n\nSe recomienda medir la cobertura.\n\n"
        "**Descripción del Programa:**\n\nEl programa otorga becas.\n\n"
        "**Fortalezas y/o Oportunidades**\n\nCuenta con un padrón confiable.\n\n"
        "**Cobertura**\n\nEntidades atendidas\t32\n"
    )
    doc = make_pipe("rules")(text)
    assert [label for label, _ in sections(doc)] == [
        "recommendations",
        "description",
        "strengths",
        "coverage",
    ]
    assert [s.label_ for s in doc.spans[HEADINGS_KEY]] == [
        "recommendations",
        "description",
        "strengths",
        "coverage",
    ]


def test_two_column_seed_004(model):
    text = seed_text("004")
    for pipe in (make_pipe("rules"), make_pipe("combined", model)):
        doc = pipe(text)
        heads = [(h.text, h.label_) for h in doc.spans[HEADINGS_KEY]]
        assert ("Análisis del Sector", "alignment") in heads
        assert ("Presupuesto Ejercido *", "budget") in heads
        starts = {s.text.split("\n")[0]: s.label_ for s in doc.spans[SECTIONS_KEY]}
        assert starts.get("Análisis del Sector Indicador Sectorial") == "alignment"
        assert starts.get("Presupuesto Ejercido *") == "budget"


def _strip_headings(record: dict) -> dict:
    """The record with every heading line removed (offsets of its sections recomputed)."""
    from nlp.heading_rules import default_rules
    from nlp.headings import HeadingMatcher
    from nlp.textmap import normalize

    text = record["text"]
    tm = normalize(text)
    drop = []
    for match in HeadingMatcher(default_rules()).find(tm.norm):
        if match.whole_lines and match.opens:
            start, end = tm.span(match.start, match.end)
            start = text.rfind("\n", 0, start) + 1
            nl = text.find("\n", end)
            drop.append((start, len(text) if nl < 0 else nl + 1))
    keep = [True] * len(text)
    for start, end in drop:
        keep[start:end] = [False] * (end - start)
    new_index, pieces = [], []
    for i, ch in enumerate(text):
        new_index.append(len(pieces))
        if keep[i]:
            pieces.append(ch)
    new_index.append(len(pieces))
    secs = []
    for s in record["sections"]:
        a, b = new_index[s["start"]], new_index[s["end"]]
        if b > a:
            secs.append({"start": a, "end": b, "label": s["label"]})
    return {"id": record["id"], "text": "".join(pieces), "sections": secs, "entities": []}


def test_document_whose_headings_are_all_missing(records):
    from nlp.records import doc_to_record
    from nlp.section_scores import score_sections

    target = next((r for r in records if r["id"].startswith("000")), None)
    if target is None:
        pytest.skip("seed 000 is not in the gold")
    stripped = _strip_headings(target)
    others = [r for r in records if r["id"] != target["id"]]
    pipe = make_pipe("combined", train_sections(others, seed=0))
    doc = pipe(stripped["text"])
    assert not [h for h in doc.spans[HEADINGS_KEY] if h.label_ != "other"]
    pred = doc_to_record(doc, stripped["id"])
    _frame, _conf, _macro, accuracy = score_sections([(stripped, pred)])
    rules_pred = doc_to_record(make_pipe("rules")(stripped["text"]), stripped["id"])
    _frame, _conf, _macro, rules_accuracy = score_sections([(stripped, rules_pred)])
    assert accuracy >= 0.6 and accuracy > rules_accuracy + 0.3


# ---------------------------------------------------------------- training


def test_training_is_deterministic(records, tmp_path):
    subset = records[: min(len(records), 12)]
    first, second = train_sections(subset, seed=0), train_sections(list(reversed(subset)), seed=0)
    assert first.meta["data_hash"] == second.meta["data_hash"]
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    assert (tmp_path / "a" / "model.joblib").read_bytes() == (
        tmp_path / "b" / "model.joblib"
    ).read_bytes()
    docs, _labels = prepare(subset, first.params["max_chars"])
    for mode in ("classifier", "combined"):
        a, b = first.predict_proba(docs, mode), second.predict_proba(docs, mode)
        assert all((x == y).all() for x, y in zip(a, b, strict=False))
        assert first.predict(docs, mode) == second.predict(docs, mode)


def test_cross_validation_returns_full_records(records):
    subset = records[: min(len(records), 6)]
    pred = cross_validate_predictions(subset, 3, seed=0, base="blank", mode="combined")
    assert [p["id"] for p in pred] == [r["id"] for r in subset]
    for gold, p in zip(subset, pred, strict=False):
        assert p["text"] == gold["text"]
        assert p["sections"][0]["start"] == 0 and p["sections"][-1]["end"] <= len(p["text"])


def test_sklearn_version_mismatch_warns(model, tmp_path):
    model.save(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert {"sklearn_version", "data_hash", "params", "seed"} <= set(meta)
    meta["sklearn_version"] = "0.0.1"
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="scikit-learn 0.0.1"):
        SectionModel.load(tmp_path)


def test_missing_model_falls_back_to_rules(tmp_path):
    pipe = spacy.blank("es")
    pipe.add_pipe("fichas_sections", config={"model_dir": str(tmp_path / "none")})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = pipe("**Resultados**\n\nEl indicador mejoró.")
    assert any("no section model" in str(w.message) for w in caught)
    assert sections(doc)[0][0] == "results"


# ---------------------------------------------------------------- serialization


def test_save_and_load_in_a_fresh_process(model, tmp_path):
    pipe = make_pipe("combined", model)
    text = seed_text("001")
    expected = sections(pipe(text))
    pipe.to_disk(tmp_path / "pipe")
    assert (tmp_path / "pipe" / "fichas_sections" / "headings.jsonl").exists()
    assert (tmp_path / "pipe" / "fichas_sections" / "model" / "meta.json").exists()
    script = (
        "import json, sys, spacy\n"
        "import nlp.components.sections\n"
        "pipe = spacy.load(sys.argv[1])\n"
        "doc = pipe(open(sys.argv[2], encoding='utf-8').read())\n"
        "print(json.dumps([[s.label_, s.text] for s in doc.spans['sections']]))\n"
    )
    source = tmp_path / "doc.txt"
    source.write_text(text, encoding="utf-8")
    env = {**os.environ, "FICHAS_RULES_DIR": str(tmp_path / "no_rules_here")}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "pipe"), str(source)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert [tuple(x) for x in json.loads(out.stdout.strip().splitlines()[-1])] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "INFORME FINAL\n\nEvaluación de Diseño 2019\n\n" + "El programa otorga apoyos. " * 8,
            False,
        ),
        (
            "de Egresos de la Federación para el ejercicio fiscal. " + "El programa opera. " * 8,
            True,
        ),
        ("A pesar de los recortes, el programa duplicó su padrón en seis años. " * 4, True),
    ],
    ids=["title-first", "cut-mid-sentence", "prose-first"],
)
def test_front_matter_only_where_the_text_starts_with_short_lines(text, expected) -> None:
    """A text that starts with a paragraph of prose (a press body, a copied paragraph) has
    no front matter: no start prior and no position features, like an excerpt."""
    from nlp.headings import heading_matcher
    from nlp.section_features import analyze, layout_features, without_front_matter

    doc = analyze(text, heading_matcher())
    assert without_front_matter(doc) is expected
    has_position = any(k.startswith("pos=") for k in layout_features(doc)[0])
    assert has_position is not expected


def test_the_shipped_model_is_trained_on_the_default_training_gold() -> None:
    """`fichas train` without `--gold` retrains the shipped model on the same data, so a
    rule change retrained by hand does not silently drop the prose or real documents."""
    from nlp.settings import PACKAGE_DIR, REALDEV_GOLD, TRAINING_GOLD_DIRS
    from nlp.train import data_hash

    if not REALDEV_GOLD.exists():
        pytest.skip(f"{REALDEV_GOLD} is absent: the shipped model's real training data is not here")
    records = [
        r
        for path in (*TRAINING_GOLD_DIRS, REALDEV_GOLD)
        for r in read_jsonl(path)
        if r.get("sections")
    ]
    meta = json.loads(
        (PACKAGE_DIR / "resources" / "section_model" / "meta.json").read_text(encoding="utf-8")
    )
    assert meta["data_hash"] == data_hash(records)
