"""`fichas train`: cross-validate the section classifier by document, train on all gold, save."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nlp.cli.app import app
from nlp.records import read_jsonl
from nlp.section_model import MODES
from nlp.settings import REALDEV_GOLD, TRAINING_GOLD_DIRS
from nlp.train import train_and_report

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "resources" / "section_model"


@app.command("train")
def train_cli(
    gold: list[Path] | None = typer.Option(
        None,
        "--gold",
        exists=True,
        help="Gold records: a JSONL file or a folder of *.jsonl (repeat to train on several). "
        "Default: the shipped model's gold, annotations/, annotations/prose/ and "
        "../shared/realdev/gold.jsonl where present.",
    ),
    out: Path = typer.Option(
        DEFAULT_OUT, "--out", "-o", help="Folder for model.joblib and meta.json."
    ),
    cv: int = typer.Option(
        5, "--cv", min=0, help="Folds of the cross-validation by document (0 = none)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the folds and the estimators."),
    base: str | None = typer.Option(
        None, "--base", help="Base spaCy model of the pipeline used to predict the folds."
    ),
    modes: str = typer.Option(
        "rules,classifier,combined", "--modes", help="Section modes to cross-validate."
    ),
    params: str | None = typer.Option(
        None, "--params", help="Model parameters as JSON (see nlp.section_model.DEFAULT_PARAMS)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
) -> None:
    """Train the section classifier from gold records; print cross-validated F1 per mode."""

    wanted = [m.strip() for m in modes.split(",") if m.strip()]
    unknown = [m for m in wanted if m not in MODES]
    if unknown:
        raise typer.BadParameter(f"unknown modes {unknown}: use {', '.join(MODES)}")
    if not gold:
        gold = [p for p in (*TRAINING_GOLD_DIRS, REALDEV_GOLD) if p.exists()]
    records = [r for path in gold for r in read_jsonl(path) if r.get("sections")]
    if not records:
        typer.echo(f"error: no gold records with sections in {', '.join(map(str, gold))}", err=True)
        raise typer.Exit(1)
    extra = json.loads(params) if params else {}
    try:
        model, scores = train_and_report(
            records, out, cv=cv, seed=seed, base=base, modes=wanted, **extra
        )
    except ValueError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(1) from err
    if as_json:
        typer.echo(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        typer.echo(format_scores(scores, cv, seed))
    typer.echo(
        f"model trained on {model.meta['n_documents']} documents ({model.meta['n_blocks']} "
        "blocks), "
        f"data {model.meta['data_hash'][:12]}, saved to {out}"
    )


def format_scores(scores: dict, cv: int, seed: int) -> str:
    """A plain table: one row per label, one column per mode (character F1)."""
    if not scores:
        return "no cross-validation (--cv 0)"
    modes = list(scores)
    labels = sorted({label for s in scores.values() for label in s["f1"]})
    lines = [
        f"section character F1, {cv}-fold cross-validation by document (seed {seed})",
        f"{'label':16s}" + "".join(f"{m:>12s}" for m in modes),
    ]
    for label in labels:
        lines.append(
            f"{label:16s}"
            + "".join(f"{scores[m]['f1'].get(label, float('nan')):12.4f}" for m in modes)
        )
    lines.append(f"{'macro':16s}" + "".join(f"{scores[m]['macro_f1']:12.4f}" for m in modes))
    return "\n".join(lines)
