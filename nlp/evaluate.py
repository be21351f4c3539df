"""Scoring of predicted records against gold, exactly as the guide's "Scoring" says.

Entities: exact (start, end, label) matches give P/R/F1 per label and micro; a
partial score pairs overlapping spans of the same label one to one; value accuracy
is the share of exact matches (with a gold value) whose normalized value equals
gold. Sections: every non-whitespace character gets one gold and one predicted
label (`other` outside every section); P/R/F1 per label over characters, their
macro mean over the labels present in gold, and a gold x predicted confusion matrix.

Everything returns pandas DataFrames so that notebooks, the CLI and the gold gate
read the same numbers. Pipelines and cross-validation are imported lazily.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.records import Record, dumps, write_atomic
from nlp.settings import ENTITY_LABELS, SECTION_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

OTHER = "other"
MICRO = "micro"
CONTEXT_CHARS = 60
#: Tolerances of value comparison: relative for money, absolute for percentages.
AMOUNT_REL_TOL = 1e-6
PERCENT_ABS_TOL = 1e-6
SECTION_MODES: tuple[str, ...] = ("rules", "classifier", "combined")

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
SECTION_COLUMNS = ["gold_chars", "pred_chars", "tp", "precision", "recall", "f1", "in_gold"]
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


class EvaluationError(ValueError):
    """Gold and predictions cannot be compared (duplicate ids, different texts, bad callee)."""


@dataclass
class EvaluationResult:
    """All scores of one evaluation run, as DataFrames plus the headline numbers."""

    entities: pd.DataFrame
    sections: pd.DataFrame
    confusion: pd.DataFrame
    errors: pd.DataFrame
    sections_macro_f1: float
    sections_accuracy: float
    n_documents: int
    missing: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def value_accuracy(self) -> float:
        """Micro value accuracy over all labels (NaN when no exact match has a gold value)."""
        return float(self.entities.loc[MICRO, "value_accuracy"])

    @property
    def entities_micro_f1(self) -> float:
        return float(self.entities.loc[MICRO, "f1"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (NaN becomes null); the errors list is left out (write it apart)."""
        return {
            "documents": self.n_documents,
            "missing": list(self.missing),
            "ignored": list(self.ignored),
            "entities": _frame_to_dict(self.entities),
            "value_accuracy": _json_number(self.value_accuracy),
            "sections": _frame_to_dict(self.sections),
            "sections_macro_f1": _json_number(self.sections_macro_f1),
            "sections_accuracy": _json_number(self.sections_accuracy),
            "confusion": {
                g: {p: int(n) for p, n in row.items()} for g, row in self.confusion.iterrows()
            },
        }


# ---------------------------------------------------------------- pairing gold and pred


def align_documents(
    gold: Sequence[Record], pred: Iterable[Record]
) -> tuple[list[tuple[Record, Record]], list[str], list[str]]:
    """Pairs (gold, pred) by id; a missing pred becomes an empty record, extra preds are dropped.

    Returns the pairs (in gold order), the ids missing from pred and the ids ignored.
    """
    gold_ids: set[str] = set()
    for record in gold:
        if record["id"] in gold_ids:
            raise EvaluationError(f"gold has the document {record['id']!r} twice")
        gold_ids.add(record["id"])
    by_id: dict[str, Record] = {}
    ignored: list[str] = []
    for record in pred:
        rid = record["id"]
        if rid in by_id:
            raise EvaluationError(f"predictions have the document {rid!r} twice")
        if rid not in gold_ids:
            ignored.append(rid)
            continue
        by_id[rid] = record
    if ignored:
        warnings.warn(
            f"{len(ignored)} predicted document(s) not in gold are ignored: {', '.join(ignored[:10])}",
            stacklevel=2,
        )
    pairs: list[tuple[Record, Record]] = []
    missing: list[str] = []
    for g in gold:
        p = by_id.get(g["id"])
        if p is None:
            missing.append(g["id"])
            p = {"id": g["id"], "text": g["text"], "entities": [], "sections": []}
        elif "text" in p and p["text"] != g["text"]:
            raise EvaluationError(
                f"document {g['id']!r}: predicted text differs from gold text "
                f"({len(p['text'])} vs {len(g['text'])} characters, first difference at {_first_difference(g['text'], p['text'])})"
            )
        pairs.append((g, p))
    return pairs, missing, ignored


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


