"""Annotation on several processes: workers make whole records, the parent reads and writes.

spaCy's `nlp.pipe(n_process=N)` sends every Doc back to the main process (serialized with
its spans and values), where the records are then made, next to the reading of files and
the writing of records: two processes gave ~1.6x of one. Here the workers are forked
from the process that loaded the pipeline (nothing is reloaded or pickled but text and
records), each task is a chunk of documents of about `TASK_CHARS` characters, a worker
runs `pipe_safely` on its chunk and returns its records and failures, and the parent
writes them in input order. At most two tasks per worker are in flight, so memory stays
bounded whatever the number of documents. Where `fork` is not available (Windows,
macOS' default) the caller falls back to spaCy's `n_process`.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from nlp.batch_pipe import pipe_safely
from nlp.pipeline import warm
from nlp.readers import Document
from nlp.records import Record, doc_to_record

#: Characters of text per task: large enough that a task's fixed cost (a `pipe` call,
#: pickling) is small, small enough that the last tasks keep both workers busy.
TASK_CHARS = 60_000

#: The smallest task near the end of an input of known size (`_task_limit`).
MIN_TASK_CHARS = 10_000

#: A worker's result: ("record", record) or ("failed", file, stage, reason), in input order.
Result = tuple[Any, ...]

_PIPELINE: Any = None  # the pipeline the forked workers inherit


def can_fork() -> bool:
    """Whether workers can inherit the loaded pipeline instead of loading their own."""
    return "fork" in multiprocessing.get_all_start_methods()


def annotate_parallel(
    pipeline: Any,
    documents: Iterable[Document],
    on_failure: Callable[[str, str, str], None],
    *,
    batch_size: int = 16,
    n_process: int = 2,
    expected_chars: int | None = None,
) -> Iterator[Record]:
    """Records of `documents` in input order, made by `n_process` forked workers; a
    document a component fails on goes to `on_failure(file, stage, reason)`.
    `expected_chars`, the input's estimated size, makes the last tasks smaller."""
    global _PIPELINE
    _PIPELINE = warm(pipeline)  # compiled once here, not once per worker
    pool = ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork"))
    pending: deque[Future[list[Result]]] = deque()
    try:
        # Objects alive now go to a generation the collector never walks (workers fork
        # at the first task): their collections then neither scan nor write to (and so
        # copy) the pages they inherited.
        gc.freeze()
        for chunk in _chunks(documents, TASK_CHARS, expected_chars, n_process):
            pending.append(pool.submit(_annotate_chunk, chunk, batch_size))
            while len(pending) >= 2 * n_process:
                yield from _unpack(pending.popleft().result(), on_failure)
        while pending:
            yield from _unpack(pending.popleft().result(), on_failure)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _PIPELINE = None
        gc.unfreeze()


def _chunks(
    documents: Iterable[Document],
    limit: int,
    expected: int | None = None,
    workers: int = 1,
) -> Iterator[list[Document]]:
    """Consecutive documents, grouped until a group has `limit` characters, or fewer near
    the end of an input of `expected` characters (`_task_limit`)."""
    chunk: list[Document] = []
    size = done = 0
    for document in documents:
        chunk.append(document)
        size += len(document.text)
        if size >= _task_limit(limit, expected, done, workers):
            done += size
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _task_limit(limit: int, expected: int | None, done: int, workers: int) -> int:
    """A task's size: `limit`, or half of each worker's share of what is left once that is
    smaller (at least `MIN_TASK_CHARS`), so the workers' last tasks end close together
    instead of one finishing a whole task alone. Only the last ones: smaller tasks cost
    more (sections are classified a batch at a time): ~2% more CPU at half the size."""
    if expected is None:
        return limit
    return max(MIN_TASK_CHARS, min(limit, (expected - done) // (2 * workers)))


def _unpack(results: list[Result], on_failure: Callable[[str, str, str], None]) -> Iterator[Record]:
    for result in results:
        if result[0] == "record":
            yield result[1]
        else:
            on_failure(*result[1:])


def _annotate_chunk(chunk: list[Document], batch_size: int) -> list[Result]:
    """In a worker: the records and failures of one chunk, in input order."""
    results: list[Result] = []

    def failed(document: Document, stage: str, reason: str) -> None:
        results.append(("failed", document.meta.get("source", document.id), stage, reason))

    stream = ((document.text, document) for document in chunk)
    for doc, document in pipe_safely(_PIPELINE, stream, failed, batch_size=batch_size):
        results.append(("record", doc_to_record(doc, document.id, document.meta)))
    return results
