"""One program's history: its documents by year under any of its names, what each said
in its strengths, weaknesses, recommendations and improvements, and its budget and
coverage series.

Analysts ask about one program across years ("what was recommended in 2012, and in
2022? did the budget follow?"). The program is found by any name, earlier name or key
(the index's `program_names`, filled from the catalogue), so `IMSS-Oportunidades`
reaches the IMSS-BIENESTAR documents. The web page `/programa/<name>` and the
DataFrames of `program_history` / `program_series` read the same data.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from nlp.index_schema import connect_read
from nlp.labels_es import section_name
from nlp.web.data import program_names, series

#: Sections compared across years, in the order of the page's rows.
COMPARED = ("recommendations", "weaknesses", "strengths", "improvements")

DbPath = str | os.PathLike[str] | None


@dataclass
class ProgramDoc:
    """One document of the program with the text of its compared sections."""

    id: str
    year: int | None
    kind: str | None
    file: str | None
    texts: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # label: [(start, text)]


@dataclass
class ProgramHistory:
    """What the program page shows: names, documents by year, series."""

    query: str
    names: list[str]
    documents: list[ProgramDoc]
    budget: list[Any]
    coverage: list[Any]

    def by_year(self) -> list[tuple[int | None, list[ProgramDoc]]]:
        """Documents grouped by their year, oldest first (no year last)."""
        groups: dict[int | None, list[ProgramDoc]] = defaultdict(list)
        for doc in self.documents:
            groups[doc.year].append(doc)
        return sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))


def resolve(db: DbPath, program: str) -> list[str]:
    """Canonical names that `program` stands for (any name, earlier name, key or surface);
    `nlp.web.data.NotFound` with suggestions when none."""
    return program_names(db, program)


def history(db: DbPath, program: str, with_series: bool = True) -> ProgramHistory:
    """The program's documents (oldest first) with their compared sections, and its series."""
    names = resolve(db, program)
    marks = ", ".join("?" * len(names))
    conn = connect_read(db)
    try:
        docs = {
            row[0]: ProgramDoc(*row)
            for row in conn.execute(
                f"SELECT id, year, kind, file FROM documents WHERE program IN ({marks})"
                " ORDER BY year IS NULL, year, id",
                names,
            )
        }
        label_marks = ", ".join("?" * len(COMPARED))
        sections = conn.execute(
            "SELECT s.doc_id, s.label, s.start, s.text"
            " FROM documents d CROSS JOIN sections s ON s.doc_id = d.id"  # the documents first
            f" WHERE d.program IN ({marks}) AND s.label IN ({label_marks})"
            " ORDER BY s.doc_id, s.start",
            [*names, *COMPARED],
        ).fetchall()
    finally:
        conn.close()
    for doc_id, label, start, text in sections:
        docs[doc_id].texts.setdefault(label, []).append((start, text))
    budget: list[Any] = []
    coverage: list[Any] = []
    if with_series:
        budget, coverage = series(db, names)
    return ProgramHistory(program, names, list(docs.values()), budget, coverage)


def program_history(db: DbPath, program: str) -> Any:
    """The program's compared sections as a DataFrame, one row per document and section
    label: program, year, doc_id, kind, section, section_es, text (the label's sections
    of that document joined by blank lines). Ordered by year, then label as on the page."""
    import pandas as pd

    found = history(db, program, with_series=False)
    rows = [
        {
            "program": " | ".join(found.names),
            "year": doc.year,
            "doc_id": doc.id,
            "kind": doc.kind,
            "section": label,
            "section_es": section_name(label),
            "text": "\n\n".join(text.strip() for _, text in doc.texts[label]),
        }
        for doc in found.documents
        for label in COMPARED
        if label in doc.texts
    ]
    columns = ["program", "year", "doc_id", "kind", "section", "section_es", "text"]
    df = pd.DataFrame(rows, columns=columns)
    df["year"] = pd.array(df["year"].tolist(), dtype="Int64")
    return df


def program_series(db: DbPath, program: str) -> Any:
    """The program's budget and coverage points as a DataFrame: series (`budget` or
    `coverage`), name (table column), unit, year, value, doc_id, surface, start."""
    import pandas as pd

    found = history(db, program)
    rows = [
        {"series": kind, "name": s.name, "unit": s.unit}
        | {"year": p.year, "value": p.value, "doc_id": p.doc_id}
        | {"surface": p.surface, "start": p.start}
        for kind, group in (("budget", found.budget), ("coverage", found.coverage))
        for s in group
        for p in s.points
    ]
    columns = ["series", "name", "unit", "year", "value", "doc_id", "surface", "start"]
    return pd.DataFrame(rows, columns=columns)
