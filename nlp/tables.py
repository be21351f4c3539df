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

from nlp.values.money import scale_of
from nlp.values.numbers import parse_number

# A header cell that states money: `(MDP)`, `millones de pesos`, `(miles de pesos)`.
_MONEY_HEADER = regex.compile(
    r"\((?P<abbr>MMDP|MDP|mdp|mmdp|mdd|MDD)\)|(?P<words>miles\s+de\s+millones\s+de\s+pesos|millones\s+de\s+pesos|miles\s+de\s+pesos|millones\s+de\s+d[óo]lares)"
    r"|\((?P<pesos>pesos|MXN|\$)\)",
    regex.I,
)
_PERCENT_HEADER = regex.compile(r"%|\bporcentaje\b|\bpor\s+ciento\b", regex.I)
_NUM = r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)"
_CELL = regex.compile(rf"(?<![\w.,%(/+-])(?P<num>{_NUM})(?P<pct>\s?%)?(?![\w.,%)/])")
_NUMERIC_CELL = regex.compile(rf"^{_NUM}(?:\s?%)?$")
_YEAR_LABEL = regex.compile(r"^\s*(?:19|20)\d\d\s*$")
_GLUED = regex.compile(r"^(?P<count>\d{1,3}),(?P<pct>\d{1,3}%)$")
_LINE = regex.compile(r"[^\n]*\n?")
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


def _header_scale(line: str, rules_dir: str | None = None) -> tuple[float, str] | None:
    match = _MONEY_HEADER.search(line)
    if not match:
        return None
    if match.group("words") and not (
        "\t" in line
        or len(line.strip()) < 60
        or "(" in line[max(0, match.start() - 1) : match.start()]
    ):
        return None  # `millones de pesos` inside a sentence is not a column header
    if match.group("abbr"):
        factor, currency = scale_of(match.group("abbr"), rules_dir)
        return factor, currency or "MXN"
    if match.group("pesos"):
        return 1.0, "MXN"
    words = " ".join(match.group("words").lower().split())
    if words.startswith("miles de millones"):
        return 1e9, "MXN"
    if words.startswith("millones de d"):
        return 1e6, "USD"
    if words.startswith("millones"):
        return 1e6, "MXN"
    return 1e3, "MXN"


def _is_row(line: str) -> bool:
    """A line of numeric cells, maybe after a short label (`2016 1,419.37 487,852.24 0.29 %`)."""
    cells = list(_CELL.finditer(line))
    if not cells:
        return False
    if "\t" in line:  # a tab row: any cell that is only a number makes it a data row
        return any(_NUMERIC_CELL.match(cell.strip()) for cell in line.split("\t"))
    rest = _CELL.sub("", line)
    rest = regex.sub(r"[\s\t|*=()]+", " ", rest).strip()
    return len(rest) <= 40 and (len(cells) >= 2 or "\t" in line or not rest)


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 70 and not _is_row(line)


