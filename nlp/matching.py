"""Character spans to spaCy spans: trim whitespace, split tokens where a span ends inside one.

Rules find character offsets (regex on the normalized view, mapped back); the Doc
needs token-aligned spans. `6,33%` is one token but its PERCENT is `33%`, so
tokens are split at entity boundaries instead of stretching the entity.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc, Span

from nlp.settings import BASE_NER_KEY


@dataclass(frozen=True)
class Entity:
    """A chosen entity in original-text offsets, ready to become a span of `doc.ents`."""

    start: int
    end: int
    label: str
    value: Any
    rule: str
    column: str | None = None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_tokens_at(doc: Doc, *spans: tuple[int, int]) -> None:
    """Split every token that a span boundary falls inside, so the spans become token-aligned."""
    cuts: dict[int, set[int]] = defaultdict(set)
    for start, end in spans:
        for boundary in (start, end):
            token_index = _token_inside(doc, boundary)
            if token_index is not None:
                cuts[token_index].add(boundary - doc[token_index].idx)
    if not cuts:
        return
    with doc.retokenize() as retokenizer:
        for token_index, offsets in cuts.items():
            token = doc[token_index]
            points = sorted(o for o in offsets if 0 < o < len(token.text))
            if not points:
                continue
            pieces = [
                token.text[a:b]
                for a, b in zip([0, *points], [*points, len(token.text)], strict=True)
            ]
            head = token.head if token.head.i != token.i else (token, 0)
            heads = [head] + [(token, 0)] * (len(pieces) - 1)
            retokenizer.split(token, pieces, heads=heads)


def _token_inside(doc: Doc, char: int) -> int | None:
    """Index of the token that strictly contains `char` (not at its edges), else None."""
    last = doc[-1] if len(doc) else None
    if char <= 0 or last is None or char >= last.idx + len(last.text_with_ws):
        return None
    # Find the token covering char via binary search on token offsets.
    lo, hi = 0, len(doc) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        token = doc[mid]
        if token.idx + len(token.text) <= char:
            lo = mid + 1
        elif token.idx >= char:
            hi = mid - 1
        else:
            return mid
    return None


def aligned_spans(doc: Doc, items: Iterable[tuple[int, int, str]]) -> list[Span]:
    """Token-aligned spans for (start, end, label) character spans, splitting tokens if needed."""
    items = list(items)
    edges = _TokenEdges(doc)
    misaligned = [(s, e) for s, e, _ in items if edges.token(s, e) is None]
    if misaligned:
        split_tokens_at(doc, *misaligned)
        edges = _TokenEdges(doc)
    spans = []
    for start, end, label in items:
        tokens = edges.token(start, end)
        if tokens is not None:
            spans.append(Span(doc, tokens[0], tokens[1], label=label))
            continue
        # only whitespace-token quirks remain: widen to tokens
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


class _TokenEdges:
    """Where tokens start and end, read from two arrays: what `doc.char_span` finds one
    Token object at a time, for a few lookups per document (speed, issue 16)."""

    def __init__(self, doc: Doc) -> None:
        self.starts: list[int] = doc.to_array(IDX).tolist()
        self.lengths: list[int] = doc.to_array(LENGTH).tolist()

    def token(self, start: int, end: int) -> tuple[int, int] | None:
        """(first token, end token) of a character span whose edges are token edges."""
        first = bisect_left(self.starts, start)
        if start >= end or first == len(self.starts) or self.starts[first] != start:
            return None
        last = bisect_right(self.starts, end - 1) - 1
        if self.starts[last] + self.lengths[last] != end:
            return None
        return first, last + 1


def set_entities(doc: Doc, entities: Iterable[Entity]) -> None:
    """Write `doc.ents` with `Span._.value` (and `Span._.column`), splitting tokens where an
    entity ends inside one; the base model's entities are kept in `doc.spans["base_ner"]`."""
    by_offsets = {(e.start, e.end): e for e in entities}
    if len(doc.ents):
        doc.spans[BASE_NER_KEY] = list(doc.ents)
    spans = aligned_spans(doc, [(e.start, e.end, e.label) for e in by_offsets.values()])
    chosen: dict[int, Entity] = {}  # id of a span -> its entity
    for span in spans:
        entity = by_offsets.get((span.start_char, span.end_char))
        if entity is not None:
            span.id_ = entity.rule
            chosen[id(span)] = entity
    kept = non_overlapping([span for span in spans if id(span) in chosen])
    doc.set_ents(kept, default="outside")
    for span in kept:  # the spans of `doc.ents`: values are kept by offsets in the Doc
        entity = chosen[id(span)]
        span._.value = entity.value
        if entity.column:
            span._.column = entity.column


def non_overlapping(spans: list[Span]) -> list[Span]:
    """Spans widened to tokens can collide; keep the first of any overlapping pair."""
    out: list[Span] = []
    end = -1
    for span in sorted(spans, key=lambda s: (s.start, -len(s))):
        if span.start >= end:
            out.append(span)
            end = span.end
    return out
