"""`nlp.section_arrays`: the section model predicted from its exported arrays, without
scikit-learn, gives scikit-learn's scores (to float rounding) and labels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, SEEDS

from nlp.components.sections import SHIPPED_MODEL_DIR
from nlp.headings import heading_matcher
from nlp.readers import read_document
from nlp.records import read_jsonl
from nlp.section_arrays import ARRAYS_FILE, ArraySectionModel, load_section_model
from nlp.section_features import analyze
from nlp.section_model import MODEL_FILE, SectionModel
from nlp.train import train_sections

GOLD = REPO / "annotations"


@pytest.fixture(scope="module")
def docs() -> list:
    matcher = heading_matcher()
    return [analyze(read_document(path).text, matcher) for path in SEEDS]


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    records = sorted((r for r in read_jsonl(GOLD) if r.get("sections")), key=lambda r: r["id"])
    if len(records) < 8:
        pytest.skip("fewer than 8 gold records with sections in annotations/")
    return records[:8]


def _same_predictions(light: SectionModel, full: SectionModel, docs: list) -> None:
    for mode in ("classifier", "combined"):
        for a, b in zip(light.predict_proba(docs, mode), full.predict_proba(docs, mode)):
            assert a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-12)
        assert light.predict(docs, mode) == full.predict(docs, mode)


def test_the_shipped_model_predicts_the_same_from_its_arrays(docs) -> None:
    light = load_section_model(SHIPPED_MODEL_DIR)
    assert isinstance(light, ArraySectionModel)
    _same_predictions(light, SectionModel.load(SHIPPED_MODEL_DIR), docs)


@pytest.mark.parametrize("params", [{}, {"combine": "model", "cue_weight": 0.0}])
def test_a_trained_model_saves_arrays_that_predict_the_same(gold, docs, tmp_path, params) -> None:
    model = train_sections(gold, seed=0, **params)
    model.save(tmp_path / "a")
    model.save(tmp_path / "b")
    first = (tmp_path / "a" / ARRAYS_FILE).read_bytes()
    assert first == (tmp_path / "b" / ARRAYS_FILE).read_bytes()  # reproducible bytes
    light = load_section_model(tmp_path / "a")
    assert isinstance(light, ArraySectionModel)
    _same_predictions(light, model, docs)
    light.save(tmp_path / "copy")  # a pipeline's to_disk: the same files
    for name in (MODEL_FILE, ARRAYS_FILE):
        assert (tmp_path / "copy" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()


def test_a_model_the_arrays_cannot_describe_has_none(gold, tmp_path) -> None:
    train_sections(gold, seed=0).save(tmp_path)
    assert (tmp_path / ARRAYS_FILE).exists()
    train_sections(gold, seed=0, estimator="logreg").save(tmp_path)  # old arrays removed
    assert not (tmp_path / ARRAYS_FILE).exists()
    assert type(load_section_model(tmp_path)) is SectionModel


def test_arrays_of_another_model_are_not_used(gold, tmp_path) -> None:
    train_sections(gold, seed=0).save(tmp_path)
    stale = (tmp_path / ARRAYS_FILE).read_bytes()
    train_sections(gold[:5], seed=0).save(tmp_path)
    (tmp_path / ARRAYS_FILE).write_bytes(stale)
    with pytest.warns(UserWarning, match="was not exported from"):
        model = load_section_model(tmp_path)
    assert type(model) is SectionModel


def test_annotating_does_not_import_scikit_learn(tmp_path: Path) -> None:
    code = (
        "import sys, nlp\n"
        "doc = nlp.load(base='blank')(open(sys.argv[1], encoding='utf-8').read())\n"
        "assert len(doc.spans['sections']) > 1\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'scipy', 'joblib'}))\n"
    )
    path = tmp_path / "ficha.txt"
    path.write_text(read_document(SEEDS[0]).text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_an_estimator_over_other_columns_gets_no_arrays(gold, tmp_path) -> None:
    """A feature family added to `SectionModel._matrices` that the arrays do not rebuild."""
    model = train_sections(gold, seed=0)
    estimator = model.estimators["text"]
    estimator.coef_ = np.hstack([estimator.coef_, np.zeros((estimator.coef_.shape[0], 1))])
    model.save(tmp_path)
    assert not (tmp_path / ARRAYS_FILE).exists()
    assert type(load_section_model(tmp_path)) is SectionModel


@pytest.mark.parametrize("text", ["", "ABC def", "ÁÉÍ ñ 12³ Ⅷ ǅ ﬁ ٣", "İ ı ß ẞ", "x" * 50 + "Ñ9"])
def test_char_counts_are_isalpha_isupper_isdigit(text: str) -> None:
    from nlp.section_features import char_counts

    letters = [c for c in text if c.isalpha()]
    want = (len(letters), sum(c.isupper() for c in letters), sum(c.isdigit() for c in text))
    assert char_counts(text) == want


def test_dict_columns_read_rows_as_one_by_one() -> None:
    from nlp.section_arrays import _dict_columns, _dict_columns_one_by_one

    index = {"a": 0, "b": 1, "k=v": 2}
    for rows in ([{"a": 1.0, "z": 2.0}, {}, {"b": 3, "a": True}], [{"k": "v", "a": 1.0}]):
        got, want = _dict_columns(rows, index), _dict_columns_one_by_one(rows, index)
        assert all(np.array_equal(g, w) for g, w in zip(got, want))