def table_entities(
    text: str, decimal: str | None = None, rules_dir: str | None = None
) -> list[CellEntity]:
    """Entities of table cells in `text` (normalized), by the headers of their zones."""
    from nlp.table_rows import restore_rows

    text = restore_rows(text)  # rows of a flattened table back on their own lines
    out: list[CellEntity] = []
    lines = list(_lines(text))
    index = 0
    while index < len(lines):
        pos, line = lines[index]
        scale = _header_scale(line, rules_dir) if len(line) < 200 else None
        columns = _tab_columns(line) if "\t" in line and not _is_row(line) else None
        aligned = _aligned_columns(line) if columns is None else None
        if scale is None and not (columns and "percent" in columns):
            index += 1
            continue
        scale = scale or (1.0, "MXN")
        money = _MONEY_HEADER.search(line)
        tail = line[money.end() :] if money else ""
        if columns is None and regex.match(r"^[^\d\n]{0,5}:?\s*" + _NUM + r"\s*$", tail):
            # `Presupuesto original 2011 (MDP): 1,500.00`: the header carries its own value
            head = " ".join(line[: money.end()].split()) if money else None
            out.extend(
                _row_entities(
                    pos + len(line) - len(tail), tail, scale, None, decimal, money_headers=[head]
                )
            )
        money_headers = _money_headers(lines, index, line, columns)
        broken_column = 0
        rows_seen = 0
        cursor = index + 1
        while cursor < len(lines) and cursor - index <= MAX_TABLE_LINES:
            row_pos, row = lines[cursor]
            if not row.strip():
                cursor += 1
                continue
            if _is_row(row):
                own = (
                    _MONEY_HEADER.search(row) if columns is None else None
                )  # `Presupuesto modificado (MDP): 1,472.58`
                headers = [" ".join(row[: own.end()].split())] if own else money_headers
                cells = _CELL.findall(row)
                if (
                    len(cells) == 1 and "\t" not in row and not own
                ):  # a table broken one cell per line
                    number, pct = cells[0]
                    if _YEAR_LABEL.match(number):
                        broken_column = 0  # a row label starts the next row
                    elif not pct:
                        headers = money_headers[broken_column : broken_column + 1]
                        broken_column += 1
                out.extend(_row_entities(row_pos, row, scale, columns, decimal, aligned, headers))
                rows_seen += 1
            elif (
                _is_prose(row)
                or row.lstrip().startswith(("*", "Fuente", "Nota"))
                or (
                    rows_seen
                    and (_header_scale(row, rules_dir) or ("\t" in row and columns is None))
                )
            ):
                break
            elif rows_seen and len(row.strip()) > 40:
                break
            cursor += 1
        index = cursor if rows_seen else index + 1
    out.extend(_glued_cells(text, decimal))
    return out


def _money_headers(
    lines: list[tuple[int, str]], index: int, line: str, columns: list[str] | None
) -> list[str]:
    """Headers of the money columns, in order: from the tab cells of the header line, else
    from the header block above the first row, cut after each scale marker (`(MDP)`), so
    `Presupuesto del Programa (MDP) (1)` and `Presupuesto del Ramo (MDP) (2)` stay apart."""
    if columns is not None:
        return [
            " ".join(cell.split())
            for cell, kind in zip(line.split("\t"), columns, strict=False)
            if kind == "money"
        ]
    above = []  # a header broken one word per line starts above its scale marker
    for _pos, text in reversed(lines[max(0, index - 4) : index]):
        if len(text.strip()) > 40 or _is_row(text):
            break
        above.insert(0, text)
    block = []
    for _pos, text in lines[index : index + 12]:
        if block and _is_row(text):
            break
        block.append(text)
    joined = " ".join(" ".join(above + block).split())
    headers, previous = [], 0
    for match in _MONEY_HEADER.finditer(joined):
        headers.append(regex.sub(r"^(?:\s*\(\d\))+\s*", "", joined[previous : match.end()]).strip())
        previous = match.end()
    return headers


def _tab_columns(header: str) -> list[str]:
    """Kind of each tab column of a header: money, percent, or other."""
    kinds = []
    for cell in header.split("\t"):
        if _MONEY_HEADER.search(cell):
            kinds.append("money")
        elif _PERCENT_HEADER.search(cell) or regex.search(r"\(\d\)\s*/\s*\(\d\)", cell):
            kinds.append("percent")
        else:
            kinds.append("other")
    return kinds


def _aligned_columns(header: str) -> list[tuple[int, int, str]] | None:
    """Columns of a space-aligned header (`Año    Presupuesto (MDP)    Ejercido (%)`): their
    character extents and kinds, or None when the header is not laid out in columns."""
    cells = [(m.start(), m.end(), m.group()) for m in regex.finditer(r"\S+(?: \S+)*", header)]
    if len(cells) < 2 or not regex.search(r"\S {2,}\S", header):
        return None
    kinds = []
    for start, end, text in cells:
        kind = (
            "money"
            if _MONEY_HEADER.search(text)
            else "percent"
            if _PERCENT_HEADER.search(text)
            else "other"
        )
        kinds.append((start, end, kind))
    return kinds if any(k == "percent" for *_, k in kinds) else None


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
    aligned: list[tuple[int, int, str]] | None = None,
    money_headers: list[str] | None = None,
) -> list[CellEntity]:
    factor, currency = scale
    out = []
    tab_cells = row.split("\t") if columns and "\t" in row else None
    row_cells = list(_CELL.finditer(row))
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
