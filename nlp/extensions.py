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
    """Declare `Span._.value`, `Span._.column`, `Span._.section`, `Token._.excluded`, `Doc._.doc_id`."""
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
# tokenizer itself) and the normalized view is needed by both components, so each
# is computed once. `release_working_state` drops them before the Doc leaves the
# pipeline, so nothing unserializable stays in `doc.user_data`.
_TEXT_KEY = "_fichas_text"
_TEXTMAP_KEY = "_fichas_textmap"


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per document while it is in the pipeline."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[_TEXT_KEY] = text
    return text


def doc_textmap(doc: Doc) -> Any:
    """The normalized view of the document (`nlp.textmap.normalize`), computed once."""
    textmap = doc.user_data.get(_TEXTMAP_KEY)
    if textmap is None:
        from nlp.textmap import normalize

        textmap = normalize(doc_text(doc))
        doc.user_data[_TEXTMAP_KEY] = textmap
    return textmap


def release_working_state(doc: Doc) -> None:
    """Forget the cached text and view (called by the last of our components)."""
    doc.user_data.pop(_TEXT_KEY, None)
    doc.user_data.pop(_TEXTMAP_KEY, None)


__all__: list[Any] = ["register_extensions", "doc_text", "doc_textmap", "release_working_state"]