# ---------------------------------------------------------------- metrics helpers


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; 0 when a denominator is 0, NaN when there is nothing to score."""
    if tp + fp + fn == 0:
        return (math.nan, math.nan, math.nan)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return (p, r, f)


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


# ---------------------------------------------------------------- entities


def score_entities(pairs: Sequence[tuple[Record, Record]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-label + micro entity scores, and the errors list (fp, fn, value mismatches)."""
    import pandas as pd

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


# ---------------------------------------------------------------- sections


def char_labels(record: Record, labels: Sequence[str]) -> Any:
    """Label index of every character (numpy array), `other` where no section covers it."""
    import numpy as np

    index = {label: i for i, label in enumerate(labels)}
    out = np.full(len(record["text"]), index[OTHER], dtype=np.int32)
    for s in record.get("sections", []):
        out[s["start"] : s["end"]] = index[s["label"]]
    return out


def score_sections(
    pairs: Sequence[tuple[Record, Record]],
) -> tuple[pd.DataFrame, pd.DataFrame, float, float]:
    """Per-label character scores, confusion matrix, macro F1 (labels in gold) and accuracy."""
    import numpy as np
    import pandas as pd

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


# ---------------------------------------------------------------- entry point


def evaluate(gold: Sequence[Record], pred: Iterable[Record]) -> EvaluationResult:
    """Score `pred` against `gold` (lists of guide records), as the guide's "Scoring" says."""
    gold = list(gold)
    pairs, missing, ignored = align_documents(gold, pred)
    entities, errors = score_entities(pairs)
    sections, confusion, macro, accuracy = score_sections(pairs)
    return EvaluationResult(
        entities=entities,
        sections=sections,
        confusion=confusion,
        errors=errors,
        sections_macro_f1=macro,
        sections_accuracy=accuracy,
        n_documents=len(pairs),
        missing=missing,
        ignored=ignored,
    )


# ---------------------------------------------------------------- predictions


def predict_with_pipeline(
    gold: Sequence[Record], *, base: str | None = None, mode: str | None = None, batch_size: int = 8
) -> list[Record]:
    """Run the fichas pipeline over the gold texts; entities and sections from the same run."""
    from nlp import load
    from nlp.records import doc_to_record

    check_mode(mode)
    kwargs = {"section_mode": mode} if mode else {}
    try:
        pipeline = load(base=base, **kwargs)
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("nlp."):
            raise
        raise EvaluationError(
            f"the pipeline is not available yet ({err}); evaluate a file with --pred"
        ) from err
    except TypeError as err:
        if "section_mode" in str(err):
            raise EvaluationError(
                f"the pipeline does not accept section_mode={mode!r} yet ({err})"
            ) from err
        raise
    from nlp.progress import progress  # a bar on a terminal only

    stream = progress(((r["text"], (r["id"], r.get("meta"))) for r in gold), "evaluate", len(gold))
    return [
        doc_to_record(doc, doc_id, meta)
        for doc, (doc_id, meta) in pipeline.pipe(stream, as_tuples=True, batch_size=batch_size)
    ]


def predict_with_cv(
    gold: Sequence[Record],
    k: int,
    *,
    seed: int = 0,
    base: str | None = None,
    mode: str | None = None,
) -> list[Record]:
    """Predictions where each document's sections come from a model that never saw it."""
    check_mode(mode)
    try:
        from nlp.train import cross_validate_predictions
    except ImportError as err:
        raise EvaluationError(
            f"--cv needs nlp.train.cross_validate_predictions, which is not available ({err})"
        ) from err
    kwargs = {"mode": mode} if mode else {}
    try:
        return cross_validate_predictions(list(gold), k, seed=seed, base=base, **kwargs)
    except TypeError as err:
        if "mode" in str(err):
            raise EvaluationError(
                f"cross_validate_predictions does not accept mode={mode!r} yet ({err})"
            ) from err
        raise


