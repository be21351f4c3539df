"""Candidates of table cells: bare numbers valued by their column header (`nlp.tables`)."""

from __future__ import annotations

from collections.abc import Iterator

from nlp.candidates import Candidate, DocView
from nlp.tables import table_entities

#: Cells are read from their table's layout, so they beat a rule's reading of the same text.
CELL_PRIORITY = 5


class TableCells:
    """Every AMOUNT and PERCENT cell of the document's tables, with its value and column."""

    def __init__(self, rules_dir: str | None = None) -> None:
        self.rules_dir = rules_dir

    def __call__(self, view: DocView) -> Iterator[Candidate]:
        for cell in table_entities(view.textmap.norm, view.decimal, self.rules_dir):
            start, end = view.textmap.span(cell.start, cell.end)
            yield Candidate(
                start,
                end,
                cell.label,
                cell.rule,
                cell.rank,
                CELL_PRIORITY,
                value=cell.value,
                column=cell.column,
            )
