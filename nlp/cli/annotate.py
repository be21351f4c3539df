"""`fichas annotate`: batch-annotate files, folders and globs into guide records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

import nlp
from nlp.annotate import annotate_to_docbin, annotate_to_jsonl
from nlp.cli.app import app
from nlp.outfile import OutputLock, OutputLocked
from nlp.pipeline import warm


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
        help="Base model: es_core_news_md, es_core_news_sm or blank (default: md, else blank).",
    ),
    n_process: int = typer.Option(1, "--n-process", "-n", help="Processes for the pipeline."),
    batch_size: int = typer.Option(16, "--batch-size", "-b"),
    force: bool = typer.Option(False, "--force", help="Start over instead of resuming."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    follow_links: bool = typer.Option(
        False, "--follow-links", help="Follow symbolic links in folders and globs."
    ),
) -> None:
    """Annotate documents; resumable, one failure does not stop the batch (exit 1 if any failed)."""

    if fmt not in ("jsonl", "spacy"):
        raise typer.BadParameter("--format must be jsonl or spacy")
    errors_path = errors or out.with_name(out.name + ".errors.jsonl")
    if n_process < 1 or batch_size < 1:
        raise typer.BadParameter("--n-process and --batch-size must be at least 1")
    _fail_if_locked(out)  # at once, before the pipeline loads
    # set up now, with the collector paused (nlp.pipeline.warm): ~0.1 s less start-up
    pipeline = warm(nlp.load(base=base))
    write = annotate_to_jsonl if fmt == "jsonl" else annotate_to_docbin
    options = {"force": force} if fmt == "jsonl" else {}
    try:
        summary = write(
            inputs,
            out,
            pipeline,
            errors_path=errors_path,
            batch_size=batch_size,
            n_process=n_process,
            progress=not quiet,
            follow_links=follow_links,
            **options,
        )
    except OutputLocked as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    _report(summary, out, errors_path)


def _fail_if_locked(out: Path) -> None:
    """Exit 2 with one line if another run holds the lock on `out`."""

    try:
        with OutputLock(out):
            pass
    except OutputLocked as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _report(summary: Any, out: Path, errors_path: Path) -> None:
    """Warnings and failures on stderr, the summary line, exit 1 if any document failed."""
    for warning in summary.warnings:
        typer.echo(f"warning: {warning.file}: {warning.reason}", err=True)
    for failure in summary.failures:
        where = "" if failure.stage in ("read", "find") else f" (in {failure.stage})"
        typer.echo(f"failed: {failure.file}: {failure.reason}{where}", err=True)
    typer.echo(
        f"{summary.line()} -> {out}" + (f"; errors in {errors_path}" if summary.failed else "")
    )
    raise typer.Exit(1 if summary.failed else 0)
