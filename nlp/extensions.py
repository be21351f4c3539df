"""The only place that declares the project's spaCy extension attributes (idempotent)."""

from __future__ import annotations

import weakref
from typing import Any

from spacy.tokens import Doc, Span, Token

from nlp.settings import SECTIONS_KEY
from nlp.textmap import TextMap, normalize


def _span_section(span: Span) -> str | None:
    """Label of the section that contains the span's start (a getter, so never stale)."""
    for section in span.doc.spans.get(SECTIONS_KEY, []):
        if section.start_char <= span.start_char < section.end_char:
            return section.label_
    return None


def register_extensions() -> None:
    """Declare `Span._.value`, `Span._.column`, `Span._.section`, `Token._.excluded` and
    `Doc._.doc_id`."""
    if not Span.has_extension("value"):
        Span.set_extension("value", default=None)
    if not Span.has_extension(
        "column"
    ):  # a table cell's column header (`Presupuesto del Ramo (MDP)`)
        Span.set_extension("column", default=None)
    if not Span.has_extension("section"):
        Span.set_extension("section", getter=_span_section)
    if not Token.has_extension("excluded"):
        Token.set_extension("excluded", default=False)
    if not Doc.has_extension("doc_id"):
        Doc.set_extension("doc_id", default=None)


register_extensions()

# Per-document working state shared by the project's components while a Doc goes
# through the pipeline: `Doc.text` joins every token in Python (as costly as the
# tokenizer itself) and the normalized view is needed by every component, so each is
# computed once. It is kept beside the Doc, in a table that holds the Doc weakly, never
# in `doc.user_data`: whichever components a pipeline has, and in whatever order, a Doc
# leaves it with nothing unserializable (`DocBin(store_user_data=True)` works), and the
# entry goes when the Doc does. A Doc's text never changes (retokenizing keeps it).
_WORKING: weakref.WeakKeyDictionary[Doc, dict[str, Any]] = weakref.WeakKeyDictionary()


def _state(doc: Doc) -> dict[str, Any]:
    state = _WORKING.get(doc)
    if state is None:
        state = _WORKING[doc] = {}
    return state


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per document."""
    state = _state(doc)
    if "text" not in state:
        state["text"] = doc.text
    return state["text"]


def doc_textmap(doc: Doc) -> TextMap:
    """The normalized view of the document (`nlp.textmap.normalize`), computed once."""
    state = _state(doc)
    if "textmap" not in state:
        state["textmap"] = normalize(doc_text(doc))
    return state["textmap"]


def release_working_state(doc: Doc) -> None:
    """Forget the cached text and view of a Doc now (they also go with the Doc itself)."""
    _WORKING.pop(doc, None)


__all__ = ["register_extensions", "doc_text", "doc_textmap", "release_working_state"]
