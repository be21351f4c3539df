"""Tables: cells take their label, scale and column from the header, in every seed layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SEEDS

from nlp.records import doc_to_record

PROGRAM_COLUMN, BRANCH_COLUMN = "del programa", "del ramo"


@pytest.mark.parametrize(
    "seed,first_cells",
    [
        (
            SEEDS[0],
            [
                ("6,268.19", 6268190000.0, PROGRAM_COLUMN),
                ("38,017.44", 38017440000.0, BRANCH_COLUMN),
            ],
        ),  # tab-separated
        (
            SEEDS[1],
            [
                ("11,875.74", 11875740000.0, PROGRAM_COLUMN),
                ("663,369.11", 663369110000.0, BRANCH_COLUMN),
            ],
        ),  # tab, no % header
        (
            SEEDS[4],
            [
                ("1,419.37", 1419370000.0, PROGRAM_COLUMN),
                ("487,852.24", 487852240000.0, BRANCH_COLUMN),
            ],
        ),  # header broken over lines
    ],
    ids=lambda v: v.stem if isinstance(v, Path) else "cells",
)
def test_budget_cells_carry_their_column(seed: Path, first_cells: list, blank_pipeline) -> None:
    doc = blank_pipeline(seed.read_text(encoding="utf-8"))
    cells = [e for e in doc.ents if e.label_ == "AMOUNT" and e._.column]
    got = [(e.text, e._.value["amount"], e._.column.lower()) for e in cells[:2]]
    assert [(t, a) for t, a, _ in got] == [(t, a) for t, a, _ in first_cells]
    assert all(
        expected in column
        for (_, _, column), (_, _, expected) in zip(got, first_cells, strict=False)
    )


def test_record_meta_lists_the_columns(blank_pipeline) -> None:
    text = SEEDS[0].read_text(encoding="utf-8")
    record = doc_to_record(blank_pipeline(text), SEEDS[0].stem)
    columns = record["meta"]["columns"]
    amounts = [e for e in record["entities"] if e["label"] == "AMOUNT"]
    assert len(columns) == len(amounts) == 12
    assert sum("Ramo" in columns[str(e["start"])] for e in amounts) == 6


def test_a_program_budget_search_leaves_out_the_branch_column(
    tmp_path: Path, blank_pipeline
) -> None:
    """Issue 6's first question: budgets above 15,000 million pesos of IMSS-BIENESTAR under
    any name. The 2012 ficha's `Presupuesto del Ramo` cells are above it; its program's are not."""
    from nlp.index import build_index
    from nlp.search import search

    records = [
        doc_to_record(blank_pipeline(seed.read_text(encoding="utf-8")), seed.stem)
        for seed in SEEDS[:2]
    ]
    db = tmp_path / "fichas.db"
    build_index(records, db)
    found = search(db, program="IMSS-Oportunidades", label="AMOUNT", amount_min=15e9)
    assert set(found["doc_id"]) == {SEEDS[1].stem}
    assert set(found["surface"]) == {"20,184.01 millones de pesos", "16,475.74"}
    every_amount = search(db, label="AMOUNT", amount_min=15e9)
    assert SEEDS[0].stem in set(every_amount["doc_id"])  # the cells are still there, as AMOUNT
