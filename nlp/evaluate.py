"""Scoring of predicted records against gold, exactly as the guide's "Scoring" says.

Pairs gold and predicted records by id, scores entities (`nlp.entity_scores`) and sections
(`nlp.section_scores`), and checks the gold gate's thresholds. Reports and files are written
by `nlp.eval_report`; cross-validated predictions come from `nlp.train.predict_with_cv`.

Everything returns pandas DataFrames so that notebooks, the CLI and the gold gate
read the same numbers.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nlp
from nlp.entity_scores import MICRO, score_entities
from nlp.progress import progress
from nlp.records import Record, doc_to_record
from nlp.section_scores import score_sections

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SECTION_MODES: tuple[str, ...] = ("rules", "classifier", "combined")


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
            "entities": frame_to_dict(self.entities),
            "value_accuracy": json_number(self.value_accuracy),
            "sections": frame_to_dict(self.sections),
            "sections_macro_f1": json_number(self.sections_macro_f1),
            "sections_accuracy": json_number(self.sections_accuracy),
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
            f"{len(ignored)} predicted document(s) not in gold are ignored: "
            f"{', '.join(ignored[:10])}",
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
                f"({len(p['text'])} vs {len(g['text'])} characters, first difference at "
                f"{_first_difference(g['text'], p['text'])})"
            )
        pairs.append((g, p))
    return pairs, missing, ignored


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


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
    check_mode(mode)
    kwargs = {"section_mode": mode} if mode else {}
    try:
        pipeline = nlp.load(base=base, **kwargs)
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
    stream = progress(((r["text"], (r["id"], r.get("meta"))) for r in gold), "evaluate", len(gold))
    return [
        doc_to_record(doc, doc_id, meta)
        for doc, (doc_id, meta) in pipeline.pipe(stream, as_tuples=True, batch_size=batch_size)
    ]


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
        elif key == "sections_accuracy":
            check("sections character accuracy", result.sections_accuracy, minimum)
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
        "sections_accuracy": floor(result.sections_accuracy),
        "sections_f1": {
            label: floor(float(row["f1"]))
            for label, row in result.sections.iterrows()
            if row["in_gold"]
        },
    }


# ---------------------------------------------------------------- JSON-safe values


def json_number(value: Any) -> Any:
    """`value` as JSON has it: NaN becomes None, a numpy scalar a Python number."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return json_number(value.item())
    return value


def frame_to_dict(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Rows of `frame` as JSON-safe dicts keyed by the index."""
    rows = frame.to_dict(orient="index")  # keeps each column's type, unlike iterrows
    return {str(i): {str(c): json_number(v) for c, v in row.items()} for i, row in rows.items()}
