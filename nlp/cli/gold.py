"""`fichas gold`: build and check gold records from annotation specs (docs/gold_format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from nlp.cli.app import app
from nlp.gold import SpecError, add_line, build_all, check_gold

gold_app = typer.Typer(
    help="Gold annotations: build records from specs, add spec lines, check gold.",
    no_args_is_help=True,
)
app.add_typer(gold_app, name="gold")


@gold_app.command("build")
def build_cmd(
    specs: Path = typer.Argument(Path("annotations/specs"), help="Folder of spec files (*.jsonl)."),
    out: Path = typer.Option(
        Path("annotations"), "--out", "-o", help="Folder for the gold records."
    ),
    only: list[str] | None = typer.Option(
        None, "--only", help="Build only specs whose id starts with this (repeatable)."
    ),
) -> None:
    """Build gold records; refuse (exit 1) any spec with a problem, naming file and line."""

    built, problems = build_all(specs, out, only=only)
    for problem in problems:
        typer.echo(problem, err=True)
    typer.echo(f"built {len(built)} gold records into {out}; {len(problems)} problems")
    raise typer.Exit(1 if problems else 0)


@gold_app.command("add")
def add_cmd(
    spec: Path = typer.Argument(..., help="Spec file to append to."),
    label: str = typer.Option(
        ..., "--label", "-l", help="Entity label, or section label with --section."
    ),
    surface: str = typer.Option(..., "--surface", "-s"),
    occurrence: int = typer.Option(1, "--occurrence", "-n"),
    after: str | None = typer.Option(None, "--after"),
    value: str | None = typer.Option(None, "--value", help="Normalized value as JSON."),
    section: bool = typer.Option(False, "--section", help="The line starts a section."),
) -> None:
    """Append one checked line to a spec (refused if the spec would no longer build)."""

    item: dict = {"section": label} if section else {"label": label}
    item.update({"surface": surface, "occurrence": occurrence})
    if after:
        item["after"] = after
    if value is not None:
        item["value"] = json.loads(value)
    try:
        add_line(spec, item)
    except SpecError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from err
    typer.echo(f"added to {spec}")


@gold_app.command("check")
def check_cmd(
    gold: Path = typer.Argument(Path("annotations"), help="Gold JSONL file or folder."),
) -> None:
    """Validate gold records: offsets, overlaps, labels, values, sections covering each text."""

    problems = check_gold(gold)
    for problem in problems:
        typer.echo(problem, err=True)
    typer.echo(f"{len(problems)} problems")
    raise typer.Exit(1 if problems else 0)