def trained_on(gold: Sequence[Record]) -> int:
    """How many gold documents the shipped section model was trained on (from its meta.json)."""
    from nlp.settings import PACKAGE_DIR

    meta_path = PACKAGE_DIR / "resources" / "section_model" / "meta.json"
    if not meta_path.exists():
        return 0
    trained = set(json.loads(meta_path.read_text(encoding="utf-8")).get("documents", []))
    return sum(1 for record in gold if record.get("id") in trained)


def check_mode(mode: str | None) -> None:
    """Refuse a section mode the pipeline does not know, before any model is loaded."""
    if mode is not None and mode not in SECTION_MODES:
        raise EvaluationError(
            f"unknown section mode {mode!r}: use one of {', '.join(SECTION_MODES)}"
        )


# ---------------------------------------------------------------- thresholds (gold gate)


def load_thresholds(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The thresholds file (`annotations/thresholds.json`)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def check_thresholds(result: EvaluationResult, thresholds: dict[str, Any]) -> list[str]:
    """Readable failures of `result` against `thresholds` (empty list = gate passes).

    Null thresholds are not checked yet; keys starting with `_` are comments; an
    unknown key or label is a failure, so a typo cannot switch a gate off silently.
    """
    failures: list[str] = []

    def check(name: str, measured: float, minimum: Any) -> None:
        if minimum is None:
            return
        if measured is None or math.isnan(measured):
            failures.append(
                f"{name}: not measurable (no gold and no predictions), threshold {minimum:.3f}"
            )
        elif measured < minimum - 1e-9:
            failures.append(f"{name} is {measured:.3f}, below the threshold {minimum:.3f}")

    for key, minimum in thresholds.items():
        if key.startswith("_"):
            continue
        if key == "entities_exact_f1":
            for label, value in minimum.items():
                if label not in result.entities.index:
                    failures.append(f"entities_exact_f1: unknown label {label!r}")
                else:
                    check(
                        f"entities exact F1 of {label}",
                        float(result.entities.loc[label, "f1"]),
                        value,
                    )
        elif key == "sections_f1":
            for label, value in minimum.items():
                if label not in result.sections.index:
                    failures.append(f"sections_f1: unknown label {label!r}")
                else:
                    check(f"sections F1 of {label}", float(result.sections.loc[label, "f1"]), value)
        elif key == "value_accuracy":
            check("value accuracy", result.value_accuracy, minimum)
        elif key == "sections_macro_f1":
            check("sections macro F1", result.sections_macro_f1, minimum)
        else:
            failures.append(f"unknown threshold key {key!r}")
    return failures


def thresholds_from_result(result: EvaluationResult, margin: float = 0.01) -> dict[str, Any]:
    """Thresholds just below today's measurements (floored to 3 decimals), to raise the gate."""

    def floor(value: float) -> float | None:
        return None if math.isnan(value) else max(0.0, math.floor((value - margin) * 1000) / 1000)

    return {
        "entities_exact_f1": {
            label: floor(float(result.entities.loc[label, "f1"])) for label in result.entities.index
        },
        "value_accuracy": floor(result.value_accuracy),
        "sections_macro_f1": floor(result.sections_macro_f1),
        "sections_f1": {
            label: floor(float(row["f1"]))
            for label, row in result.sections.iterrows()
            if row["in_gold"]
        },
    }


# ---------------------------------------------------------------- output


def write_errors(errors: pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write the errors list as CSV (`.csv`) or JSONL (anything else); returns rows written."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        frame = errors.copy()
        for column in ("gold_value", "pred_value"):
            frame[column] = [
                None if v is None else json.dumps(v, ensure_ascii=False) for v in frame[column]
            ]
        write_atomic(path, frame.to_csv(index=False))
    else:
        rows = errors.to_dict(orient="records")
        write_atomic(path, "".join(dumps(_clean(row)) + "\n" for row in rows))
    return len(errors)


def write_metrics(result: EvaluationResult, path: str | os.PathLike[str]) -> None:
    """Write `result.to_dict()` as pretty JSON, atomically."""
    write_atomic(path, json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")


def format_text(result: EvaluationResult) -> str:
    """Plain-text report: entities per label + micro, value accuracy, sections per label + macro,
    and the section confusion matrix."""
    ents = _entity_view(result)
    secs = _section_view(result)
    lines = [
        f"Documents: {result.n_documents}"
        + (f" ({len(result.missing)} missing from predictions)" if result.missing else ""),
        "",
        "Entities (exact / partial P R F1, value accuracy over exact matches with a gold value)",
        ents.to_string(na_rep="-", index_names=False),
        "",
        f"Value accuracy (micro): {_fmt(result.value_accuracy)} over {int(result.entities.loc[MICRO, 'value_pairs'])} pairs",
        "",
        "Sections (per non-whitespace character)",
        secs.to_string(na_rep="-", index_names=False),
        "",
        f"Sections macro F1 (labels in gold): {_fmt(result.sections_macro_f1)}",
        f"Sections character accuracy: {_fmt(result.sections_accuracy)}",
        "",
        "Sections confusion (characters; rows gold, columns predicted)",
        _short_labels(result.confusion).to_string(),
    ]
    return "\n".join(lines)


def _short_labels(confusion: pd.DataFrame) -> pd.DataFrame:
    """The confusion matrix with 5-letter column names, so it fits a terminal."""
    return confusion.rename(columns=lambda label: str(label)[:5])


def format_markdown(result: EvaluationResult) -> str:
    """Markdown tables for a report (entities, sections, confusion matrix)."""
    conf = result.confusion.loc[result.confusion.sum(axis=1) > 0, result.confusion.sum(axis=0) > 0]
    parts = [
        f"Documents: {result.n_documents}",
        "",
        "### Entities",
        "",
        _markdown_table(_entity_view(result).reset_index()),
        "",
        f"Value accuracy (micro): **{_fmt(result.value_accuracy)}** over "
        f"{int(result.entities.loc[MICRO, 'value_pairs'])} pairs",
        "",
        "### Sections (per non-whitespace character)",
        "",
        _markdown_table(_section_view(result).reset_index()),
        "",
        f"Sections macro F1 (labels in gold): **{_fmt(result.sections_macro_f1)}**; "
        f"character accuracy: {_fmt(result.sections_accuracy)}",
        "",
        "### Sections confusion (characters; rows gold, columns predicted)",
        "",
        _markdown_table(conf.reset_index()),
    ]
    return "\n".join(parts)


def _entity_view(result: EvaluationResult) -> pd.DataFrame:
    view = result.entities[
        [
            "gold",
            "pred",
            "tp",
            "precision",
            "recall",
            "f1",
            "partial_precision",
            "partial_recall",
            "partial_f1",
            "value_pairs",
            "value_accuracy",
        ]
    ].copy()
    view.columns = ["gold", "pred", "tp", "P", "R", "F1", "pP", "pR", "pF1", "v.pairs", "v.acc"]
    return view.map(_fmt_cell)


def _section_view(result: EvaluationResult) -> pd.DataFrame:
    frame = result.sections[
        (result.sections["gold_chars"] > 0) | (result.sections["pred_chars"] > 0)
    ]
    view = frame[["gold_chars", "pred_chars", "tp", "precision", "recall", "f1"]].copy()
    view.columns = ["gold", "pred", "tp", "P", "R", "F1"]
    return view.map(_fmt_cell)


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(_fmt_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def _fmt(value: float) -> str:
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
    )


def _fmt_cell(value: Any) -> str:
    if isinstance(value, float):
        return _fmt(value)
    return str(value)


def _json_number(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _json_number(value.item())
    return value


def _frame_to_dict(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    rows = frame.to_dict(orient="index")  # keeps each column's type, unlike iterrows
    return {str(i): {str(c): _json_number(v) for c, v in row.items()} for i, row in rows.items()}


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _json_number(v) for k, v in row.items()}
