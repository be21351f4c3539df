"""`fichas evaluate`: a thin wrapper over `nlp.evaluate` (scores, reports, errors file, gate)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from nlp import evaluate as ev
from nlp.cli.app import app
from nlp.records import Record, read_jsonl


class SectionMode(StrEnum):
    """How sections are predicted: heading rules, the classifier, or both."""

    rules = "rules"
    classifier = "classifier"
    combined = "combined"


@app.command("evaluate")
def evaluate_cli(
    gold: Path = typer.Argument(
        ..., exists=True, help="Gold records: a JSONL file or a folder of *.jsonl."
    ),
    pred: Path | None = typer.Option(
        None,
        "--pred",
        exists=True,
        help="Predicted records (file or folder); default: run the pipeline.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print markdown tables for a report."),
    errors: Path | None = typer.Option(
        None, "--errors", help="Write every fp/fn/value error here (.csv or .jsonl)."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the metrics as JSON to this file."
    ),
    cv: int | None = typer.Option(
        None, "--cv", min=2, help="Predict sections by K-fold cross-validation over the gold."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the cross-validation folds."),
    base: str | None = typer.Option(None, "--base", help="Base spaCy model (default: settings)."),
    mode: SectionMode | None = typer.Option(
        None, "--mode", help="Section mode passed to the pipeline / cross-validation."
    ),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", exists=True, help="Exit 1 if a threshold of this file fails."
    ),
) -> None:
    """Score predictions (or the pipeline) against gold records, as the guide's Scoring says."""
    if as_json and markdown:
        raise typer.BadParameter("choose one of --json and --markdown")
    if pred is not None and cv is not None:
        raise typer.BadParameter(
            "--cv predicts from the gold itself; do not combine it with --pred"
        )
    try:
        gold_records = list(read_jsonl(gold))
        if not gold_records:
            raise ev.EvaluationError(f"no gold records in {gold}")
        mode_name = mode.value if mode is not None else None
        pred_records = _predictions(gold_records, pred, cv, seed, base, mode_name)
        result = ev.evaluate(gold_records, pred_records)
    except (ev.EvaluationError, OSError, ValueError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from err
    _print(result, as_json, markdown)
    if pred is None and cv is None:
        _note_in_sample(gold_records)
    if output is not None:
        ev.write_metrics(result, output)
    if errors is not None:
        n = ev.write_errors(result.errors, errors)
        typer.echo(f"{n} errors written to {errors}", err=True)
    if thresholds is not None:
        _gate(result, thresholds)


def _gate(result: ev.EvaluationResult, thresholds: Path) -> None:
    """Exit 1, naming each failure, when a threshold of the file fails."""
    failures = ev.check_thresholds(result, ev.load_thresholds(thresholds))
    for failure in failures:
        typer.echo(f"FAIL {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def _predictions(
    gold_records: list[Record],
    pred: Path | None,
    cv: int | None,
    seed: int,
    base: str | None,
    mode: str | None,
) -> list[Record]:
    """The records to score: read from `pred`, predicted by cross-validation, or by the
    pipeline."""
    if pred is not None:
        return list(read_jsonl(pred))
    if cv is not None:
        return ev.predict_with_cv(gold_records, cv, seed=seed, base=base, mode=mode)
    return ev.predict_with_pipeline(gold_records, base=base, mode=mode)


def _print(result: ev.EvaluationResult, as_json: bool, markdown: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif markdown:
        typer.echo(ev.format_markdown(result))
    else:
        typer.echo(ev.format_text(result))


def _note_in_sample(gold_records: list[Record]) -> None:
    """Say so when the shipped section model was trained on these documents."""
    seen = ev.trained_on(gold_records)
    if seen:
        typer.echo(
            f"note: the section model was trained on {seen} of these {len(gold_records)} "
            "documents, so their section scores are in-sample; use --cv K for scores of "
            "documents the model never saw",
            err=True,
        )
