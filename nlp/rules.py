"""The one loader of `rules/`: every file there is of a kind that `rules/schema.tsv` names
(patterns and term lists live in those files, not in code).

A file no line of the schema matches is an error naming it, so a new rule file is never
silently ignored; TSV files must have their schema's columns. The content of each kind
is validated where it is compiled (`nlp.entity_rules` for regex rules, the heading and
cue loaders for `sections/`), and every error names the file and line.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.settings import rules_dir as default_rules_dir


def rules_root(path: str | os.PathLike[str] | None = None) -> Path:
    """The rules folder: `path` if given, else the default (`nlp.settings.rules_dir`)."""
    return Path(path) if path else default_rules_dir()


def rules_path(rules_dir: str | os.PathLike[str] | None, *parts: str) -> Path:
    """A file of the rules folder (`rules_path(None, "entities", "year.jsonl")`)."""
    return rules_root(rules_dir).joinpath(*parts)


class RulesError(ValueError):
    """A rules folder with a file of no known kind, or a file that breaks its kind's schema."""


#: The kinds of file `rules/schema.tsv` may name; each is read by the code named here.
KINDS: dict[str, str] = {
    "doc": "documentation, not read",
    "tsv": "nlp.rules.read_rules_tsv (columns checked here)",
    "macros": "nlp.entity_rules.macros",
    "regex_rules": "nlp.entity_rules.load_regex_rules",
    "matcher_patterns": "nlp.candidates.names",
    "heading_rules": "nlp.heading_rules",
    "cue_rules": "nlp.section_cues",
    "catalog": "nlp.catalog",
    "datasette_metadata": "nlp.datasette_meta",
}
SCHEMA_FILE = "schema.tsv"


@dataclass(frozen=True)
class FileKind:
    """One line of `rules/schema.tsv`: the files a glob matches, their kind and columns."""

    path: str
    kind: str
    columns: tuple[str, ...] = ()


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line; `#` lines are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return [
        {k: (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(lines, delimiter="\t")
    ]


def _tsv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.startswith("#"):
                return [cell.strip() for cell in line.rstrip("\n").split("\t")]
    return []


@lru_cache(maxsize=8)
def rules_schema(rules_dir: str | None = None) -> tuple[FileKind, ...]:
    """The lines of `rules/schema.tsv`, kinds checked."""
    path = rules_path(rules_dir, SCHEMA_FILE)
    if not path.is_file():
        raise RulesError(f"{path}: missing; every rules folder needs its schema")
    kinds = []
    for row in read_tsv(path):
        if row.get("kind") not in KINDS:
            raise RulesError(f"{path}: {row.get('path')!r} has unknown kind {row.get('kind')!r}")
        columns = tuple(c.strip() for c in row.get("columns", "").split(",") if c.strip())
        kinds.append(FileKind(row["path"], row["kind"], columns))
    return tuple(kinds)


def kind_of(relative: str, schema: tuple[FileKind, ...]) -> FileKind | None:
    """The first schema line whose glob matches a path relative to the rules folder."""
    return next((k for k in schema if fnmatch.fnmatchcase(relative, k.path)), None)


@lru_cache(maxsize=8)
def rules_files(rules_dir: str | None = None) -> dict[str, tuple[Path, ...]]:
    """Kind -> the files of that kind in the rules folder (sorted). Raises `RulesError`
    naming the first file of no known kind, or a TSV file without its columns.
    Hidden files (`.DS_Store`, editor backups starting with `.`) are left out."""
    root = rules_root(rules_dir)
    schema = rules_schema(rules_dir)
    found: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        kind = kind_of(relative, schema)
        if kind is None:
            raise RulesError(
                f"{path}: unknown rules file; add a line for it to {root / SCHEMA_FILE}"
            )
        missing = [c for c in kind.columns if c not in _tsv_header(path)]
        if kind.kind == "tsv" and missing:
            raise RulesError(f"{path}: missing columns {missing} (header: {_tsv_header(path)})")
        found[kind.kind].append(path)
    return {kind: tuple(paths) for kind, paths in found.items()}


def read_rules_tsv(rules_dir: str | None, *parts: str) -> list[dict[str, str]]:
    """Rows of a TSV file of the rules folder, after the folder passed its schema check."""
    rules_files(rules_dir)
    return read_tsv(rules_path(rules_dir, *parts))


def iter_rule_records(
    lines: Iterable[str], source: str, error: type[ValueError] = ValueError
) -> Iterator[tuple[str, Any]]:
    """(`file:line`, parsed JSON) of each rule line; blank and `//` lines are skipped.

    The ids of the records must be unique; both problems raise `error` naming file and line.
    """
    seen: dict[str, str] = {}
    for lineno, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        where = f"{source}:{lineno}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as err:
            raise error(f"{where}: invalid JSON: {err.msg}") from err
        rule_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(rule_id, str) and rule_id:
            if rule_id in seen:
                raise error(f"{where}: duplicate id {rule_id!r} (first at {seen[rule_id]})")
            seen[rule_id] = where
        yield where, data


def read_jsonl_rules(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL rules file; errors (bad JSON, duplicate id) name the file and line."""
    with path.open(encoding="utf-8") as handle:
        return [data for _, data in iter_rule_records(handle, str(path))]
