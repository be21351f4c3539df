"""The one typer app of the `fichas` command line; each command module registers on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="fichas",
    help="Sections and entities of Mexican public-program documents (CONEVAL fichas, circulars).",
    no_args_is_help=True,
    add_completion=False,
)
