"""Gate on the real development documents (`../shared/realdev/gold.jsonl`, issue 12).

The shipped section model is trained on these documents, so the gate predicts them by
5-fold cross-validation, each fold's model trained on `annotations/` plus the other
folds, exactly as `fichas evaluate ../shared/realdev/gold.jsonl --cv 5` does; entities
are rules and score the same either way. The thresholds
(`annotations/realdev_thresholds.json`) are the measured scores minus a small margin.
The pipeline runs on `blank`: the rules give the same records on every base model.
Skipped where `../shared/realdev/` is absent (it is not part of the repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.evaluate import check_thresholds, evaluate, load_thresholds
from nlp.records import read_jsonl
from nlp.settings import REALDEV_GOLD as REALDEV
from nlp.settings import TRAINING_GOLD_DIRS
from nlp.train import predict_with_cv

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = REPO / "annotations" / "realdev_thresholds.json"


def test_realdev_gate_cross_validated() -> None:
    if not REALDEV.exists():
        pytest.skip(f"{REALDEV} is absent: the real development documents are not here")
    gold = list(read_jsonl(REALDEV))
    extra = [r for path in TRAINING_GOLD_DIRS for r in read_jsonl(path)]
    result = evaluate(gold, predict_with_cv(gold, 5, seed=0, base="blank", extra=extra))
    failures = check_thresholds(result, load_thresholds(THRESHOLDS))
    assert not failures, "realdev gate failed:\n" + "\n".join(failures)
