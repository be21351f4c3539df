"""Build gold records from annotation specs that name surfaces, never offsets.

Hand-typed offsets drift; a spec line says *what* is annotated (surface, the
occurrence, an anchor) and this module finds *where*, refusing anything that does
not check out. Format: docs/gold_format.md.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.readers import read_document
from nlp.records import Record, content_hash, dumps, read_jsonl, validate_record, write_atomic
from nlp.settings import ENTITY_LABELS, REPO_DIR, SECTION_LABELS
from nlp.values.checks import value_problem
from nlp.values.programs import default_program_value

_ENTITY_KEYS = {"label", "surface", "occurrence", "after", "value", "note"}
_SECTION_KEYS = {"section", "surface", "occurrence", "after", "note"}


class SpecError(ValueError):
    """A spec that cannot be turned into a valid gold record; lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Spec:
    """A parsed spec file: its document line and its entity and section lines."""

    path: Path
    doc: str
    file: str
    lines: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_spec(path: str | Path) -> Spec:
    """Parse a spec file; JSON errors name file and line."""
    path = Path(path)
    header: dict[str, Any] | None = None
    lines: list[tuple[int, dict[str, Any]]] = []
    problems: list[str] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as err:
            problems.append(f"{path}:{lineno}: invalid JSON ({err.msg})")
            continue
        if header is None:
            if "doc" not in item or "file" not in item:
                problems.append(
                    f'{path}:{lineno}: the first line must be {{"doc": id, "file": path}}'
                )
                continue
            header = item
        else:
            lines.append((lineno, item))
    if header is None and not problems:
        problems.append(f"{path}: empty spec")
    if problems:
        raise SpecError(problems)
    assert header is not None
    return Spec(path=path, doc=header["doc"], file=header["file"], lines=lines)


def _find(text: str, surface: str, after: str | None, occurrence: int) -> int | None:
    """Offset of the `occurrence`-th `surface` after the first `after` (None if absent)."""
    pos = 0
    if after:
        anchor = text.find(after)
        if anchor < 0:
            return -1
        pos = anchor + len(after)
    found = -1
    for _ in range(occurrence):
        found = text.find(surface, pos)
        if found < 0:
            return None
        pos = found + 1
    return found


def build_record(spec: Spec, root: Path = REPO_DIR) -> Record:
    """The gold record of one spec; raises `SpecError` listing every problem."""
    document = read_document(root / spec.file)
    text = document.text
    problems: list[str] = []
    entities: list[dict[str, Any]] = []
    starts: list[tuple[int, str]] = []
    where = f"{spec.path}"
    if spec.doc != document.id:
        problems.append(f"{where}: doc {spec.doc!r} does not match file name id {document.id!r}")
    for lineno, item in spec.lines:
        at = f"{where}:{lineno}"
        found = _spec_line(item, at, text, problems)
        if found is None:
            continue
        label, offsets = found
        if "section" in item:
            starts.append((offsets[0], label))
            continue
        value = _entity_value(item, label, at, problems)
        for start in offsets if value is not None else []:
            end = start + len(item["surface"])
            all_ = item.get("occurrence") == "all"
            entities.append(
                {"start": start, "end": end, "label": label, "value": value, "_line": lineno,
                 "_all": all_}
            )  # fmt: skip
    entities = sorted(_drop_contained_all(entities), key=lambda e: (e["start"], e["end"]))
    problems.extend(_overlaps(entities, text, where))
    sections = _sections_from_starts(starts, len(text), where, problems)
    spec_path = spec.path.relative_to(root) if spec.path.is_relative_to(root) else spec.path
    record = {
        "id": document.id,
        "text": text,
        "entities": [{k: v for k, v in e.items() if not k.startswith("_")} for e in entities],
        "sections": sections,
        "meta": {
            **document.meta,
            "source": spec.file,
            "hash": content_hash(text),
            "spec": str(spec_path),
        },
    }
    problems.extend(validate_record(record, require_cover=True))
    if problems:
        raise SpecError(problems)
    return record


def _spec_line(
    item: dict[str, Any], at: str, text: str, problems: list[str]
) -> tuple[str, list[int]] | None:
    """(label, start offsets) a spec line names; None (its problem added) when it is wrong."""
    is_section = "section" in item
    extra = set(item) - (_SECTION_KEYS if is_section else _ENTITY_KEYS)
    if extra:
        problems.append(f"{at}: unknown keys {sorted(extra)}")
        return None
    label = item.get("section") if is_section else item.get("label")
    labels = SECTION_LABELS if is_section else ENTITY_LABELS
    if label not in labels:
        problems.append(f"{at}: unknown label {label!r} (one of {', '.join(labels)})")
        return None
    surface = item.get("surface")
    if not isinstance(surface, str) or not surface:
        problems.append(f"{at}: surface must be a non-empty string")
        return None
    occurrence = item.get("occurrence", 1)
    if occurrence == "all":
        if is_section:
            problems.append(f"{at}: a section cannot use occurrence 'all'")
            return None
        offsets = _all_offsets(text, surface, item.get("after"))
        if not offsets:
            problems.append(f"{at}: surface {surface!r} not found")
        return label, offsets
    if not isinstance(occurrence, int) or occurrence < 1:
        problems.append(f"{at}: occurrence must be a positive integer or 'all'")
        return None
    start = _find(text, surface, item.get("after"), occurrence)
    if start == -1:
        problems.append(f"{at}: anchor 'after' {item['after']!r} not found")
        return None
    if start is None:
        problems.append(f"{at}: occurrence {occurrence} of {surface!r} not found")
        return None
    return label, [start]


