"""Gold gate: the pipeline on `annotations/*.jsonl` must not fall below `annotations/thresholds.json`.

One pipeline run over all gold documents (module-scoped fixture); raise the
thresholds as the pipeline improves (docs/evaluation.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nlp.evaluate import EvaluationResult, check_thresholds, evaluate, load_thresholds, predict_with_pipeline
from nlp.records import read_jsonl

ANNOTATIONS = Path(__file__).resolve().parents[1] / "annotations"
THRESHOLDS = ANNOTATIONS / "thresholds.json"


@pytest.fixture(scope="module")
def gold_result() -> EvaluationResult:
    if not any(ANNOTATIONS.glob("*.jsonl")):
        pytest.skip(f"no gold records yet in {ANNOTATIONS} (build them with `fichas gold build`)")
    gold = list(read_jsonl(ANNOTATIONS))
    return evaluate(gold, predict_with_pipeline(gold))


def test_gold_gate(gold_result: EvaluationResult) -> None:
    failures = check_thresholds(gold_result, load_thresholds(THRESHOLDS))
    assert not failures, "gold gate failed:\n" + "\n".join(failures)
