"""The `fichas` command line: one typer app (`nlp.cli.app`), each command a thin wrapper in
its own module, registered on the app when imported here."""

from __future__ import annotations

import gc

from nlp.cli.app import app

__all__ = ["app", "main"]

# After `app` exists, so a command module may also write `from nlp.cli import app`.
from nlp.cli import annotate, catalog, evaluate, gold, index, serve, train  # noqa: E402, F401, I001


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    finally:
        # At exit the interpreter collects cyclic garbage over the whole heap (spaCy, the
        # compiled rules) more than once: ~0.12 s of a one-document `fichas annotate`
        # (issue 16). Objects alive now are skipped by those collections (each command
        # has closed and flushed its files by then); they are still released on exit.
        gc.freeze()
