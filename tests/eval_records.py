"""Small gold/pred records for the evaluator's tests, with offsets found in the text."""

from __future__ import annotations

from typing import Any


def ent(
    text: str, surface: str, label: str, value: Any = None, occurrence: int = 1
) -> dict[str, Any]:
    """An entity at the n-th occurrence of `surface` (offsets found, not typed)."""
    start = -1
    for _ in range(occurrence):
        start = text.index(surface, start + 1)
    span = {"start": start, "end": start + len(surface), "label": label}
    if value is not None:
        span["value"] = value
    return span


def rec(
    doc_id: str, text: str, entities: list | None = None, sections: list | None = None
) -> dict[str, Any]:
    return {"id": doc_id, "text": text, "entities": entities or [], "sections": sections or []}


def sec(start: int, end: int, label: str) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}
