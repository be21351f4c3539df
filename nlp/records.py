"""Records of the annotation guide (one JSON object per document) and atomic file writes.

A record is the exchange format between the pipeline, the gold, the evaluator and
the index, so it is a plain dict (JSON-safe) and every offset indexes `text`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nlp.settings import ENTITY_LABELS, SECTION_LABELS, SECTIONS_KEY
from nlp.values.checks import value_problem

Record = dict[str, Any]


def content_hash(text: str) -> str:
    """Stable hash of a document's text, used to skip unchanged documents."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def doc_to_record(doc: Any, doc_id: str, meta: dict[str, Any] | None = None) -> Record:
    """Turn an annotated spaCy Doc into a guide record (entities from `doc.ents`)."""
    entities = [
        {"start": ent.start_char, "end": ent.end_char, "label": ent.label_, "value": ent._.value}
        for ent in doc.ents
        if ent.label_ in ENTITY_LABELS
    ]
    sections = [
        {"start": span.start_char, "end": span.end_char, "label": span.label_}
        for span in doc.spans.get(SECTIONS_KEY, [])
    ]
    record_meta = dict(meta or {})
    record_meta.setdefault("hash", content_hash(doc.text))
    columns = {str(ent.start_char): ent._.column for ent in doc.ents if ent._.column}
    if columns:  # table cells: the column each figure is in (start offset -> header), for the index
        record_meta["columns"] = columns
    return {
        "id": doc_id,
        "text": doc.text,
        "entities": entities,
        "sections": sections,
        "meta": record_meta,
    }


def record_to_doc(record: Record, nlp: Any) -> Any:
    """Rebuild a Doc (tokenized by `nlp`) carrying the record's entities and sections."""
    # spaCy and its adapters only here: records are read and checked (index, gold) without it
    from spacy.tokens import Span

    from nlp.extensions import register_extensions
    from nlp.matching import split_tokens_at

    register_extensions()
    doc = nlp.make_doc(record["text"])
    ents = []
    for ent in record.get("entities", []):
        span = doc.char_span(ent["start"], ent["end"], label=ent["label"], alignment_mode="strict")
        if span is None:
            split_tokens_at(doc, (ent["start"], ent["end"]))
            span = doc.char_span(
                ent["start"], ent["end"], label=ent["label"], alignment_mode="strict"
            )
        ents.append((span, ent.get("value")))
    doc.ents = [span for span, _ in ents]
    for span, value in ents:
        span._.value = value
    doc.spans[SECTIONS_KEY] = [
        Span(doc, s.start, s.end, label=sec["label"])
        for sec in record.get("sections", [])
        if (s := doc.char_span(sec["start"], sec["end"], alignment_mode="expand")) is not None
    ]
    doc._.doc_id = record["id"]
    return doc


class RecordError(ValueError):
    """A record that breaks the guide's format; the message says where and why."""


def validate_record(record: Record, *, require_cover: bool = False) -> list[str]:
    """Problems of one record (empty when valid): offsets, overlaps, labels, values."""
    problems: list[str] = []
    rid = record.get("id", "?")
    text = record.get("text")
    if not isinstance(text, str):
        return [f"{rid}: text is missing or not a string"]
    n = len(text)
    for kind, labels in (("entities", ENTITY_LABELS), ("sections", SECTION_LABELS)):
        spans = sorted(record.get(kind, []), key=lambda s: (s["start"], s["end"]))
        prev_end = -1
        for span in spans:
            start, end, label = span.get("start"), span.get("end"), span.get("label")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= n):
                problems.append(
                    f"{rid}: {kind} span {start}-{end} is out of range (text has {n} chars)"
                )
                continue
            if label not in labels:
                problems.append(f"{rid}: {kind} span {start}-{end} has unknown label {label!r}")
            if start < prev_end:
                problems.append(
                    f"{rid}: {kind} span {start}-{end} {label} overlaps the previous one"
                )
            prev_end = max(prev_end, end)
            if kind == "entities" and span.get("value") is not None:
                problem = value_problem(label, span["value"])
                if problem:
                    problems.append(f"{rid}: {label} {text[start:end]!r} at {start}: {problem}")
        if kind == "sections" and require_cover and spans:
            covered = sum(s["end"] - s["start"] for s in spans)
            if covered != n:
                problems.append(f"{rid}: sections cover {covered} of {n} characters")
    return problems


def read_jsonl(path: str | os.PathLike[str]) -> Iterator[Record]:
    """Records of one JSONL file, or of every `*.jsonl` directly inside a folder (sorted)."""
    path = Path(path)
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    for file in files:
        with file.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as err:
                    raise RecordError(f"{file}:{lineno}: not valid JSON ({err.msg})") from err


def dumps(record: Record) -> str:
    """One JSONL line; non-ASCII kept readable."""
    return json.dumps(record, ensure_ascii=False)


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write a whole file (text as UTF-8, or bytes) so that readers see the old or the new
    file, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_jsonl_atomic(path: str | os.PathLike[str], records: Iterable[Record]) -> int:
    """Write records as a JSONL file atomically; returns how many were written."""
    lines = [dumps(r) for r in records]
    write_atomic(path, "".join(line + "\n" for line in lines))
    return len(lines)


class JsonlAppender:
    """Append records one by one, each line flushed and fsynced whole.

    A run that is killed leaves at most one partial last line, which
    `repair_jsonl` removes before the next run resumes.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_jsonl(self.path)
        self._handle = self.path.open("a", encoding="utf-8")

    def write(self, record: Record, sync: bool = True) -> None:
        """Append one whole line; `sync=False` defers the fsync to a later `sync()`."""
        self._handle.write(dumps(record) + "\n")
        self._handle.flush()
        if sync:
            os.fsync(self._handle.fileno())

    def sync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def repair_jsonl(path: Path) -> int:
    """Drop a trailing partial line left by an interrupted run; returns bytes dropped."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return 0
    keep = data[: data.rfind(b"\n") + 1]
    tmp = path.with_suffix(path.suffix + ".repair")
    tmp.write_bytes(keep)
    os.replace(tmp, path)
    return len(data) - len(keep)
