"""Validation of the catalogue: ids, agencies, key periods and names that must be unambiguous.

Run by `fichas catalog check` and the tests. Each problem names the file, the line
and the field, so whoever edits `rules/catalog/` sees where to look.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path

from nlp.catalog import (
    CatalogError,
    Dated,
    Entry,
    Period,
    catalog_path,
    name_key,
    parse_dated,
    parse_period,
    read_entries,
)

LEVELS = ("federal", "state", "municipal", "foreign")
ROLES = ("program", "alignment")


def _where(entry: Entry, field: str) -> str:
    return f"{entry.source_file}:{entry.line}: field {field}"


def _agency_rows(path: Path) -> tuple[set[str], list[str]]:
    """(agency ids, problems): ids unique, parents known, years and ramos parse."""
    if not path.is_file():
        return set(), []
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if raw.strip() and not raw.startswith("#"):
            cells = [c.strip() for c in raw.split("\t")]
            if header is None:
                header = cells
            else:
                rows.append((lineno, dict(zip(header, cells, strict=False))))
    ids: set[str] = set()
    errors = []
    for lineno, row in rows:
        where = f"{path}:{lineno}"
        try:
            parse_dated(row.get("ramo", ""), ":", f"{where}: field ramo")
            parse_dated(row.get("aliases", ""), "@", f"{where}: field aliases")
            if row.get("years"):
                parse_period(row["years"], f"{where}: field years")
        except CatalogError as err:
            errors.append(str(err))
        if row.get("id") in ids:
            errors.append(f"{where}: field id: duplicate agency id {row.get('id')!r}")
        ids.add(row.get("id", ""))
    for lineno, row in rows:
        if row.get("parent") and row["parent"] not in ids:
            errors.append(f"{path}:{lineno}: field parent: unknown agency {row['parent']!r}")
    return ids, errors


def _ramos(entry: Entry) -> set[str]:
    return {r.value for r in entry.ramo}


def _overlap(a: Entry, item_a: Dated, b: Entry, item_b: Dated) -> Period | None:
    """A period in which both items held, if any."""
    for pa in a.period_of(item_a):
        for pb in b.period_of(item_b):
            if pa.overlaps(pb):
                return Period(max(pa.start or 0, pb.start or 0) or None, None)
    return None


def _row_errors(entries: tuple[Entry, ...], agencies: set[str]) -> list[str]:
    errors: list[str] = []
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            errors.append(f"{_where(entry, 'id')}: duplicate id {entry.id!r} (line {first.line})")
        seen.setdefault(entry.id, entry)
        if entry.level not in LEVELS:
            errors.append(f"{_where(entry, 'level')}: {entry.level!r} is not one of {LEVELS}")
        if entry.role not in ROLES:
            errors.append(f"{_where(entry, 'role')}: {entry.role!r} is not one of {ROLES}")
        if agencies and entry.agency and entry.agency not in agencies:
            errors.append(f"{_where(entry, 'agency')}: unknown agency {entry.agency!r}")
        if not entry.sources:
            errors.append(f"{_where(entry, 'sources')}: no source named")
    for entry in entries:
        if entry.replaced_by and entry.replaced_by not in seen:
            errors.append(f"{_where(entry, 'replaced_by')}: unknown id {entry.replaced_by!r}")
    return errors


def _key_errors(entries: tuple[Entry, ...]) -> list[str]:
    """Two programs may not hold the same key in the same ramo in overlapping years."""
    holders: dict[str, list[tuple[Entry, Dated]]] = defaultdict(list)
    for entry in entries:
        for item in entry.keys:
            holders[item.value].append((entry, item))
    errors = []
    for key, found in holders.items():
        for (a, ia), (b, ib) in combinations(found, 2):
            shared_ramo = not _ramos(a) or not _ramos(b) or _ramos(a) & _ramos(b)
            if a.id != b.id and shared_ramo and _overlap(a, ia, b, ib):
                errors.append(
                    f"{_where(b, 'keys')}: key {key} of {b.id!r} overlaps {a.id!r} "
                    f"(line {a.line}) in years {a.period_of(ia)[0]} / {b.period_of(ib)[0]}"
                )
    return errors


def _name_errors(entries: tuple[Entry, ...]) -> list[str]:
    """A name, alias or acronym must resolve to one program in any year (`other_names`,
    lookup-only, may be shared: such a name then resolves to none)."""
    holders: dict[str, list[tuple[Entry, str, Dated]]] = defaultdict(list)
    for entry in entries:
        for column, item in entry.all_names():
            if column != "other_names":
                holders[name_key(item.value)].append((entry, column, item))
    errors = []
    for found in holders.values():
        for (a, _, ia), (b, column, ib) in combinations(found, 2):
            if a.id != b.id and _overlap(a, ia, b, ib):
                errors.append(
                    f"{_where(b, column)}: {ib.value!r} of {b.id!r} also names {a.id!r} "
                    f"(line {a.line}) in the same years; date both or move it to other_names"
                )
    return errors


def check(rules_dir: str | None = None) -> tuple[tuple[Entry, ...], list[str]]:
    """(entries, errors) of the catalogue of a rules folder; errors name file, line, field."""
    path = catalog_path(rules_dir)
    try:
        entries = read_entries(path)
    except CatalogError as err:
        return (), [str(err)]
    agencies, errors = _agency_rows(path.parent / "agencies.tsv")
    errors += _row_errors(entries, agencies) + _key_errors(entries) + _name_errors(entries)
    return entries, errors


def summary(entries: tuple[Entry, ...]) -> dict[str, int]:
    """Counts by level and role, for the CLI and the tests."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        counts[f"{entry.level} {entry.role}"] += 1
    counts["total"] = len(entries)
    return dict(sorted(counts.items()))
