"""`ProgramNames` windows end at the first token no pattern can continue with: the same
matches as windows of `MAX_NAME_TOKENS` tokens (speed, issue 16)."""

from __future__ import annotations

import random

from conftest import real_texts
from spacy.tokens import Doc

from nlp.candidates import DocView
from nlp.candidates.names import ProgramNames, continuation_test
from nlp.textmap import normalize
from nlp.values.numbers import decimal_convention


def _texts() -> list[str]:
    texts = real_texts()
    return texts


def _both(source: ProgramNames, doc: Doc) -> tuple[list, list]:
    tm = normalize(doc.text)
    view = DocView(doc, doc.text, tm, decimal_convention(tm.norm))
    cut = source._windowed_matches(view)
    test, source.continues = source.continues, None
    try:
        whole = source._windowed_matches(view)
    finally:
        source.continues = test
    return cut, whole


def test_cut_windows_find_the_matches_of_whole_windows(blank_pipeline) -> None:
    source = ProgramNames(blank_pipeline.vocab)
    assert source.continues is not None
    found = 0
    for text in _texts():
        cut, whole = _both(source, blank_pipeline.make_doc(text))
        assert cut == whole
        found += len(cut)
    assert found > 100


def test_cut_windows_on_shuffled_names(blank_pipeline) -> None:
    source = ProgramNames(blank_pipeline.vocab)
    words = "Programa PROGRAMA programa de del la Apoyo Becas 70 Años y Más".split()
    words += [",", ".", "(", ")", "\n", "Fondo", "E", "DE", "Salario"]
    rng = random.Random(5)
    for _ in range(400):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 60)))
        cut, whole = _both(source, blank_pipeline.make_doc(text))
        assert cut == whole


def test_an_unknown_token_spec_gives_no_test() -> None:
    assert continuation_test([[{"ORTH": "Programa"}, {"LOWER": "de"}]]) is None
    assert continuation_test([[{"ORTH": "Programa"}, {"TEXT": "de", "OP": "!"}]]) is None
    test = continuation_test([[{"ORTH": "P"}, {"ORTH": {"IN": ["de"]}}, {"TEXT": {"REGEX": "^A"}}]])
    assert test is not None and test("de") and test("Apoyo") and not test("y")
