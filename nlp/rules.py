"""Load and validate the data files of `rules/` (patterns and term lists live there, not in code)."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlp.settings import rules_dir as default_rules_dir
from nlp.textmap import fold


@dataclass(frozen=True)
class Program:
    """One program of the gazetteer: canonical name, budget key, every other name it had."""

    id: str
    name: str
    key: str | None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    role: str = "program"  # or "alignment": plans and sectoral programs documents align to
    acronyms: tuple[str, ...] = field(default_factory=tuple)  # matched as written (case-sensitive)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _dir(path: str | os.PathLike[str] | None) -> Path:
    return Path(path) if path else default_rules_dir()


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a tab-separated file with a header line; `#` lines are comments."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return [
        {k: (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(lines, delimiter="\t")
    ]


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
    """Records of a JSONL rules file; errors name the file and line."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if line.strip() and not line.lstrip().startswith("//"):
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise ValueError(f"{path}:{lineno}: invalid JSON: {err.msg}") from err
    return out


@lru_cache(maxsize=8)
def load_programs(rules_dir: str | None = None) -> tuple[Program, ...]:
    """The program gazetteer, read from the catalogue (`catalog/programs.tsv`): names and
    aliases of every year, and acronyms; `other_names` are for lookups only, not matching."""
    from nlp.catalog import load

    return tuple(
        Program(
            id=entry.id,
            name=entry.name,
            key=entry.key,
            aliases=tuple(dict.fromkeys(a.value for a in entry.aliases)),
            role=entry.role,
            acronyms=tuple(dict.fromkeys(a.value for a in entry.acronyms)),
        )
        for entry in load(str(rules_dir) if rules_dir else None).entries
    )


@lru_cache(maxsize=8)
def program_lookup(rules_dir: str | None = None) -> dict[str, Program]:
    """Folded name, alias or key -> program, for resolving any mention to its canonical entry."""
    table: dict[str, Program] = {}
    programs = load_programs(rules_dir)
    for program in programs:
        for name in (*program.names, *program.acronyms):
            table.setdefault(fold(name), program)
    holders: dict[str, list[Program]] = {}
    for program in programs:
        if program.key:
            holders.setdefault(fold(program.key), []).append(program)
    for key, found in holders.items():  # a key two programs held (in other years) names neither
        if len(found) == 1:
            table.setdefault(key, found[0])
    return table
