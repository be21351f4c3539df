"""The tokenizer patterns of `nlp.pipeline`, written to test their cheap part first, split
text exactly as the patterns they replace (speed, issue 16)."""

from __future__ import annotations

import random
import re

import spacy
from conftest import real_texts

from nlp.pipeline import GLUED_WORD_INFIX, OFFICIAL_SUFFIX, load_base

_BEFORE_SUFFIX = r"(?<=[^\W\d_])\.-"
_BEFORE_INFIX = r"(?<=[0-9])(?=[A-ZÁÉÍÓÚÑ][a-záéíóúñ])"


def _with(suffix: str, infix: str) -> spacy.language.Language:
    pipeline = spacy.blank("es")
    current = pipeline.tokenizer.suffix_search.__self__.pattern
    pipeline.tokenizer.suffix_search = re.compile(f"{current}|{suffix}$").search
    current = pipeline.tokenizer.infix_finditer.__self__.pattern
    pipeline.tokenizer.infix_finditer = re.compile(f"{current}|{infix}").finditer
    return pipeline


def _texts() -> list[str]:
    texts = real_texts()
    rng = random.Random(17)
    pieces = ["ÚNICO", ".-", "Rúbrica", "2019", "-2020", "Programa", "COVID19", "H1N1", "a", "."]
    pieces += ["1.-", "Ñandú", "x_", "_.-", "2020Presupuesto", " ", "\n", "ÁREA", "Área", "-"]
    texts += ["".join(rng.choice(pieces) for _ in range(40)) for _ in range(2000)]
    return texts


def test_the_patterns_split_as_the_ones_they_replace() -> None:
    ours = load_base("blank")
    assert OFFICIAL_SUFFIX in ours.tokenizer.suffix_search.__self__.pattern
    assert GLUED_WORD_INFIX in ours.tokenizer.infix_finditer.__self__.pattern
    before = _with(_BEFORE_SUFFIX, _BEFORE_INFIX)
    split = 0
    for text in _texts():
        words = [t.text for t in ours.make_doc(text)]
        assert words == [t.text for t in before.make_doc(text)]
        split += words.count(".-")
    assert split > 100
