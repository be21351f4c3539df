"""`fichas index` and `fichas search`: thin wrappers over `nlp.index` and `nlp.search`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from nlp.annotate import annotate_paths
from nlp.cli.app import app
from nlp.datasette_meta import write_metadata
from nlp.exports import ExportError, json_rows, write_table
from nlp.index import build_index
from nlp.index_schema import DB_ENV, DEFAULT_DB, FichasIndexError, default_db_path
from nlp.progress import progress
from nlp.records import RecordError, read_jsonl
from nlp.search import search

DOCUMENT_SUFFIXES = (".txt", ".md", ".pdf")

DbOption = typer.Option(
    None, "--db", envvar=DB_ENV, help=f"Index file (default {DEFAULT_DB}, or ${DB_ENV})."
)

ProgramOption = typer.Option(
    None, "--program", help="Catalogue id, any name of any year, acronym or key of a program."
)
AgencyOption = typer.Option(
    None, "--agency", help="Programs of an agency: id or any name it had (SEDESOL, SADER)."
)
SectionOption = typer.Option(
    None, "--section", help="Section label (budget, coverage... or presupuesto, cobertura...)."
)
OutOption = typer.Option(
    None, "--out", "-o", help="Write the rows to FILE (csv with BOM, xlsx, parquet, json)."
)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    parquet = "parquet"


def _fail(err: Exception) -> typer.Exit:
    typer.echo(f"error: {err}", err=True)
    return typer.Exit(2)


def split_inputs(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(record sources, documents to annotate): JSONL files or folders of them vs text/PDF files."""
    records: list[Path] = []
    documents: list[Path] = []
    for path in paths:
        if path.is_dir():
            if any(path.glob("*.jsonl")):
                records.append(path)
            else:
                documents.extend(
                    p for p in sorted(path.iterdir()) if p.suffix.lower() in DOCUMENT_SUFFIXES
                )
        elif path.suffix.lower() == ".jsonl":
            records.append(path)
        elif path.suffix.lower() in DOCUMENT_SUFFIXES:
            documents.append(path)
        elif not path.exists():
            raise FichasIndexError(f"{path}: no such file or folder")
        else:
            raise FichasIndexError(
                f"{path}: not a .jsonl record file nor a {'/'.join(DOCUMENT_SUFFIXES)} document"
            )
    return records, documents


def iter_inputs(paths: list[Path]) -> Iterator[dict[str, Any]]:
    """Records from JSONL inputs, then records annotated from document inputs."""

    record_sources, documents = split_inputs(paths)
    for source in record_sources:
        yield from read_jsonl(source)
    if documents:
        yield from annotate_paths(documents)


@app.command("index")
def index_cli(
    inputs: list[Path] = typer.Argument(
        ..., help="JSONL record files or folders; .txt/.md/.pdf documents are annotated first."
    ),
    db: Path | None = DbOption,
    batch_size: int = typer.Option(
        200, "--batch-size", "-b", min=1, help="Records per transaction."
    ),
) -> None:
    """Add or update documents in the search index (unchanged ones are skipped)."""

    path = default_db_path(db)
    try:
        stats = build_index(progress(iter_inputs(inputs), "index"), path, batch_size=batch_size)
        meta = write_metadata(path)  # Datasette: descriptions, vocabularies, canned queries
    except (FichasIndexError, RecordError, ValueError, OSError) as err:
        raise _fail(err) from err
    for problem in stats.errors:
        typer.echo(f"invalid record: {problem}", err=True)
    typer.echo(
        f"{path}: added {stats.added}, replaced {stats.replaced}, skipped {stats.skipped}"
        f" ({stats.documents} documents, {stats.sections} sections, {stats.entities} entities)"
        f"; Datasette metadata in {meta}"
    )
    if stats.errors:
        raise typer.Exit(1)


@app.command("search")
def search_cli(
    text: str | None = typer.Argument(
        None, help='Words to find (accents and case ignored; "quoted phrase").'
    ),
    db: Path | None = DbOption,
    label: str | None = typer.Option(
        None, "--label", help="Entity label: PROGRAM YEAR DATE AMOUNT PERCENT (or PROGRAMA...)."
    ),
    program: str | None = ProgramOption,
    agency: str | None = AgencyOption,
    year: int | None = typer.Option(
        None, "--year", help="Entities or documents whose years contain YEAR."
    ),
    years: str | None = typer.Option(None, "--years", help="Range A-B: years overlapping it."),
    doc_year: int | None = typer.Option(
        None, "--doc-year", help="Documents from this year (file name or meta.year)."
    ),
    amount_min: str | None = typer.Option(
        None, "--amount-min", help="Pesos: 15e9, or millions: 15000M."
    ),
    amount_max: str | None = typer.Option(
        None, "--amount-max", help="Pesos: 15e9, or millions: 15000M."
    ),
    percent_min: float | None = typer.Option(None, "--percent-min"),
    percent_max: float | None = typer.Option(None, "--percent-max"),
    section: str | None = SectionOption,
    kind: str | None = typer.Option(None, "--kind", help="Document kind (ficha, circular, ...)."),
    limit: int = typer.Option(50, "--limit", "-n"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f"),
    out: Path | None = OutOption,
) -> None:
    """Search sections by text and entities by typed filters (all filters combine with AND)."""
    try:
        df = search(
            db,
            text=text,
            label=label,
            program=program,
            agency=agency,
            year=year,
            years=years,
            doc_year=doc_year,
            amount_min=amount_min,
            amount_max=amount_max,
            percent_min=percent_min,
            percent_max=percent_max,
            section=section,
            kind=kind,
            limit=limit,
            context=40 if fmt is OutputFormat.table else 80,
        )
    except FichasIndexError as err:
        raise _fail(err) from err
    _print_rows(df, fmt, out)


def _print_rows(df: Any, fmt: OutputFormat, out: Path | None = None) -> None:
    """Search results to a file (`--out`, xlsx, parquet), or as JSON, CSV or a table
    (sections only: no entity columns)."""
    if out is not None or fmt in (OutputFormat.xlsx, OutputFormat.parquet):
        _export(df, out, fmt.value)
    elif fmt is OutputFormat.json:
        typer.echo(json.dumps(json_rows(df), ensure_ascii=False, indent=1))
    elif fmt is OutputFormat.csv:
        typer.echo(df.to_csv(index=False), nl=False)
    elif df.empty:
        typer.echo("no results", err=True)
    else:
        sections_only = df["label"].isna().all()
        columns = (
            ["doc_id", "section", "snippet"]
            if sections_only
            else ["doc_id", "section", "label", "value", "snippet"]
        )
        typer.echo(df[columns].to_string(index=False, max_colwidth=120))


def _export(df: Any, out: Path | None, fmt: str) -> None:
    """`fichas search --out FILE`: the rows in FILE, in `--format` (else FILE's suffix)."""
    if out is None:
        raise _fail(ValueError(f"--format {fmt} writes a file: give --out FILE"))
    try:
        written = write_table(df, out, None if fmt == "table" else fmt)
    except (ExportError, OSError) as err:
        raise _fail(ValueError(f"{out}: {err}")) from err
    typer.echo(f"{out}: {len(df)} rows ({written})", err=True)
