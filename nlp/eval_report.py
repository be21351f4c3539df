"""Reports of an evaluation: plain text and markdown tables, the metrics JSON file and the
errors file (CSV or JSONL)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.entity_scores import MICRO
from nlp.evaluate import EvaluationResult, json_number
from nlp.records import dumps, write_atomic

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


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
        f"Value accuracy (micro): {_fmt(result.value_accuracy)} over "
        f"{int(result.entities.loc[MICRO, 'value_pairs'])} pairs",
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


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: json_number(v) for k, v in row.items()}
