"""Entity scores, as the guide's "Scoring" says: exact (start, end, label) matches give
P/R/F1 per label and micro; a partial score pairs overlapping spans of the same label one to
one; value accuracy is the share of exact matches (with a gold value) whose normalized value
equals gold. Also the errors list (fp, fn, value mismatches) with their context.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nlp.records import Record
from nlp.section_scores import prf
from nlp.settings import ENTITY_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

MICRO = "micro"
CONTEXT_CHARS = 60
#: Tolerances of value comparison: relative for money, absolute for percentages.
AMOUNT_REL_TOL = 1e-6
PERCENT_ABS_TOL = 1e-6

ENTITY_COLUMNS = [
    "gold",
    "pred",
    "tp",
    "fp",
    "fn",
    "precision",
    "recall",
    "f1",
    "partial_tp",
    "partial_fp",
    "partial_fn",
    "partial_precision",
    "partial_recall",
    "partial_f1",
    "value_pairs",
    "value_correct",
    "value_accuracy",
]
ERROR_COLUMNS = [
    "doc_id",
    "kind",
    "label",
    "start",
    "end",
    "text",
    "left",
    "right",
    "gold_value",
    "pred_value",
    "overlaps",
]


def values_equal(label: str, gold: Any, pred: Any) -> bool:
    """Whether a predicted normalized value equals the gold one, with the guide's tolerances.

    Dicts are compared key by key (a missing key counts as null); AMOUNT numbers
    with relative tolerance 1e-6, PERCENT numbers with absolute tolerance 1e-6,
    everything else exactly.
    """
    if isinstance(gold, dict) or isinstance(pred, dict):
        if not (isinstance(gold, dict) and isinstance(pred, dict)):
            return False
        keys = set(gold) | set(pred) - ({"id"} - set(gold))  # catalogue `id` scored if gold has it
        return all(values_equal(label, gold.get(k), pred.get(k)) for k in keys)
    if _is_number(gold) and _is_number(pred):
        if label == "AMOUNT":
            return math.isclose(gold, pred, rel_tol=AMOUNT_REL_TOL, abs_tol=0.0)
        if label == "PERCENT":
            return math.isclose(gold, pred, rel_tol=0.0, abs_tol=PERCENT_ABS_TOL)
        return gold == pred
    if isinstance(gold, (list, tuple)) and isinstance(pred, (list, tuple)):
        return len(gold) == len(pred) and all(values_equal(label, g, p) for g, p in zip(gold, pred))
    return gold == pred


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def partial_pairs(
    gold: Sequence[dict[str, Any]], pred: Sequence[dict[str, Any]]
) -> list[tuple[int, int]]:
    """Greedy one-to-one pairing of overlapping spans (same label assumed by the caller).

    Exact matches are paired first, then the pairs with the largest overlap, so each
    gold and each pred span is used at most once and partial tp >= exact tp.
    """
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            overlap = min(g["end"], p["end"]) - max(g["start"], p["start"])
            if overlap > 0:
                exact = g["start"] == p["start"] and g["end"] == p["end"]
                candidates.append((not exact, -overlap, g["start"], p["start"], gi, pi))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for *_, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def score_entities(pairs: Sequence[tuple[Record, Record]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-label + micro entity scores, and the errors list (fp, fn, value mismatches)."""
    import pandas as pd  # heavy: loaded when scores are computed, not on import

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: list[dict[str, Any]] = []
    for g_rec, p_rec in pairs:
        text = g_rec["text"]
        g_ents, p_ents = g_rec.get("entities", []), p_rec.get("entities", [])
        labels = {e["label"] for e in g_ents} | {e["label"] for e in p_ents}
        p_by_key = {(e["start"], e["end"], e["label"]): e for e in p_ents}
        g_keys = {(e["start"], e["end"], e["label"]) for e in g_ents}
        for label in labels:
            g_l = [e for e in g_ents if e["label"] == label]
            p_l = [e for e in p_ents if e["label"] == label]
            c = counts[label]
            c["gold"] += len(g_l)
            c["pred"] += len(p_l)
            c["partial_tp"] += len(partial_pairs(g_l, p_l))
        for e in g_ents:
            c = counts[e["label"]]
            match = p_by_key.get((e["start"], e["end"], e["label"]))
            if match is None:
                c["fn"] += 1
                errors.append(_error_row(g_rec["id"], "fn", e, text, e.get("value"), None, p_ents))
                continue
            c["tp"] += 1
            if e.get("value") is not None:
                c["value_pairs"] += 1
                if values_equal(e["label"], e["value"], match.get("value")):
                    c["value_correct"] += 1
                else:
                    errors.append(
                        _error_row(
                            g_rec["id"], "value", e, text, e["value"], match.get("value"), []
                        )
                    )
        for e in p_ents:
            if (e["start"], e["end"], e["label"]) not in g_keys:
                counts[e["label"]]["fp"] += 1
                errors.append(_error_row(g_rec["id"], "fp", e, text, None, e.get("value"), g_ents))
    order = list(ENTITY_LABELS) + sorted(set(counts) - set(ENTITY_LABELS))
    rows = {label: _entity_row(counts.get(label, {})) for label in order}
    total: dict[str, int] = defaultdict(int)
    for label in order:
        for key, value in counts.get(label, {}).items():
            total[key] += value
    rows[MICRO] = _entity_row(total)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=ENTITY_COLUMNS)
    frame.index.name = "label"
    error_frame = pd.DataFrame(errors, columns=ERROR_COLUMNS)
    if len(error_frame):
        error_frame = error_frame.sort_values(
            ["doc_id", "start", "kind"], kind="stable"
        ).reset_index(drop=True)
    return frame, error_frame


def _entity_row(c: dict[str, int]) -> dict[str, Any]:
    gold, pred, tp = c.get("gold", 0), c.get("pred", 0), c.get("tp", 0)
    fp, fn = pred - tp, gold - tp
    ptp = c.get("partial_tp", 0)
    p, r, f = prf(tp, fp, fn)
    pp, pr, pf = prf(ptp, pred - ptp, gold - ptp)
    pairs, correct = c.get("value_pairs", 0), c.get("value_correct", 0)
    return {
        "gold": gold,
        "pred": pred,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": p,
        "recall": r,
        "f1": f,
        "partial_tp": ptp,
        "partial_fp": pred - ptp,
        "partial_fn": gold - ptp,
        "partial_precision": pp,
        "partial_recall": pr,
        "partial_f1": pf,
        "value_pairs": pairs,
        "value_correct": correct,
        "value_accuracy": correct / pairs if pairs else math.nan,
    }


def _error_row(
    doc_id: str,
    kind: str,
    ent: dict[str, Any],
    text: str,
    gold_value: Any,
    pred_value: Any,
    others: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """One error with its context; `overlaps` lists the other side's spans touching it."""
    start, end = ent["start"], ent["end"]
    side = "gold" if kind == "fp" else "pred"
    overlaps = [
        f"{side} {o['label']} {o['start']}-{o['end']} {text[o['start'] : o['end']]!r}"
        for o in others
        if o["start"] < end and start < o["end"]
    ]
    return {
        "doc_id": doc_id,
        "kind": kind,
        "label": ent["label"],
        "start": start,
        "end": end,
        "text": text[start:end],
        "left": text[max(0, start - CONTEXT_CHARS) : start],
        "right": text[end : end + CONTEXT_CHARS],
        "gold_value": gold_value,
        "pred_value": pred_value,
        "overlaps": "; ".join(overlaps),
    }