def _entity_value(item: dict[str, Any], label: str, at: str, problems: list[str]) -> Any:
    """The value of an entity line (a PROGRAM's by default); None with a problem if wrong."""
    surface = item["surface"]
    value = item.get("value")
    if value is None and label == "PROGRAM":
        value = default_program_value(surface)
    if value is None:
        problems.append(f"{at}: {label} {surface!r} needs a value")
        return None
    problem = value_problem(label, value)
    if problem:
        problems.append(f"{at}: {label} {surface!r}: {problem}")
        return None
    return value


def _overlaps(entities: list[dict[str, Any]], text: str, where: str) -> list[str]:
    """A problem for each entity that overlaps the one before it (entities sorted)."""
    problems = []
    for prev, cur in itertools.pairwise(entities):
        if cur["start"] < prev["end"]:
            problems.append(
                f"{where}:{cur['_line']}: {cur['label']} {text[cur['start'] : cur['end']]!r} "
                f"at {cur['start']} overlaps "
                f"{prev['label']} {text[prev['start'] : prev['end']]!r} (line {prev['_line']})"
            )
    return problems


def _all_offsets(text: str, surface: str, after: str | None) -> list[int]:
    """Every occurrence of `surface` as a whole word (`FAM` is not the start of `FAMILIA`)."""
    start = _find(text, surface, after, 1)
    out = []
    while start is not None and start >= 0:
        end = start + len(surface)
        inside_word = (start > 0 and text[start - 1].isalnum() and surface[0].isalnum()) or (
            end < len(text) and text[end].isalnum() and surface[-1].isalnum()
        )
        if not inside_word:
            out.append(start)
        nxt = text.find(surface, start + 1)
        start = nxt if nxt >= 0 else None
    return out


def _drop_contained_all(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Occurrences from `"all"` that fall inside an explicitly placed entity are not entities."""
    explicit = [e for e in entities if not e["_all"]]
    kept = []
    for ent in entities:
        if ent["_all"] and any(
            o["start"] <= ent["start"] and ent["end"] <= o["end"] and o is not ent for o in explicit
        ):
            continue
        kept.append(ent)
    return kept


def _sections_from_starts(
    starts: list[tuple[int, str]], n: int, where: str, problems: list[str]
) -> list[dict[str, Any]]:
    """Contiguous sections: each runs from its start to the next; before the first is `other`."""
    if not starts:
        return [{"start": 0, "end": n, "label": "other"}] if n else []
    starts = sorted(starts)
    for (a, la), (b, lb) in zip(starts, starts[1:], strict=False):
        if a == b:
            problems.append(f"{where}: two sections ({la}, {lb}) start at the same offset {a}")
    sections = []
    if starts[0][0] > 0:
        sections.append({"start": 0, "end": starts[0][0], "label": "other"})
    for (start, label), nxt in zip(starts, [s for s, _ in starts[1:]] + [n], strict=False):
        if nxt > start:
            sections.append({"start": start, "end": nxt, "label": label})
    merged: list[dict[str, Any]] = []
    for sec in sections:  # neighbours with one label are one section
        if merged and merged[-1]["label"] == sec["label"] and merged[-1]["end"] == sec["start"]:
            merged[-1]["end"] = sec["end"]
        else:
            merged.append(sec)
    return merged


def build_all(
    spec_dir: str | Path, out_dir: str | Path, only: list[str] | None = None, root: Path = REPO_DIR
) -> tuple[list[str], list[str]]:
    """Build every spec in `spec_dir` into `out_dir/<id>.jsonl`; returns (built ids, problems)."""

    built, problems = [], []
    for path in sorted(Path(spec_dir).glob("*.jsonl")):
        if only and not any(path.stem.startswith(prefix) for prefix in only):
            continue
        try:
            record = build_record(read_spec(path), root=root)
        except SpecError as err:
            problems.extend(err.problems)
            continue
        except Exception as err:  # a missing or unreadable document
            problems.append(f"{path}: {err}")
            continue
        write_atomic(Path(out_dir) / f"{record['id']}.jsonl", dumps(record) + "\n")
        built.append(record["id"])
    return built, problems


def add_line(spec_path: str | Path, item: dict[str, Any], root: Path = REPO_DIR) -> None:
    """Append one line to a spec only if the spec still builds with it."""

    spec_path = Path(spec_path)
    spec = read_spec(spec_path)
    spec.lines.append((len(spec.lines) + 2, item))
    build_record(spec, root=root)
    content = spec_path.read_text(encoding="utf-8")
    if content and not content.endswith("\n"):
        content += "\n"
    write_atomic(spec_path, content + json.dumps(item, ensure_ascii=False) + "\n")


def check_gold(path: str | Path) -> list[str]:
    """Problems of gold records (offsets, overlaps, labels, values, sections covering the text)."""

    problems = []
    for record in read_jsonl(path):
        problems.extend(validate_record(record, require_cover=True))
    return problems
