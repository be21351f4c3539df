"""The `fichas` command line: one typer app, each command a thin wrapper in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="fichas",
    help="Sections and entities of Mexican public-program documents (CONEVAL fichas, circulars).",
    no_args_is_help=True,
    add_completion=False,
)

# Each module registers its commands on `app` when imported.
from nlp.cli import annotate as _annotate  # noqa: E402,F401
from nlp.cli import gold as _gold  # noqa: E402,F401

for _optional in ("evaluate", "train", "index", "serve", "catalog"):
    try:
        __import__(f"nlp.cli.{_optional}")
    except ModuleNotFoundError as _err:  # a command module not written yet
        if _err.name != f"nlp.cli.{_optional}":
            raise


def main() -> None:
    """Console-script entry point."""
    app()
