"""The catalogue of programs (`rules/catalog/programs.tsv`): load, index, look up, link.

One row per program: its canonical name, every earlier name with the years it was
used, its budget keys with the years each was valid, its agency. A mention, a
name of any year or a budget key resolves to one `Entry`; a name or key that two
programs share in the same year resolves to none (ambiguous short names are left
unlinked, not guessed). Format: docs/catalog.md; validation: `nlp.catalog_check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from nlp.rules import read_tsv, rules_path
from nlp.textmap import fold

COLUMNS = (
    "id name level role ramo keys agency years aliases acronyms other_names replaced_by sources"
).split()
KEY_RE = re.compile(r"^([A-Z])\s*-?\s*(\d{3})$")
_PERIOD_RE = re.compile(r"^(\d{4})?(-)?(\d{4})?$")
_NAME_PREFIXES = ("programa del ", "programa de la ", "programa de ", "programa ")


class CatalogError(ValueError):
    """A bad row of the catalogue; the message names file, line and field."""


@dataclass(frozen=True)
class Period:
    """Years `start`-`end`, both inclusive; None on a side means open."""

    start: int | None = None
    end: int | None = None

    def contains(self, year: int) -> bool:
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)

    def overlaps(self, other: Period) -> bool:
        lo = max(self.start or 0, other.start or 0)
        hi = min(self.end or 9999, other.end or 9999)
        return lo <= hi

    def __str__(self) -> str:
        if self.start == self.end and self.start is not None:
            return str(self.start)
        return f"{self.start or ''}-{self.end or ''}"


@dataclass(frozen=True)
class Dated:
    """A name, key or ramo with the years it held (None: all the program's years)."""

    value: str
    period: Period | None = None

    def __str__(self) -> str:
        return f"{self.value}:{self.period}" if self.period else self.value


@dataclass(frozen=True)
class Entry:
    """One program of the catalogue."""

    id: str
    name: str
    level: str = "federal"
    role: str = "program"
    agency: str | None = None
    ramo: tuple[Dated, ...] = ()
    keys: tuple[Dated, ...] = ()
    years: tuple[Period, ...] = ()
    aliases: tuple[Dated, ...] = ()
    acronyms: tuple[Dated, ...] = ()
    other_names: tuple[Dated, ...] = ()
    replaced_by: str | None = None
    sources: str = ""
    line: int = 0
    source_file: str = field(default="", compare=False)

    @property
    def key(self) -> str | None:
        """The latest budget key (the last one listed)."""
        return self.keys[-1].value if self.keys else None

    def active(self, year: int) -> bool:
        """Whether the program ran in `year` (unknown years count as yes)."""
        return not self.years or any(p.contains(year) for p in self.years)

    def period_of(self, item: Dated) -> tuple[Period, ...]:
        """The years a name or key held: its own, else the program's."""
        return (item.period,) if item.period else self.years or (Period(),)

    def all_names(self) -> Iterator[tuple[str, Dated]]:
        """(column, name) of every name of the program, canonical first."""
        yield "name", Dated(self.name)
        for column in ("aliases", "acronyms", "other_names"):
            for item in getattr(self, column):
                yield column, item


def name_key(name: str) -> str:
    """Lookup key that ignores case, accents, quotes, hyphens and spacing."""
    return " ".join(fold(name).replace("-", " ").split())


def _loose(key: str) -> str:
    """A name key without a leading `programa`/`programa de`/`programa del`."""
    for prefix in _NAME_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            return key[len(prefix) :]
    return key


def normalize_key(text: str) -> str | None:
    """`S-072` -> `S072`; None if the text is not a budget key."""
    match = KEY_RE.match(text.strip().upper())
    return f"{match.group(1)}{match.group(2)}" if match else None


# -- parsing ---------------------------------------------------------------------
def parse_period(text: str, where: str) -> Period:
    match = _PERIOD_RE.match(text.strip())
    if not text.strip() or not match or not (match.group(1) or match.group(3)):
        raise CatalogError(f"{where}: bad years {text!r} (expected 2008, 2008-2019 or 2008-)")
    start = int(match.group(1)) if match.group(1) else None
    end = int(match.group(3)) if match.group(3) else (None if match.group(2) else start)
    if start and end and end < start:
        raise CatalogError(f"{where}: years {text!r} end before they start")
    return Period(start, end)


def parse_dated(text: str, sep: str, where: str) -> tuple[Dated, ...]:
    """`A@2008-2019|B` (names, sep `@`) or `S072:2008-2019|S072` (keys and ramos, sep `:`)."""
    out = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        value, _, years = part.rpartition(sep)
        if value and _PERIOD_RE.match(years.strip()):
            out.append(Dated(value.strip(), parse_period(years, where)))
        else:
            out.append(Dated(part))
    return tuple(out)


def _row_entry(row: dict[str, str], where: str, source: str, lineno: int) -> Entry:
    keys = parse_dated(row["keys"], ":", f"{where}: field keys")
    for key in keys:
        if normalize_key(key.value) != key.value:
            raise CatalogError(f"{where}: field keys: {key.value!r} is not a key like S072")
    years = tuple(
        parse_period(p, f"{where}: field years") for p in row["years"].split("|") if p.strip()
    )
    return Entry(
        id=row["id"],
        name=row["name"],
        level=row["level"] or "federal",
        role=row["role"] or "program",
        agency=row["agency"] or None,
        ramo=parse_dated(row["ramo"], ":", f"{where}: field ramo"),
        keys=keys,
        years=years,
        aliases=parse_dated(row["aliases"], "@", f"{where}: field aliases"),
        acronyms=parse_dated(row["acronyms"], "@", f"{where}: field acronyms"),
        other_names=parse_dated(row["other_names"], "@", f"{where}: field other_names"),
        replaced_by=row["replaced_by"] or None,
        sources=row["sources"],
        line=lineno,
        source_file=source,
    )


def read_entries(path: Path) -> tuple[Entry, ...]:
    """Every row of a catalogue file; a malformed row raises `CatalogError` (file:line: field)."""
    if not path.is_file():
        raise CatalogError(f"{path}: catalogue file not found")
    entries: list[Entry] = []
    header: list[str] | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = [c.strip() for c in raw.split("\t")]
        where = f"{path}:{lineno}"
        if header is None:
            if cells != COLUMNS:
                raise CatalogError(f"{where}: header must be {' '.join(COLUMNS)!r}")
            header = cells
            continue
        if len(cells) != len(header):
            raise CatalogError(f"{where}: {len(cells)} fields, expected {len(header)}")
        row = dict(zip(header, cells, strict=True))
        for required in ("id", "name"):
            if not row[required]:
                raise CatalogError(f"{where}: field {required} is empty")
        entries.append(_row_entry(row, where, str(path), lineno))
    return tuple(entries)


# -- the index -------------------------------------------------------------------
@dataclass
class Catalog:
    """Entries with their name and key indexes."""

    entries: tuple[Entry, ...]
    by_id: dict[str, Entry] = field(default_factory=dict)
    names: dict[str, list[tuple[Entry, Dated]]] = field(default_factory=dict)
    loose: dict[str, list[tuple[Entry, Dated]]] = field(default_factory=dict)
    keys: dict[str, list[tuple[Entry, Dated]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self.by_id.setdefault(entry.id, entry)
            for _, item in entry.all_names():
                key = name_key(item.value)
                self.names.setdefault(key, []).append((entry, item))
                self.loose.setdefault(_loose(key), []).append((entry, item))
            for key_item in entry.keys:
                self.keys.setdefault(key_item.value, []).append((entry, key_item))


def catalog_path(rules_dir: str | None = None) -> Path:
    return rules_path(rules_dir, "catalog", "programs.tsv")


@lru_cache(maxsize=8)
def load(rules_dir: str | None = None) -> Catalog:
    """The catalogue of a rules folder (default: the project's), read once."""
    return Catalog(read_entries(catalog_path(rules_dir)))


def _pick(found: list[tuple[Entry, Dated]], year: int | None) -> Entry | None:
    """The one program among `found`; with a year, the one whose name or key held then."""
    programs = {entry.id: entry for entry, _ in found}
    if len(programs) > 1 and year is not None:
        dated = {e.id: e for e, item in found if any(p.contains(year) for p in e.period_of(item))}
        programs = dated or programs
    return next(iter(programs.values())) if len(programs) == 1 else None


def lookup(
    name_or_key: str, year: int | None = None, rules_dir: str | None = None, ids: bool = True
) -> Entry | None:
    """The program a name (of any year), acronym, budget key or id names; None if unknown
    or ambiguous. A year picks, among programs sharing a name or key, the one of that year."""
    catalog = load(rules_dir)
    if ids and name_or_key in catalog.by_id:
        return catalog.by_id[name_or_key]
    key = normalize_key(name_or_key)
    if key:
        return _pick(catalog.keys.get(key, []), year)
    folded = name_key(name_or_key)
    if folded in catalog.names:
        return _pick(catalog.names[folded], year)
    return _pick(catalog.loose.get(_loose(folded), []), year)


def canonical(name: str, program_id: str | None = None, rules_dir: str | None = None) -> str:
    """The catalogue's name for a value (by its `id`, else its name), else the name itself:
    records made before the catalogue, or by other annotators, group under one program."""
    try:
        catalog = load(rules_dir)
    except (CatalogError, FileNotFoundError):  # no catalogue where this runs: names as written
        return name
    entry = catalog.by_id.get(program_id or "") or lookup(name, rules_dir=rules_dir, ids=False)
    return entry.name if entry else name


def name_in_year(entry: Entry, year: int) -> str:
    """The name the program had in `year`: the first alias dated to that year, else its name."""
    for item in entry.aliases:
        if item.period and item.period.contains(year):
            return entry.name if name_key(item.value) == name_key(entry.name) else item.value
    return entry.name


def key_in_year(entry: Entry, year: int) -> str | None:
    """The budget key the program had in `year`, if any."""
    for item in entry.keys:
        if any(p.contains(year) for p in entry.period_of(item)):
            return item.value
    return None


# -- agencies -----------------------------------------------------------------------
@lru_cache(maxsize=8)
def _agency_table(rules_dir: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(folded id, name, earlier name or acronym -> agency id; agency id -> parent id)."""
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    for row in read_tsv(catalog_path(rules_dir).parent / "agencies.tsv"):
        for item in (Dated(row["id"]), Dated(row["name"]), *parse_dated(row["aliases"], "@", "")):
            names.setdefault(name_key(item.value), row["id"])
        if row.get("parent"):
            parents[row["id"]] = row["parent"]
    return names, parents


def agency_programs(agency: str, rules_dir: str | None = None) -> list[Entry] | None:
    """Programs of an agency (by id or any name it had, `SEDESOL` = Bienestar) and of the
    agencies under it; None when no agency has that name."""
    names, parents = _agency_table(rules_dir)
    agency_id = names.get(name_key(agency))
    if agency_id is None:
        return None
    under = {agency_id} | {child for child, parent in parents.items() if parent == agency_id}
    return [e for e in load(rules_dir).entries if e.agency in under]


# -- linking mentions --------------------------------------------------------------
@lru_cache(maxsize=8)
def linkable_key_types(rules_dir: str | None = None) -> frozenset[str]:
    """Key letters numbered across the whole budget (`rules/catalog/key_types.tsv`)."""
    path = catalog_path(rules_dir).parent / "key_types.tsv"
    return frozenset(row["letter"] for row in read_tsv(path))


def link_value(
    value: dict[str, str | None], doc_year: int | None = None, rules_dir: str | None = None
) -> dict[str, str | None]:
    """A PROGRAM value `{"name", "key"}` with its catalogue `id` (None when unlinked).

    The name links first (of any year; the document's year settles a shared name); a
    stated key links only when its type is numbered across the budget (S, U). A linked
    value takes the catalogue's canonical name; `key` stays what the document states.
    """
    name, key = value.get("name"), value.get("key")
    name_as_key = normalize_key(name) if name else None  # a bare key the document left unnamed
    entry = lookup(name, doc_year, rules_dir, ids=False) if name and not name_as_key else None
    for stated in (key, name_as_key):
        if entry is None and stated and stated[:1] in linkable_key_types(rules_dir):
            entry = lookup(stated, doc_year, rules_dir, ids=False)
    if entry is None:
        return {"name": name, "key": key, "id": None}
    return {"name": entry.name, "key": key, "id": entry.id}
