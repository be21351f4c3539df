"""Check gold (and predicted) records before scoring, naming each problem's file, line and field.

`fichas evaluate` used to count whatever it was given: an `ORG` row appeared for an
unknown label, spans out of range or of zero length were scored, and a line that was
not an object, lacked `text` or had a string offset ended in a traceback. Here every
record is checked as it is read; any problem stops the evaluation with the full list
(`GoldError`, a ValueError the CLI prints as one error).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nlp.records import Record
from nlp.settings import ENTITY_LABELS, SECTION_LABELS
from nlp.values.checks import value_problem

#: Problems listed in full before "and N more".
MAX_LISTED = 30


class GoldError(ValueError):
    """Records that cannot be scored; `problems` holds one `file:line: field: why` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = problems[:MAX_LISTED]
        more = len(problems) - len(listed)
        tail = f"\n  ... and {more} more" if more else ""
        super().__init__(
            f"{len(problems)} problem(s) in the records:\n  " + "\n  ".join(listed) + tail
        )


def read_checked(path: str | os.PathLike[str], *, strict: bool = True) -> list[Record]:
    """Records of a JSONL file or a folder of them, all checked; `GoldError` lists problems.

    `strict` (gold) also checks labels and value shapes; without it (predictions) only
    what scoring needs: objects with an id, a text and integer offsets inside it."""
    records: list[Record] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for where, line in _lines(Path(path)):
        record, found = check_line(line, where, strict=strict)
        problems.extend(found)
        if record is None:
            continue
        if record["id"] in seen:
            problems.append(
                f"{where}: id: {record['id']!r} is already used at {seen[record['id']]}"
            )
            continue
        seen[record["id"]] = where
        records.append(record)
    if problems:
        raise GoldError(problems)
    return records


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    for file in files:
        with file.open(encoding="utf-8", errors="replace") as handle:
            for lineno, line in enumerate(handle, 1):
                if line.strip():
                    yield f"{file}:{lineno}", line


def check_line(line: str, where: str, *, strict: bool = True) -> tuple[Record | None, list[str]]:
    """The record of one line (None if unusable) and its problems, each `where: field: why`."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return None, [f"{where}: not valid JSON ({err.msg} at column {err.colno})"]
    if not isinstance(record, dict):
        return None, [f"{where}: the line is a JSON {type(record).__name__}, not an object"]
    problems = []
    if not isinstance(record.get("id"), str) or not record["id"]:
        problems.append(f"{where}: id: missing or not a non-empty string")
    text = record.get("text")
    if not isinstance(text, str):
        problems.append(f"{where}: text: missing or not a string")
    if problems:
        return None, problems
    for kind, labels in (("entities", ENTITY_LABELS), ("sections", SECTION_LABELS)):
        spans = record.get(kind, [])
        if not isinstance(spans, list):
            problems.append(f"{where}: {kind}: not a list")
            continue
        for i, span in enumerate(spans):
            problems.extend(
                f"{where}: {kind}[{i}]{p}" for p in _span_problems(span, kind, labels, text, strict)
            )
    return (None if problems else record), problems


def _span_problems(
    span: Any, kind: str, labels: tuple[str, ...], text: str, strict: bool
) -> list[str]:
    """Problems of one span, each starting with `.field: ` (or `: ` for the whole span)."""
    if not isinstance(span, dict):
        return [f": not an object ({json.dumps(span)[:40]})"]
    out = []
    for field in ("start", "end"):
        value = span.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            shown = "missing" if value is None else f"{type(value).__name__} {value!r}"
            out.append(f".{field}: {shown}, not an integer offset")
    label = span.get("label")
    if not isinstance(label, str) or (strict and label not in labels):
        out.append(f".label: unknown label {label!r} (one of {', '.join(labels)})")
    if out:
        return out
    start, end = span["start"], span["end"]
    if start == end:
        return [f": zero-length span at {start}"]
    if not 0 <= start < end <= len(text):
        return [f": span {start}-{end} is outside the text ({len(text)} characters) or reversed"]
    if strict and kind == "entities" and span.get("value") is not None:
        problem = value_problem(label, span["value"])
        if problem:
            return [f".value: {problem} (got {json.dumps(span['value'])[:60]})"]
    return []
