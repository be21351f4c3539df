"""`annotate -n 2` (`nlp.parallel`): forked workers give the records of one process, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEEDS

from nlp import parallel
from nlp.annotate import annotate_to_jsonl

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked (Linux)")


def test_workers_write_the_same_records_in_the_same_order(
    tmp_path: Path, blank_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in SEEDS:
        shutil.copy(seed, folder / seed.name)
    long_text = "\n\n".join(seed.read_text(encoding="utf-8") for seed in SEEDS[:4])
    (folder / "zz_long.txt").write_text(long_text, encoding="utf-8")
    monkeypatch.setenv("FICHAS_CHUNK_CHARS", "4000")  # the long one goes in pieces
    monkeypatch.setattr(parallel, "TASK_CHARS", 3000)  # many tasks, more than in flight
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    annotate_to_jsonl([str(folder)], one, blank_pipeline, progress=False)
    summary = annotate_to_jsonl([str(folder)], two, blank_pipeline, n_process=2, progress=False)
    assert summary.done == len(SEEDS) + 1 and not summary.failures
    assert two.read_bytes() == one.read_bytes()


def test_tasks_are_chunks_of_whole_documents() -> None:
    from nlp.readers import Document

    docs = [Document(id=str(k), text="x" * size) for k, size in enumerate([5, 5, 20, 1, 1])]
    chunks = list(parallel._chunks(docs, 10))
    assert [[d.id for d in chunk] for chunk in chunks] == [["0", "1"], ["2"], ["3", "4"]]


def test_the_last_tasks_are_smaller_when_the_input_size_is_known() -> None:
    from nlp.readers import Document

    docs = [Document(id=str(k), text="x" * 1000) for k in range(100)]  # 100,000 characters
    sizes = [len(c) for c in parallel._chunks(docs, 20_000, expected=100_000, workers=2)]
    assert sum(sizes) == 100 and sizes[:3] == [20, 20, 15]  # then a quarter of what is left
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] <= 10
    assert [len(c) for c in parallel._chunks(docs, 20_000)] == [20] * 5  # size unknown


def test_the_pipeline_is_set_up_before_the_fork_and_the_heap_unfrozen_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers inherit compiled rules instead of each compiling them (`nlp.pipeline.warm`),
    from a frozen heap; the heap is given back to the collector afterwards."""
    import gc
    from concurrent.futures import Future

    import nlp
    from nlp.readers import Document

    pipeline = nlp.load(base="blank")
    entities = pipeline.get_pipe("fichas_entities")
    assert not entities.sources  # built on first use
    seen: list[tuple[bool, int]] = []

    def submit(self, fn, *args):  # the task, run here: what a forked worker would find
        seen.append((bool(entities.sources), gc.get_freeze_count()))
        future: Future = Future()
        future.set_result([])
        return future

    monkeypatch.setattr(parallel.ProcessPoolExecutor, "submit", submit)
    docs = [Document(id="a", text="Programa de Apoyo 2020.")]
    assert list(parallel.annotate_parallel(pipeline, docs, lambda *a: None)) == []
    assert len(seen) == 1 and seen[0][0] and seen[0][1] > 0
    assert gc.get_freeze_count() == 0


def test_a_component_failing_on_the_warm_text_fails_the_documents_not_the_run(
    tmp_path: Path,
) -> None:
    from spacy.language import Language

    import nlp

    @Language.component("test_parallel_always_fails")
    def always_fails(doc):
        raise RuntimeError("broken component")

    pipeline = nlp.load(base="blank")
    pipeline.add_pipe("test_parallel_always_fails")
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, folder / seed.name)
    out = tmp_path / "two.jsonl"
    summary = annotate_to_jsonl([str(folder)], out, pipeline, n_process=2, progress=False)
    assert summary.done == 0 and summary.failed == 3
    assert {f.stage for f in summary.failures} == {"test_parallel_always_fails"}
