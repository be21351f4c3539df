"""Error types shared by readers and path expansion (one line: `<file>: <reason>`)."""

from __future__ import annotations

from pathlib import Path


class ReadError(Exception):
    """A document that cannot be read; `str()` is `<file>: <reason>`."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")
