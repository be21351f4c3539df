"""Compiled `regex` patterns kept on disk between processes (speed, issue 16).

Every `fichas` process compiled the same large patterns at start-up: the gazetteer's
20,000-character alternation and the entity rules, ~0.2-0.3 s of a ~1.1 s start. The
`regex` package pickles a compiled pattern as the arguments of `regex._regex.compile`
(its compiled code, not its source), so loading one skips the parse: ~1 ms instead.

One file per group of patterns, named by a hash of everything the compiled code depends
on (this file's format, the `regex` and Python versions, each source and flags), so a
changed rule is a new name and a stale file is never read; the group's older files are
removed when a new one is written. Written atomically (a temporary file, then
`os.replace`); a missing, unreadable or corrupt file, or one holding anything but
`regex` patterns of the same sources, is a miss and the group is compiled as usual; a
cache folder that cannot be written only costs the compile. The folder is
`nlp.settings.cache_dir()` ($FICHAS_CACHE_DIR; `off` disables the cache).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import regex

from nlp.settings import cache_dir

#: Bumped when what a cache file holds changes.
FORMAT = 1
#: Hex digits of the key in a file name (a group's files are `regex-<group>-<key>.pickle`).
KEY_CHARS = 24


class _PatternsOnly(pickle.Unpickler):
    """Unpickles `regex` patterns and nothing else: no other callable can be named."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("regex._regex", "compile"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"not a regex pattern: {module}.{name}")


def compile_all(group: str, sources: Sequence[tuple[str, int]]) -> list[Any]:
    """`regex.compile(source, flags)` of each of `sources`, read from the cache when the
    same group of sources was compiled before (by any process), else compiled and saved."""
    folder = cache_dir()
    if folder is None:
        return [regex.compile(source, flags) for source, flags in sources]
    path = folder / f"regex-{group}-{_key(sources)}.pickle"
    found = _read(path, sources)
    if found is not None:
        return found
    compiled = [regex.compile(source, flags) for source, flags in sources]
    _write(path, compiled, f"regex-{group}-")
    return compiled


def _key(sources: Sequence[tuple[str, int]]) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{regex.__version__}|{sys.version}".encode())
    for source, flags in sources:
        digest.update(f"\0{int(flags)}\0{len(source)}\0".encode())
        digest.update(source.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:KEY_CHARS]


def _read(path: Path, sources: Sequence[tuple[str, int]]) -> list[Any] | None:
    """The cached patterns of `sources`, or None (missing, unreadable, corrupt, other)."""
    try:
        data = path.read_bytes()
        patterns = _PatternsOnly(io.BytesIO(data)).load()
    except Exception:  # any damage is a miss: the patterns are compiled again
        return None
    if not isinstance(patterns, list) or len(patterns) != len(sources):
        return None
    for pattern, (source, _) in zip(patterns, sources):
        if not isinstance(pattern, regex.Pattern) or pattern.pattern != source:
            return None
    return patterns


def _write(path: Path, patterns: list[Any], prefix: str) -> None:
    """Save atomically; remove the group's older files. Errors are ignored (no cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(patterns, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        for old in path.parent.glob(prefix + "?" * KEY_CHARS + ".pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):
        return
