"""The `fichas` command line: one typer app (`nlp.cli.app`), each command a thin wrapper in
its own module, registered on the app when imported here."""

from __future__ import annotations

from nlp.cli import annotate, evaluate, gold, index, serve, train
from nlp.cli.app import app

__all__ = ["annotate", "app", "evaluate", "gold", "index", "main", "serve", "train"]


def main() -> None:
    """Console-script entry point."""
    app()
