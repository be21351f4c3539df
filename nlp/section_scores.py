"""Character-level section scores, shared by the evaluator and the trainer's cross-validation.

Every non-whitespace character gets one gold and one predicted label (`other` outside every
section); P/R/F1 per label over characters, their macro mean over the labels present in gold,
and a gold x predicted confusion matrix. It sits below `evaluate` and `train`, so neither
imports the other for scores.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlp.records import Record
from nlp.settings import SECTION_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

OTHER = "other"
SECTION_COLUMNS = ["gold_chars", "pred_chars", "tp", "precision", "recall", "f1", "in_gold"]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; 0 when a denominator is 0, NaN when there is nothing to score."""
    if tp + fp + fn == 0:
        return (math.nan, math.nan, math.nan)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return (p, r, f)


def char_labels(record: Record, labels: Sequence[str]) -> Any:
    """Label index of every character (numpy array), `other` where no section covers it."""
    import numpy as np  # heavy: loaded when scores are computed, not on import

    index = {label: i for i, label in enumerate(labels)}
    out = np.full(len(record["text"]), index[OTHER], dtype=np.int32)
    for s in record.get("sections", []):
        out[s["start"] : s["end"]] = index[s["label"]]
    return out


def score_sections(
    pairs: Sequence[tuple[Record, Record]],
) -> tuple[pd.DataFrame, pd.DataFrame, float, float]:
    """Per-label character scores, confusion matrix, macro F1 (labels in gold) and accuracy."""
    import numpy as np  # heavy: loaded when scores are computed, not on import
    import pandas as pd  # heavy: idem

    seen = {s["label"] for g, p in pairs for s in (*g.get("sections", []), *p.get("sections", []))}
    labels = list(SECTION_LABELS) + sorted(seen - set(SECTION_LABELS))
    n = len(labels)
    matrix = np.zeros((n, n), dtype=np.int64)
    for g_rec, p_rec in pairs:
        text = g_rec["text"]
        mask = np.fromiter((not ch.isspace() for ch in text), dtype=bool, count=len(text))
        g = char_labels(g_rec, labels)[mask]
        p = char_labels(p_rec, labels)[mask]
        matrix += np.bincount(g * n + p, minlength=n * n).reshape(n, n)
    confusion = pd.DataFrame(
        matrix, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="pred")
    )
    rows = {}
    for i, label in enumerate(labels):
        tp, gold, pred = int(matrix[i, i]), int(matrix[i].sum()), int(matrix[:, i].sum())
        p, r, f = prf(tp, pred - tp, gold - tp)
        rows[label] = {
            "gold_chars": gold,
            "pred_chars": pred,
            "tp": tp,
            "precision": p,
            "recall": r,
            "f1": f,
            "in_gold": gold > 0,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=SECTION_COLUMNS)
    frame.index.name = "label"
    in_gold = frame[frame["in_gold"]]
    macro = float(in_gold["f1"].mean()) if len(in_gold) else math.nan
    total = int(matrix.sum())
    accuracy = float(np.trace(matrix)) / total if total else math.nan
    return frame, confusion, macro, accuracy
