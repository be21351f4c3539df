"""Entity spans found from the token arrays (`nlp.matching`) are the spans `doc.char_span`
finds, for every character span of real-looking text."""

from __future__ import annotations

import spacy

from nlp.matching import _TokenEdges, aligned_spans

TEXT = "El  Programa S072 ejerció $1,200.5 millones (6,33%) el 3 de mayo de 2019.\n\n  Fin "


def test_token_edges_say_what_char_span_says_for_every_span() -> None:
    doc = spacy.blank("es")(TEXT)
    edges = _TokenEdges(doc)
    checked = 0
    for start in range(len(TEXT) + 1):
        for end in range(start, len(TEXT) + 1):
            span = doc.char_span(start, end) if start < end else None
            expected = None if span is None else (span.start, span.end)
            assert edges.token(start, end) == expected, (start, end)
            checked += expected is not None
    assert checked > 100


def test_a_span_ending_inside_a_token_splits_it() -> None:
    doc = spacy.blank("es")(TEXT)
    start = TEXT.index("33%")
    spans = aligned_spans(doc, [(start, start + 3, "PERCENT")])
    assert [(s.text, s.label_) for s in spans] == [("33%", "PERCENT")]
