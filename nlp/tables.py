"""Budget and coverage tables: bare numbers become AMOUNT or PERCENT by their column header.

A table cell like `6,268.19` means nothing alone; under `Presupuesto del Programa
(MDP)` it is 6,268.19 million pesos. Tables arrive as tab-separated lines, as
space-aligned columns, or broken one cell per line, so a table is found as a
*zone*: a header line that states a scale or currency, then the rows under it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from nlp.table_layout import (
    TablePatterns,
    aligned_columns,
    header_scale,
    is_prose,
    is_row,
    money_headers,
    tab_columns,
    table_patterns,
)
from nlp.table_rows import restore_rows
from nlp.textmap import normalize
from nlp.values.numbers import decimal_convention, parse_number

_YEAR_LABEL = regex.compile(r"^\s*(?:19|20)\d\d\s*$")
_GLUED = regex.compile(r"^(?P<count>\d{1,3}),(?P<pct>\d{1,3}%)$")
#: How many lines below a header a table may run.
MAX_TABLE_LINES = 60


@dataclass(frozen=True)
class CellEntity:
    """An entity found in a table cell, in normalized-text offsets."""

    start: int
    end: int
    label: str
    value: object
    rule: str
    rank: int = 3
    column: str | None = None  # the header of the cell's column, when the table says it


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def table_entities(
    text: str, decimal: str | None = None, rules_dir: str | None = None
) -> list[CellEntity]:
    """Entities of table cells in `text` (normalized), by the headers of their zones."""
    pats = table_patterns(rules_dir)
    text = restore_rows(text)  # rows of a flattened table back on their own lines
    out: list[CellEntity] = []
    lines = list(_lines(text))
    index = 0
    while index < len(lines):
        pos, line = lines[index]
        scale = header_scale(line, pats) if len(line) < 200 else None
        columns = tab_columns(line, pats) if "\t" in line and not is_row(line, pats) else None
        if scale is None and not (columns and "percent" in columns):
            index += 1
            continue
        zone = _Zone(pats, lines, index, scale or (1.0, "MXN"), columns, decimal)
        out.extend(zone.header_value())
        rows_seen, cursor = zone.read_rows(out)
        index = cursor if rows_seen else index + 1
    out.extend(_glued_cells(text, decimal))
    return out


@dataclass
class _Zone:
    """A table zone: its header line at `lines[index]` and the rows under it."""

    pats: TablePatterns
    lines: list[tuple[int, str]]
    index: int
    scale: tuple[float, str]
    columns: list[str] | None
    decimal: str | None

    def __post_init__(self) -> None:
        line = self.lines[self.index][1]
        self.aligned = aligned_columns(line, self.pats) if self.columns is None else None
        self.money_headers = money_headers(self.lines, self.index, line, self.columns, self.pats)

    def header_value(self) -> list[CellEntity]:
        """`Presupuesto original 2011 (MDP): 1,500.00`: the header carries its own value."""
        pos, line = self.lines[self.index]
        money = self.pats.money_header.search(line)
        tail = line[money.end() :] if money else ""
        if self.columns is not None or not self.pats.header_value.match(tail):
            return []
        head = " ".join(line[: money.end()].split()) if money else None
        start = pos + len(line) - len(tail)
        return self._row(start, tail, None, [head] if head else [])

    def read_rows(self, out: list[CellEntity]) -> tuple[int, int]:
        """Add the entities of the zone's rows to `out`; (rows read, index after the zone)."""
        broken_column = 0
        rows_seen = 0
        cursor = self.index + 1
        while cursor < len(self.lines) and cursor - self.index <= MAX_TABLE_LINES:
            row_pos, row = self.lines[cursor]
            if not row.strip():
                cursor += 1
                continue
            if is_row(row, self.pats):
                headers, broken_column = self._row_headers(row, broken_column)
                out.extend(self._row(row_pos, row, self.aligned, headers, self.columns))
                rows_seen += 1
            elif self._ends_zone(row, rows_seen):
                break
            cursor += 1
        return rows_seen, cursor

    def _row_headers(self, row: str, broken_column: int) -> tuple[list[str], int]:
        """Money headers of a row's cells, and the column a table broken one cell per line
        is at."""
        own = self.pats.money_header.search(row) if self.columns is None else None
        if own:  # `Presupuesto modificado (MDP): 1,472.58`
            return [" ".join(row[: own.end()].split())], broken_column
        cells = self.pats.cell.findall(row)
        if len(cells) == 1 and "\t" not in row:  # a table broken one cell per line
            number, pct = cells[0]
            if _YEAR_LABEL.match(number):
                return self.money_headers, 0  # a row label starts the next row
            if not pct:
                headers = self.money_headers[broken_column : broken_column + 1]
                return headers, broken_column + 1
        return self.money_headers, broken_column

    def _ends_zone(self, row: str, rows_seen: int) -> bool:
        return bool(
            is_prose(row, self.pats)
            or row.lstrip().startswith(("*", "Fuente", "Nota"))
            or (
                rows_seen
                and (header_scale(row, self.pats) or ("\t" in row and self.columns is None))
            )
            or (rows_seen and len(row.strip()) > 40)
        )

    def _row(
        self,
        row_pos: int,
        row: str,
        aligned: list[tuple[int, int, str]] | None,
        headers: list[str],
        columns: list[str] | None = None,
    ) -> list[CellEntity]:
        return _row_entities(
            row_pos, row, self.scale, columns, self.decimal, self.pats, aligned, headers
        )


