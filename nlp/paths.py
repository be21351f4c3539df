"""Expand a batch's files, folders and globs into documents with unique, stable ids.

Walks and globs do not follow symbolic links unless asked (a link back up would visit
the same files again, or forever); each file is visited once, by resolved path; every
entry that is skipped or cannot be listed is reported, never dropped silently. A
document's id is its file stem when that is unambiguous in the batch, else its path
relative to the argument it came from: the same command gives the same ids every run.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from nlp.errors import ReadError

_MAGIC = re.compile(r"[*?[]")
_NOT_FOLLOWED = "(use --follow-links to follow it)"


@dataclass(frozen=True)
class Entry:
    """A file of the batch, the argument folder it was found under, and its id."""

    path: Path
    root: Path
    id: str = ""


def expand_inputs(
    inputs: list[str], *, suffixes: tuple[str, ...], follow_links: bool = False
) -> tuple[list[Entry], list[ReadError]]:
    """Files of `inputs` (walks and globs keep only `suffixes`), each once, with ids; problems."""
    problems: list[ReadError] = []
    found: list[Entry] = []
    seen: set[str] = set()
    for item in inputs:
        for path, root in _expand_one(item, suffixes, follow_links, problems):
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                found.append(Entry(path, root))
    return assign_ids(found), problems


def _expand_one(
    item: str, suffixes: tuple[str, ...], follow: bool, problems: list[ReadError]
) -> Iterator[tuple[Path, Path]]:
    path = Path(item)
    if path.is_dir():
        for file in _walk(path, suffixes, follow, problems):
            yield file, path
    elif path.exists() or path.is_symlink():
        yield path, path.parent
    elif _MAGIC.search(item):
        root, matcher, depth = _glob_parts(item)
        matched = False
        if root.is_dir():
            for file in _walk(root, suffixes, follow, problems, matcher, depth):
                matched = True
                yield file, root
        if not matched:
            problems.append(ReadError(path, "no file matches this pattern"))
    else:
        problems.append(ReadError(path, "no such file or folder"))


def _walk(
    top: Path,
    suffixes: tuple[str, ...],
    follow: bool,
    problems: list[ReadError],
    matcher: Callable[[str], bool] | None = None,
    depth: int | None = None,
) -> Iterator[Path]:
    """Files under `top` (sorted), pruning symlinked folders unless `follow`, and loops always."""

    def unreadable(err: OSError) -> None:
        problems.append(ReadError(err.filename, f"cannot list folder: {err.strerror or err}"))

    visited = {os.path.realpath(top)}
    for dirpath, dirnames, filenames in os.walk(top, followlinks=follow, onerror=unreadable):
        level = len(Path(dirpath).relative_to(top).parts)
        dirnames[:] = [
            d
            for d in sorted(dirnames)
            if (depth is None or level + 1 < depth)
            and _enter(Path(dirpath, d), follow, visited, problems)
        ]
        for name in sorted(filenames):
            file = Path(dirpath, name)
            if file.suffix.lower() not in suffixes:
                continue
            if matcher is not None and not matcher(file.relative_to(top).as_posix()):
                continue
            if file.is_symlink() and not follow:
                problems.append(ReadError(file, f"symbolic link, not followed {_NOT_FOLLOWED}"))
            elif not file.is_file():
                problems.append(ReadError(file, "not a regular file (or a broken link)"))
            else:
                yield file


def _enter(folder: Path, follow: bool, visited: set[str], problems: list[ReadError]) -> bool:
    """Whether a walk goes into `folder`: not a symlink unless following, never twice."""
    if folder.is_symlink() and not follow:
        problems.append(
            ReadError(folder, f"symbolic link to a folder, not followed {_NOT_FOLLOWED}")
        )
        return False
    real = os.path.realpath(folder)
    if real in visited:
        problems.append(ReadError(folder, "link to a folder already visited (a loop), skipped"))
        return False
    visited.add(real)
    return True


def _glob_parts(pattern: str) -> tuple[Path, Callable[[str], bool], int | None]:
    """The folder a glob starts from, a matcher of paths relative to it, and its depth."""
    parts = PurePath(pattern).parts
    first = next(i for i, part in enumerate(parts) if _MAGIC.search(part))
    root = Path(*parts[:first]) if first else Path(".")
    rest = parts[first:]
    pieces = []
    for i, part in enumerate(rest):
        last = i == len(rest) - 1
        if part == "**":
            pieces.append("(?:[^/]+/)*[^/]*" if last else "(?:[^/]+/)*")
        else:
            pieces.append(_segment_regex(part) + ("" if last else "/"))
    compiled = re.compile("".join(pieces))
    depth = None if "**" in rest else len(rest)
    return root, lambda rel: compiled.fullmatch(rel) is not None, depth


def _segment_regex(segment: str) -> str:
    """One glob path segment as a regex: `*`, `?` and `[...]` within a name."""
    out, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in segment[i + 2 :]:
            end = segment.index("]", i + 2)
            body = segment[i + 1 : end]
            body = "^" + body[1:] if body.startswith("!") else body
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def assign_ids(entries: list[Entry]) -> list[Entry]:
    """Ids unique in the batch: stem, else relative path, else relative path with a hash."""
    stems = Counter(e.path.stem for e in entries)

    def relative(entry: Entry, suffix: bool) -> str:
        rel = Path(os.path.relpath(entry.path, entry.root))
        return (rel if suffix else rel.with_suffix("")).as_posix()

    ids = [e.path.stem if stems[e.path.stem] == 1 else relative(e, False) for e in entries]
    for attempt in ("suffix", "hash"):
        counts = Counter(ids)
        for i, entry in enumerate(entries):
            if counts[ids[i]] > 1:
                if attempt == "suffix":
                    ids[i] = relative(entry, True)
                else:
                    digest = hashlib.sha1(os.path.realpath(entry.path).encode()).hexdigest()[:8]
                    ids[i] = f"{ids[i]}~{digest}"
    return [Entry(e.path, e.root, doc_id) for e, doc_id in zip(entries, ids, strict=True)]
