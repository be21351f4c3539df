"""The whole pipeline (`--base blank`: both components) takes time linear in a document's
length: a real document four times longer takes about four times as long, not sixteen.
Only a ratio is asserted (best of three runs each), with the margin issue 16 asked for,
on the process's CPU time: the wall clock also counts whatever else the machine runs.
"""

from __future__ import annotations

import time

import pytest
from conftest import SEEDS

import nlp


@pytest.fixture(scope="module")
def pipeline():
    return nlp.load(base="blank")


def _best_seconds(pipeline, text: str, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        pipeline(text)
        best = min(best, time.process_time() - start)
    return best


def test_four_times_the_text_takes_about_four_times_as_long(pipeline) -> None:  # type: ignore[no-untyped-def]
    seeds = "\n\n".join(seed.read_text(encoding="utf-8") for seed in SEEDS)
    text = seeds + "\n\n"  # a long report of real sections (~32,000 characters)
    pipeline(text)  # warm-up: caches and memos filled before timing
    small, large = _best_seconds(pipeline, text), _best_seconds(pipeline, text * 4)
    print(f"{len(text)} chars {small:.3f} s, 4x {large:.3f} s: {large / small:.2f}x")
    assert large <= 4.5 * small + 0.05, (len(text), round(small, 3), round(large, 3))


def test_overlap_search_agrees_with_a_pass_over_all_spans() -> None:
    """`nlp.overlaps._Taken` (binary search over the chosen spans) on random candidates."""
    import random

    from nlp.candidates import Candidate
    from nlp.overlaps import _Taken

    rng = random.Random(7)
    for _ in range(200):
        taken, spans = _Taken(), []
        for _ in range(40):
            start = rng.randrange(0, 300)
            cand = Candidate(start, start + rng.randrange(0, 12), "YEAR", "r", 1, 1)
            expected = any(cand.start < e and s < cand.end for s, e in spans)
            assert taken.overlaps(cand) == expected
            if not expected:
                taken.add(cand)
                spans.append((cand.start, cand.end))