def _aligned_kind(columns: list[tuple[int, int, str]], start: int, end: int) -> str:
    """Kind of the header column a cell sits under: the one it overlaps most, else the nearest."""
    best = max(
        columns,
        key=lambda c: (
            min(end, c[1]) - max(start, c[0]),
            -abs((c[0] + c[1]) / 2 - (start + end) / 2),
        ),
    )
    return best[2] if best[2] != "other" else "money"


def _row_entities(
    row_pos: int,
    row: str,
    scale: tuple[float, str],
    columns: list[str] | None,
    decimal: str | None,
    pats: TablePatterns,
    aligned: list[tuple[int, int, str]] | None = None,
    money_headers: list[str] | None = None,
) -> list[CellEntity]:
    factor, currency = scale
    out = []
    tab_cells = row.split("\t") if columns and "\t" in row else None
    row_cells = list(pats.cell.finditer(row))
    # As many cells as header columns: the n-th cell is under the n-th column, whatever the widths.
    by_order = aligned is not None and len(row_cells) == len(aligned)
    money_cells = 0
    for index, cell in enumerate(row_cells):
        if cell.group("pct"):
            continue  # `16.49 %` is found by the PERCENT rules
        text = cell.group("num")
        if _YEAR_LABEL.match(text):
            continue  # a row label year (or a year in a label) is found by the YEAR rules
        kind = "money"
        if tab_cells is not None:
            column = row.count("\t", 0, cell.start())
            kind = columns[column] if column < len(columns) else "other"
        elif by_order:
            kind = aligned[index][2] if aligned[index][2] != "other" else "money"
        elif aligned is not None:
            kind = _aligned_kind(aligned, cell.start(), cell.end())
        start, end = row_pos + cell.start("num"), row_pos + cell.end("num")
        if kind == "money":
            value = {"amount": round(parse_number(text, decimal) * factor, 4), "currency": currency}
            headers = money_headers or []
            column = headers[money_cells] if money_cells < len(headers) else None
            money_cells += 1
            out.append(CellEntity(start, end, "AMOUNT", value, "table.money_column", column=column))
        elif kind == "percent":
            out.append(
                CellEntity(
                    start,
                    end,
                    "PERCENT",
                    round(parse_number(text, decimal), 6),
                    "table.percent_column",
                    rank=4,
                )
            )
    return out


def _glued_cells(text: str, decimal: str | None) -> list[CellEntity]:
    """`6,33%` in a tab cell of a dot-decimal document: a count 6 glued to 33 %."""
    if decimal == ",":
        return []
    out = []
    for pos, line in _lines(text):
        if "%" not in line or ("\t" not in line and not _GLUED.match(line.strip())):
            continue
        offset = 0
        for cell in line.split("\t"):
            match = _GLUED.match(cell.strip())
            if match:
                lead = len(cell) - len(cell.lstrip())
                start = pos + offset + lead + match.start("pct")
                pct = match.group("pct")
                out.append(
                    CellEntity(
                        start,
                        start + len(pct),
                        "PERCENT",
                        float(pct.rstrip("%")),
                        "table.glued_count_percent",
                        rank=5,
                    )
                )
            offset += len(cell) + 1
    return out


def cell_columns(text: str, rules_dir: str | None = None) -> dict[int, str]:
    """Start offset (in `text`, original) -> column header of every table cell that has one:
    what records carry in `meta.columns`, for records made without it (gold files)."""
    textmap = normalize(text)
    decimal = decimal_convention(textmap.norm)
    return {
        textmap.span(cell.start, cell.end)[0]: cell.column
        for cell in table_entities(textmap.norm, decimal, rules_dir)
        if cell.column
    }
