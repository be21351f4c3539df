"""Run many documents through the pipeline so that no single one can end the batch.

Two things used to: a component raising on one document (spaCy's `pipe` then stops the
whole stream), and a text over spaCy's `max_length` (E088), which is also where memory
blew up (the base model's tok2vec/ner hold the whole document's activations). Here a
document's text goes through in paragraph-aligned pieces of at most `CHUNK_CHARS`
characters, joined back into one Doc (`Doc.from_docs`, offsets unchanged); when the
stream fails, the documents it held are run again one at a time, component by
component, so the one that fails is reported with the component's name and the
others go on.
"""

from __future__ import annotations

import itertools
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

#: The most characters of a long document the pipeline sees at once ($FICHAS_CHUNK_CHARS):
#: memory grows with one piece, not with the document (tests/test_memory.py).
CHUNK_CHARS = 50_000

#: Where a long text is cut, best first: a paragraph, a page, a line, a sentence, a space.
_BREAKS = ("\n\n", "\f", "\n", ". ", " ")

C = TypeVar("C")


@dataclass
class _Unit(Generic[C]):
    """One piece of a document's text, with the document's position and context."""

    index: int
    part: int
    last: bool
    text: str
    context: C


@dataclass
class _Failed:
    stage: str
    reason: str


def chunk_limit() -> int:
    """Characters per piece of a long document: $FICHAS_CHUNK_CHARS, else `CHUNK_CHARS`."""
    return int(os.environ.get("FICHAS_CHUNK_CHARS", CHUNK_CHARS))


def split_text(text: str, limit: int = CHUNK_CHARS) -> Iterator[str]:
    """Pieces of at most `limit` characters whose concatenation is `text`, cut at breaks."""
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = end
        for sep in _BREAKS:
            pos = text.rfind(sep, start + limit // 2, end)
            if pos != -1:
                cut = pos + len(sep)
                break
        yield text[start:cut]
        start = cut
    yield text[start:]


def pipe_safely(
    pipeline: Any,
    items: Iterable[tuple[str, C]],
    on_error: Callable[[C, str, str], None],
    *,
    batch_size: int = 16,
    n_process: int = 1,
    chunk_chars: int | None = None,
) -> Iterator[tuple[Any, C]]:
    """(Doc, context) for each (text, context), in order; a failure goes to
    `on_error(context, stage, reason)` and that document is left out."""
    chunk_chars = min(chunk_chars or chunk_limit(), pipeline.max_length)
    units = (
        _Unit(index, part, last, piece, context)
        for index, (text, context) in enumerate(items)
        for part, (piece, last) in enumerate(_with_last(split_text(text, chunk_chars)))
    )
    pieces: list[Any] = []
    failed_index = -1
    for unit, result in _pipe_units(pipeline, units, batch_size, n_process):
        if isinstance(result, _Failed):
            if unit.index != failed_index:
                on_error(unit.context, result.stage, result.reason)
            failed_index, pieces = unit.index, []
            continue
        if unit.index == failed_index:
            continue
        if unit.part == 0 and unit.last:
            yield result, unit.context
            continue
        pieces.append(_lighten(result))
        if unit.last:
            yield _join(pieces), unit.context
            pieces = []


def _with_last(pieces: Iterator[str]) -> Iterator[tuple[str, bool]]:
    current = next(pieces)
    for following in pieces:
        yield current, False
        current = following
    yield current, True


def _pipe_units(
    pipeline: Any, units: Iterator[_Unit[C]], batch_size: int, n_process: int
) -> Iterator[tuple[_Unit[C], Any]]:
    """Units and their Docs. Whole documents stream through `pipeline.pipe` in batches;
    the pieces of a long document go one at a time (a batch of them would hold the
    whole document's activations again). After a failure, the units the stream held
    are run one by one, so only the bad document fails, and the stream starts again."""
    keys = itertools.count()
    stream = _Pushback(units)
    while stream.more():
        if stream.whole_next():
            yield from _pipe_whole(pipeline, stream, keys, batch_size, n_process)
        for unit in stream.pieces():
            yield unit, run_one(pipeline, unit.text)


def _pipe_whole(
    pipeline: Any, stream: _Pushback[C], keys: Iterator[int], batch_size: int, n_process: int
) -> Iterator[tuple[_Unit[C], Any]]:
    """The next run of whole documents through `pipeline.pipe`; if it fails, the units
    it held are run one by one."""
    pending: dict[int, _Unit[C]] = {}
    try:
        for doc, key in pipeline.pipe(
            _feed(stream, keys, pending),
            as_tuples=True,
            batch_size=batch_size,
            n_process=n_process,
        ):
            yield pending.pop(key), doc
    except Exception:  # noqa: BLE001 - any component's error: retried one by one below
        for unit in list(pending.values()):
            yield unit, run_one(pipeline, unit.text)


class _Pushback(Generic[C]):
    """An iterator of units that can stop before the pieces of a long document."""

    def __init__(self, units: Iterator[_Unit[C]]) -> None:
        self._units = units
        self._next: list[_Unit[C]] = []

    def more(self) -> bool:
        if not self._next:
            self._next.extend(itertools.islice(self._units, 1))
        return bool(self._next)

    def whole_next(self) -> bool:
        return self.more() and self._next[0].part == 0 and self._next[0].last

    def whole(self) -> Iterator[_Unit[C]]:
        """Units of whole (short) documents, up to the first piece of a long one."""
        while self.whole_next():
            yield self._next.pop()

    def pieces(self) -> Iterator[_Unit[C]]:
        """The pieces of long documents that come next."""
        while self.more() and not self.whole_next():
            yield self._next.pop()


def _feed(
    stream: _Pushback[C], keys: Iterator[int], pending: dict[int, _Unit[C]]
) -> Iterator[tuple[str, int]]:
    """(text, key) for the pipeline; `pending` holds the units sent and not yet returned."""
    for unit in stream.whole():
        key = next(keys)
        pending[key] = unit
        yield unit.text, key


def run_one(pipeline: Any, text: str) -> Any:
    """A Doc for `text`, or `_Failed` naming the component that raised and why."""
    stage = "tokenizer"
    try:
        doc = pipeline.make_doc(text)
        for name, component in pipeline.pipeline:
            stage = name
            doc = component(doc)
        return doc
    except Exception as err:  # noqa: BLE001 - reported as this document's failure
        return _Failed(stage, error_reason(err))


def error_reason(err: BaseException) -> str:
    """One line: the exception's type and the first line of its message, shortened."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    reason = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return reason if len(reason) <= 300 else reason[:297] + "..."


def _lighten(doc: Any) -> Any:
    """Drop a piece's tensor (the base model's activations) before it is kept for joining."""
    import numpy

    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def _join(pieces: list[Any]) -> Any:
    """One Doc from consecutive pieces: text, entities, span groups and values kept."""
    from spacy.tokens import Doc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W101/W102: doc-level extensions are not merged
        return Doc.from_docs(pieces, ensure_whitespace=False)
