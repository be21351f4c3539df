"""What the search page needs, fast: every matching row once (no snippets), its facets,
and snippets for the rows of the shown page only.

`nlp.search.search` with snippets costs ~1 ms a row (each section's words are folded
and matched in Python): 6 s for a word found in 10,000 sections. The page shows 20 to
100 rows, so it asks for the rows without snippets (and without the section text), and
makes snippets for its page. Rows, facets and the document list are kept per index
state (the file's inode, size and time, and its WAL's): paging, a facet click or a
download of the same query is served from memory, and `fichas index` writing the file
makes the next request read it again. The cache is bounded (`CACHE_SIZE` queries).
"""

from __future__ import annotations

import os
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from nlp.index_schema import connect_read
from nlp.search import COLUMNS, search_rows, usable_stemmer
from nlp.search_query import parse_text
from nlp.snippets import phrase_hits, snippet
from nlp.web import data, ranked

CACHE_SIZE = 64
#: Rows the page counts and facets (best first); "2,000+" beyond. A word found in every
#: document costs ~60 ms for 2,000 rows and ~250 ms for 10,000 (MAX_LIMIT, what the
#: downloads give) on 10,000 documents.
PAGE_LIMIT = 2_000
#: Private-use characters around hits: escaped text cannot contain them, so the page
#: swaps them for <mark> tags after escaping.
PAGE_MARKS = ("\ue000", "\ue001")
#: Programs offered as you type in the form, and values listed per facet (most rows first).
DATALIST_SIZE = 200
FACET_SIZE = 25
#: One facet value and its number of rows.
Facet = tuple[str, int]


def index_state(db: Path) -> tuple[Any, ...]:
    """What changes when the index is written: inode, size and mtime of the file and its WAL."""
    out: list[Any] = []
    for path in (db, db.with_name(db.name + "-wal")):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            out.append(None)
            continue
        out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


class Results:
    """Search rows, facets and the document list of one index, cached per index state."""

    def __init__(self, db: Path, size: int = CACHE_SIZE) -> None:
        self.db = db
        self.size = size
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, key: Any, make: Any) -> Any:
        """`make()`, computed once per index state and `key` (the least recently used go)."""
        key = (index_state(self.db), key)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = make()  # outside the lock: other queries go on meanwhile
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return value

    def documents(self) -> dict[str, dict[str, Any]]:
        """{id: document row} of every indexed document, in id order."""
        return self.cached("documents", lambda: {d["id"]: d for d in data.documents(self.db)})

    def warm(self) -> None:
        """Load the document list and the section map in a background thread (at server
        start), so the first searches do not each wait for them."""

        def load() -> None:
            try:
                self.choices()
                self.sections()
            except Exception:  # noqa: BLE001 - a missing index is reported by the pages
                return

        threading.Thread(target=load, name="fichas-warm", daemon=True).start()

    def choices(self) -> tuple[list[str], list[str]]:
        """(document kinds, the `DATALIST_SIZE` programs with most documents) for the form."""

        def make() -> tuple[list[str], list[str]]:
            docs = self.documents().values()
            counts = Counter(d["program"] for d in docs if d["program"])
            top = sorted(name for name, _ in counts.most_common(DATALIST_SIZE))
            return sorted({d["kind"] for d in docs if d["kind"]}), top

        return self.cached("choices", make)

    def sections(self) -> ranked.SectionMap:
        """Every section's search row by id (`nlp.web.ranked`)."""
        return self.cached("sections", lambda: ranked.section_map(self.db))

    def rows(self, kwargs: dict[str, Any]) -> Found:
        """Every matching row without snippets (up to `PAGE_LIMIT`), and its facets."""
        return self.cached(("rows", query_key(kwargs)), lambda: self._find(kwargs))

    def _find(self, kwargs: dict[str, Any]) -> Found:
        # plain rows, no DataFrame: pandas and the typed columns cost more than a rare word's SQL
        if ranked.words_only(kwargs):
            sections = self.sections()
            rows = ranked.ranked_rows(self.db, kwargs["text"], PAGE_LIMIT, sections)
        else:
            rows = search_rows(self.db, PAGE_LIMIT, None, **kwargs)
        entity_rows = any(row[4] is not None for row in rows)
        docs = self.documents()
        keys = self.cached("doc_keys", lambda: doc_keys(docs))
        return Found(rows, len(rows), facets(rows, docs, keys), entity_rows)

    def page(self, kwargs: dict[str, Any], page_no: int, per_page: int) -> list[dict[str, Any]]:
        """The rows of one page as dicts, with snippets (hits in private-use marks)."""
        found = self.rows(kwargs)

        def make() -> list[dict[str, Any]]:
            shown = found.rows[(page_no - 1) * per_page : page_no * per_page]
            rows = [dict(zip(COLUMNS, row, strict=True)) for row in shown]
            return with_snippets(self.db, rows, kwargs.get("text"), PAGE_MARKS, 80)

        return self.cached(("page", query_key(kwargs), page_no, per_page), make)


