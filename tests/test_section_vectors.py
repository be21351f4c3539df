"""`nlp.section_vectors`: the section model's character TF-IDF, the same numbers as scikit-learn."""

from __future__ import annotations

import numpy as np
from conftest import SEEDS
from sklearn.feature_extraction.text import TfidfVectorizer

from nlp.components.sections import SHIPPED_MODEL_DIR
from nlp.section_model import SectionModel
from nlp.section_vectors import tfidf_transform

ODD = ["", "a", "ab", "  x  y ", "ÁRBOL  Él\tni\u00a0ño", "palabra-compuesta 2019", "xx xx xx"]


def _same(a, b) -> bool:  # type: ignore[no-untyped-def]
    return (
        type(a) is type(b)
        and a.shape == b.shape
        and all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("data", "indices", "indptr"))
    )


def test_char_ngrams_are_scikit_learns_on_real_blocks_and_odd_strings() -> None:
    blocks = [p for seed in SEEDS for p in seed.read_text(encoding="utf-8").split("\n\n")]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True)
    vectorizer.fit(blocks[::2] + ["ab"])
    texts = blocks + ODD
    assert _same(tfidf_transform(vectorizer, texts), vectorizer.transform(texts))
    assert _same(tfidf_transform(vectorizer, texts), vectorizer.transform(texts))  # memo warm


def test_the_shipped_model_gives_the_same_features() -> None:
    model = SectionModel.load(SHIPPED_MODEL_DIR)  # the pipeline's predicts from its arrays
    texts = [SEEDS[0].read_text(encoding="utf-8")[:3000], *ODD]
    assert _same(tfidf_transform(model.char_vec, texts), model.char_vec.transform(texts))


def test_other_vectorizers_go_through_scikit_learn() -> None:
    vectorizer = TfidfVectorizer(analyzer="word").fit(["uno dos", "dos tres"])
    assert _same(tfidf_transform(vectorizer, ["uno tres"]), vectorizer.transform(["uno tres"]))
