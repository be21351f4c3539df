"""The corpus manifest (`manifest.csv`: id, file, kind, program, year, provenance).

Annotation reads it so each record carries what we know about a document's kind,
program and year, which the index uses for filters; documents not listed get the
kind guessed from their file name.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

MANIFEST_NAME = "manifest.csv"
FIELDS = ("id", "file", "kind", "program", "year", "provenance")
KINDS = ("ficha", "informe", "circular", "oficio", "acuerdo", "carta")


@lru_cache(maxsize=32)
def _read(path: str) -> dict[str, dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {
            row["id"]: {k: v for k, v in row.items() if k != "id" and v}
            for row in csv.DictReader(handle)
        }


def manifest_entry(file: Path) -> dict[str, str]:
    """Manifest fields of a document from the nearest `manifest.csv` above it (may be empty)."""
    for folder in [file.parent, *file.parent.parents][:3]:
        candidate = folder / MANIFEST_NAME
        if candidate.exists():
            entry = _read(str(candidate)).get(file.stem)
            if entry:
                return dict(entry)
    return {"kind": guess_kind(file.stem)}


def guess_kind(stem: str) -> str:
    """Kind from a file name such as `001_ficha_imss_bienestar_2022`; `document` otherwise."""
    parts = stem.lower().split("_")
    return next((p for p in parts if p in KINDS), "document")
