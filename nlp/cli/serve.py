"""`fichas serve`: the web page over the index (thin wrapper over `nlp.web.app.create_app`)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from nlp.cli.app import app
from nlp.index_schema import DB_ENV, DEFAULT_DB, FichasIndexError, connect_read, default_db_path


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@app.command("serve")
def serve_cli(
    db: Path | None = typer.Option(
        None, "--db", envvar=DB_ENV, help=f"Index file (default {DEFAULT_DB}, or ${DB_ENV})."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on; only this machine by default."
    ),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(
        1, "--workers", min=1, max=32, help="Server processes (one per core answers more users)."
    ),
) -> None:
    """Serve the search, document and series pages over the index (read-only)."""
    try:
        import uvicorn  # the web extra (starlette, jinja2, uvicorn) is optional

        from nlp.web.app import create_app

    except ImportError as err:
        typer.echo(f"error: the web page needs starlette, jinja2 and uvicorn ({err})", err=True)
        raise typer.Exit(2) from err

    path = default_db_path(db)
    try:
        connect_read(path).close()  # fail now, in one line, if there is no usable index
    except FichasIndexError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from err
    if not _loopback(host):
        typer.echo(
            f"warning: listening on {host}: anyone who can reach this machine can read the index",
            err=True,
        )
    typer.echo(f"fichas: serving {path} at http://{host}:{port}/search (Ctrl+C stops)")
    if workers > 1:  # each worker process imports the app itself, over $FICHAS_DB
        import os

        os.environ[DB_ENV] = str(path.resolve())
        uvicorn.run(
            "nlp.web.app:app_from_env",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
        )
        return
    uvicorn.run(create_app(path), host=host, port=port, log_level="warning", server_header=False)
