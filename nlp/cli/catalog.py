"""`fichas catalog show|check`: one program of the catalogue, and the catalogue's validation."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from nlp.catalog import (
    CatalogError,
    key_in_year,
    load,
    lookup,
    name_in_year,
    name_key,
    normalize_key,
)
from nlp.catalog_check import check, summary
from nlp.cli.app import app

catalog_app = typer.Typer(
    help="The catalogue of programs (rules/catalog/programs.tsv): look up and validate.",
    no_args_is_help=True,
)
app.add_typer(catalog_app, name="catalog")

RulesOption = typer.Option(
    None, "--rules", help="Rules folder whose catalog/ to read (default: the project's)."
)


def _dated(items: tuple[object, ...]) -> str:
    """`Name (2002-2014) | Other` from dated names."""
    return " | ".join(
        f"{i.value} ({i.period})" if i.period else i.value  # type: ignore[attr-defined]
        for i in items
    )


def _holders(name: str, rules: str | None) -> str:
    """Who holds a key or a name, for the message of an ambiguous lookup."""
    catalog = load(rules)
    key = normalize_key(name)
    found = catalog.keys.get(key, []) if key else catalog.names.get(name_key(name), [])
    return "; ".join(f"{e.id} ({', '.join(map(str, e.period_of(i)))})" for e, i in found)


@catalog_app.command("show")
def show_cli(
    name: str = typer.Argument(..., help="Catalogue id, any name of any year, acronym or key."),
    year: int | None = typer.Option(
        None, "--year", help="Year: picks the program of a reused key and the name of that year."
    ),
    rules: Path | None = RulesOption,
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """Print the program that NAME or KEY stands for (exit 1 when unknown or ambiguous)."""
    try:
        entry = lookup(name, year, str(rules) if rules else None)
    except CatalogError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
    if entry is None:
        holders = _holders(name, str(rules) if rules else None)
        hint = f": held by {holders}; give --year" if holders else ""
        typer.echo(f"no single program is called {name!r}{hint}", err=True)
        raise typer.Exit(1)
    if as_json:
        data = asdict(entry)
        data.pop("source_file")
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return
    typer.echo(f"{entry.id}: {entry.name}")
    ramo = ", ".join(map(str, entry.ramo)) or "-"
    typer.echo(f"  {entry.level} {entry.role}; agency {entry.agency or '-'}; ramo {ramo}")
    typer.echo(f"  years {', '.join(map(str, entry.years)) or 'unknown'}")
    if year is not None:
        typer.echo(
            f"  in {year}: {name_in_year(entry, year)} ({key_in_year(entry, year) or 'no key'})"
        )
    typer.echo(f"  keys {', '.join(map(str, entry.keys)) or '-'}")
    for label, items in (
        ("names", entry.aliases),
        ("acronyms", entry.acronyms),
        ("lookup only", entry.other_names),
    ):
        if items:
            typer.echo(f"  {label}: {_dated(items)}")
    if entry.replaced_by:
        typer.echo(f"  replaced by: {entry.replaced_by}")
    typer.echo(f"  sources: {entry.sources}")


@catalog_app.command("check")
def check_cli(rules: Path | None = RulesOption) -> None:
    """Validate the catalogue: ids, agencies, key periods, names unambiguous per period."""
    entries, errors = check(str(rules) if rules else None)
    for error in errors:
        typer.echo(error, err=True)
    counts = summary(entries)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
    if errors:
        typer.echo(f"{len(errors)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo("catalogue ok")
