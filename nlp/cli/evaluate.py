"""`fichas evaluate`: a thin wrapper over `nlp.evaluate` (scores, gate), `nlp.eval_report`
(reports, errors file) and `nlp.train.predict_with_cv`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from nlp import eval_report, train
from nlp import evaluate as ev
from nlp.cli.app import app
from nlp.gold_validation import read_checked
from nlp.records import Record, read_jsonl
from nlp.settings import TRAINING_GOLD_DIRS


class SectionMode(StrEnum):
    """How sections are predicted: heading rules, the classifier, or both."""

    rules = "rules"
    classifier = "classifier"
    combined = "combined"


def _training_extra(paths: list[Path] | None) -> list[Record]:
    """Gold records added to every cross-validation fold (default: the training gold)."""
    if not paths:
        paths = [path for path in TRAINING_GOLD_DIRS if path.is_dir()]
    return [record for path in paths for record in read_jsonl(path)]


TRAIN_WITH = typer.Option(
    None,
    "--train-with",
    exists=True,
    help="With --cv: more gold (file or folder) added to every fold's training data "
    "(default: annotations/ and annotations/prose/, minus the scored documents).",
)
FOLDS_ONLY = typer.Option(
    False, "--folds-only", help="With --cv: train on the other folds alone, no --train-with."
)


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
    train_with: list[Path] | None = TRAIN_WITH,
    folds_only: bool = FOLDS_ONLY,
    base: str | None = typer.Option(None, "--base", help="Base spaCy model (default: settings)."),
    mode: SectionMode | None = typer.Option(
        None, "--mode", help="Section mode passed to the pipeline / cross-validation."
    ),
    thresholds: Path | None = typer.Option(
        None, "--thresholds", exists=True, help="Exit 1 if a threshold of this file fails."
    ),
) -> None:
    """Score predictions (or the pipeline) against gold records, as the guide's Scoring says."""
    _check_options(as_json, markdown, pred, cv)
    try:
        gold_records = read_checked(gold)  # each problem named: file, line, field
        if not gold_records:
            raise ev.EvaluationError(f"no gold records in {gold}")
        mode_name = mode.value if mode is not None else None
        extra = [] if folds_only or cv is None else _training_extra(train_with)
        pred_records = _predictions(gold_records, pred, cv, seed, base, mode_name, extra)
        result = ev.evaluate(gold_records, pred_records)
    except (ev.EvaluationError, OSError, ValueError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from err
    _print(result, as_json, markdown)
    if pred is None and cv is None:
        _note_in_sample(gold_records)
    _write(result, output, errors)
    if thresholds is not None:
        _gate(result, thresholds)


def _check_options(as_json: bool, markdown: bool, pred: Path | None, cv: int | None) -> None:
    """Refuse options that cannot go together."""
    if as_json and markdown:
        raise typer.BadParameter("choose one of --json and --markdown")
    if pred is not None and cv is not None:
        raise typer.BadParameter(
            "--cv predicts from the gold itself; do not combine it with --pred"
        )


def _write(result: ev.EvaluationResult, output: Path | None, errors: Path | None) -> None:
    """The metrics JSON file and the errors file, when asked for."""
    if output is not None:
        eval_report.write_metrics(result, output)
    if errors is not None:
        n = eval_report.write_errors(result.errors, errors)
        typer.echo(f"{n} errors written to {errors}", err=True)


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
    extra: list[Record],
) -> list[Record]:
    """The records to score: read from `pred`, predicted by cross-validation (each fold
    trained on the other folds plus `extra`), or by the pipeline."""
    if pred is not None:
        return read_checked(pred, strict=False)
    if cv is not None:
        return train.predict_with_cv(gold_records, cv, seed=seed, base=base, mode=mode, extra=extra)
    return ev.predict_with_pipeline(gold_records, base=base, mode=mode)


def _print(result: ev.EvaluationResult, as_json: bool, markdown: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif markdown:
        typer.echo(eval_report.format_markdown(result))
    else:
        typer.echo(eval_report.format_text(result))


def _note_in_sample(gold_records: list[Record]) -> None:
    """Say so when the shipped section model was trained on these documents."""
    seen = train.trained_on(gold_records)
    if seen:
        typer.echo(
            f"note: the section model was trained on {seen} of these {len(gold_records)} "
            "documents, so their section scores are in-sample; use --cv K for scores of "
            "documents the model never saw",
            err=True,
        )
