"""One writer per output file, and an existing output read back safely for resuming.

Two runs appending to the same JSONL wrote every record twice; a corrupt line in the
middle of an output ended the resume with a traceback. Here a run holds an exclusive
lock (`fcntl.flock` on `<out>.lock`, released by the system even if the run is killed)
and a second run fails at once naming it; a corrupt line is reported with its line
number, moved to `<out>.corrupt`, and the resume goes on.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from nlp.records import Record, content_hash, repair_jsonl


class OutputLocked(RuntimeError):
    """Another run holds the lock on this output; `str()` is one line naming the lock."""


class OutputLock:
    """An exclusive, non-blocking lock on `<out>.lock` for the life of a run."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.path = self.out.with_name(self.out.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" by process {holder}" if holder else ""
            raise OutputLocked(
                f"{self.out} is being written by another run: {self.path} is locked{who}"
            ) from err
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # The lock file stays: removing it would let a third run lock a new file while a
        # second one still holds the old one.
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def corrupt_path(out: Path) -> Path:
    """Where corrupt lines of an output are kept aside."""
    return out.with_name(out.name + ".corrupt")


def parse_record_line(raw: bytes) -> Record | None:
    """A record from one output line, or None if the line is not one."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not (
        isinstance(record, dict)
        and isinstance(record.get("id"), str)
        and isinstance(record.get("text"), str)
    ):
        return None
    return record


def rewrite_output(out: Path, keep: Callable[[Record], bool]) -> tuple[dict[str, str], list[str]]:
    """Keep the records `keep` accepts (the first of each id), streaming; returns the
    kept records' id -> content hash and one message per corrupt line set aside."""
    if not out.exists():
        return {}, []
    repair_jsonl(out)  # the partial last line of a killed run
    hashes: dict[str, str] = {}
    problems: list[str] = []
    changed = False
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with out.open("rb") as src, os.fdopen(fd, "wb") as dst:
            for lineno, raw in enumerate(src, 1):
                if not raw.strip():
                    changed = True
                    continue
                record = parse_record_line(raw)
                if record is None:
                    _set_aside(out, raw)
                    problems.append(
                        f"{out}:{lineno}: corrupt line (not a JSON record), "
                        f"moved to {corrupt_path(out)}"
                    )
                    changed = True
                elif record["id"] in hashes or not keep(record):
                    changed = True
                else:
                    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
                    hashes[record["id"]] = meta.get("hash") or content_hash(record["text"])
                    dst.write(raw)
            dst.flush()
            os.fsync(dst.fileno())
        if changed:
            os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return hashes, problems


def _set_aside(out: Path, raw: bytes) -> None:
    with corrupt_path(out).open("ab") as handle:
        handle.write(raw if raw.endswith(b"\n") else raw + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