def query_key(kwargs: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in kwargs.items()))


@dataclass
class Found:
    """Every row of a query (`nlp.search.COLUMNS`, without snippets), its count and facets,
    and whether they are entity rows."""

    rows: list[Any]  # lists or tuples
    total: int
    facets: dict[str, list[tuple[str, int]]]
    entity_rows: bool


class _Keys(dict):
    """Document id -> facet value; "—" for an id it does not have."""

    def __missing__(self, key: str) -> str:
        return "—"


def doc_keys(docs: dict[str, dict[str, Any]]) -> tuple[_Keys, _Keys]:
    """(program, year as text) of each document, as the program and year facets show them."""
    program = _Keys({d: doc.get("program") or "—" for d, doc in docs.items()})
    year = _Keys({d: str(doc.get("year") or "—") for d, doc in docs.items()})
    return program, year


def facets(
    rows: list[Any], docs: dict[str, dict[str, Any]], keys: tuple[_Keys, _Keys] | None = None
) -> dict[str, list[Facet]]:
    """Counts of result rows by label, program, document year and section: the
    `FACET_SIZE` largest (the latest years), so a page stays small on a large index.
    `keys` is `doc_keys(docs)` when the caller keeps it."""
    program_of, year_of = keys if keys is not None else doc_keys(docs)
    # Counter over maps counts in C: ~0.2 ms for 2,000 rows
    doc_ids = list(map(itemgetter(0), rows))  # COLUMNS: doc_id, file, kind, section, label
    program = Counter(map(program_of.__getitem__, doc_ids))
    year = Counter(map(year_of.__getitem__, doc_ids))
    section = Counter(map(itemgetter(3), rows))
    label = Counter(map(itemgetter(4), rows))
    section.pop(None, None)
    label.pop(None, None)
    columns = {"label": label, "program": program, "doc_year": year, "section": section}
    return {
        name: sorted(counts.items())[-FACET_SIZE:]
        if name == "doc_year"
        else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        for name, counts in columns.items()
    }


def with_snippets(
    db: Path, rows: list[dict[str, Any]], text: str | None, marks: tuple[str, str], width: int
) -> list[dict[str, Any]]:
    """`rows` (search rows without snippets) with the snippet `search` would have made:
    the query's hits in a section row, the entity itself in an entity row."""
    if not rows:
        return []
    phrases = parse_text(text) if text else []
    conn = connect_read(db)
    try:
        stemmer = usable_stemmer(conn)
        out = []
        for row in rows:
            found = conn.execute(
                "SELECT start, text FROM sections WHERE doc_id = ? AND start <= ?"
                " ORDER BY start DESC LIMIT 1",
                (row["doc_id"], row["start"]),
            ).fetchone()
            if isinstance(row.get("label"), str):
                if found is None or row["end"] > found[0] + len(found[1]):
                    snip = f"{marks[0]}{' '.join(str(row['surface']).split())}{marks[1]}"
                else:
                    hit = (row["start"] - found[0], row["end"] - found[0])
                    snip = snippet(found[1], [hit], marks, width)
            else:
                sec_text = found[1] if found else ""
                snip = snippet(sec_text, phrase_hits(sec_text, phrases, stemmer), marks, width)
            out.append({**row, "snippet": snip})
    finally:
        conn.close()
    return out
