"""Datasette metadata for the search index: titles and descriptions of its tables and
columns, the label vocabularies, and canned queries an analyst runs without SQL.

`fichas index` writes it beside the database (`fichas.db` -> `fichas.metadata.json`),
so `datasette fichas.db --metadata fichas.metadata.json` shows a documented index.
The text is `rules/index/datasette.json`; the vocabularies come from the guide's labels
and `rules/lexicon/label_names_es.tsv`, so they never drift from the code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nlp.labels_es import entity_names, section_names
from nlp.records import write_atomic
from nlp.rules import rules_path

TEMPLATE = ("index", "datasette.json")
#: Columns that hold a label id, and which vocabulary.
LABEL_COLUMNS = {
    ("sections", "label"): "section",
    ("entities", "section"): "section",
    ("entities", "label"): "entity",
}
FACETS = {"documents": ["kind", "year"], "sections": ["label"], "entities": ["label", "section"]}


def metadata_path(db_path: str | os.PathLike[str]) -> Path:
    """Where the metadata of the index at `db_path` goes: `<stem>.metadata.json` beside it."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}.metadata.json")


def vocabulary(kind: str) -> str:
    """`description (Descripción), population (Población), ...` for a label kind."""
    names = section_names() if kind == "section" else entity_names()
    return ", ".join(f"{label} ({name})" for label, name in names.items())


def metadata(db_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The Datasette metadata object for the index at `db_path` (database name = file stem)."""
    source = rules_path(None, *TEMPLATE)
    try:
        template = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{source}: cannot read the Datasette metadata ({err})") from err
    tables = template["tables"]
    for (table, column), kind in LABEL_COLUMNS.items():
        columns = tables[table]["columns"]
        columns[column] = f"{columns[column]} Una de: {vocabulary(kind)}."
    for table, facets in FACETS.items():
        tables[table]["facets"] = facets
    database = {"tables": tables, "queries": template["queries"]}
    return {
        "title": template["title"],
        "description": template["description"],
        "databases": {Path(db_path).stem: database},
    }


def write_metadata(db_path: str | os.PathLike[str]) -> Path:
    """Write the metadata beside the index (atomically); returns its path."""
    path = metadata_path(db_path)
    write_atomic(path, json.dumps(metadata(db_path), ensure_ascii=False, indent=1) + "\n")
    return path
