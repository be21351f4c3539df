"""The only place that declares the project's spaCy extension attributes (idempotent)."""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Span, Token

from nlp.settings import SECTIONS_KEY


def _span_section(span: Span) -> str | None:
    """Label of the section that contains the span's start (a getter, so never stale)."""
    for section in span.doc.spans.get(SECTIONS_KEY, []):
        if section.start_char <= span.start_char < section.end_char:
            return section.label_
    return None


def register_extensions() -> None:
    """Declare `Span._.value`, `Span._.section`, `Token._.excluded`, `Doc._.doc_id`."""
    if not Span.has_extension("value"):
        Span.set_extension("value", default=None)
    if not Span.has_extension("section"):
        Span.set_extension("section", getter=_span_section)
    if not Token.has_extension("excluded"):
        Token.set_extension("excluded", default=False)
    if not Doc.has_extension("doc_id"):
        Doc.set_extension("doc_id", default=None)
    if not Doc.has_extension("textmap"):
        Doc.set_extension("textmap", default=None)


register_extensions()

__all__: list[Any] = ["register_extensions"]
