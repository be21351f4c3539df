"""Gate on the real development documents (`../shared/realdev/gold.jsonl`, issue 12).

Entities are rules (nothing is trained on these documents), so their scores here are
honest; the thresholds (`annotations/realdev_thresholds.json`) are the measured scores
minus a small margin (`fichas evaluate ../shared/realdev/gold.jsonl --json`). The
pipeline runs on `blank`: the entity rules give the same records on every base model.
Skipped where `../shared/realdev/` is absent (it is not part of the repository).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.evaluate import check_thresholds, evaluate, load_thresholds, predict_with_pipeline
from nlp.records import read_jsonl

REPO = Path(__file__).resolve().parents[1]
REALDEV = REPO.parent / "shared" / "realdev" / "gold.jsonl"
THRESHOLDS = REPO / "annotations" / "realdev_thresholds.json"


def test_realdev_entity_gate() -> None:
    if not REALDEV.exists():
        pytest.skip(f"{REALDEV} is absent: the real development documents are not here")
    gold = list(read_jsonl(REALDEV))
    result = evaluate(gold, predict_with_pipeline(gold, base="blank"))
    failures = check_thresholds(result, load_thresholds(THRESHOLDS))
    assert not failures, "realdev gate failed:\n" + "\n".join(failures)
