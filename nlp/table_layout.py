"""The layout of tables: which lines are rows, and what a header line says (its scale and
currency, the kind and name of each column). Patterns come from the rule macros and the
lexicon (`CELL_NUM`, scale and currency words), never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from nlp.entity_rules import alternation, macros
from nlp.rules import read_rules_tsv
from nlp.values.money import currency_of, scale_of

_PERCENT_HEADER = regex.compile(r"%|\bporcentaje\b|\bpor\s+ciento\b", regex.I)


@dataclass(frozen=True)
class TablePatterns:
    """The patterns of tables, built from the rule macros: how a cell writes a number
    (`CELL_NUM`) and how a header states money (scale and currency words of the lexicon)."""

    money_header: Any
    cell: Any
    numeric_cell: Any
    header_value: Any  # a header that carries its own value: `Presupuesto 2011 (MDP): 1,500.00`
    row_label: Any  # a row-label word before a column's header (`Año`)
    rules_dir: str | None


@lru_cache(maxsize=8)
def table_patterns(rules_dir: str | None = None) -> TablePatterns:
    """Table patterns of a rules folder, compiled once."""
    table = macros(rules_dir)
    num = table["CELL_NUM"]
    row_labels = [r["word"] for r in read_rules_tsv(rules_dir, "entities", "row_label_words.tsv")]
    money = (
        r"\((?P<abbr>" + table["SCALE_ABBR"] + r")\)"
        r"|(?P<words>(?P<scale>" + table["SCALE_WORD"] + r")\s+de\s+"
        r"(?P<cur>" + table["CURRENCY_WORD"] + r"))(?!\w)"
        r"|\((?P<pesos>" + table["CURRENCY_WORD"] + r"|\$)\)"
    )
    return TablePatterns(
        money_header=regex.compile(money, regex.I),
        cell=regex.compile(rf"(?<![\w.,%(/+-])(?P<num>{num})(?P<pct>\s?%)?(?![\w.,%)/])"),
        numeric_cell=regex.compile(rf"^{num}(?:\s?%)?$"),
        header_value=regex.compile(r"^[^\d\n]{0,5}:?\s*" + num + r"\s*$"),
        row_label=regex.compile(r"(?<!\w)" + alternation(row_labels) + r"\s+(?=\w)", regex.I),
        rules_dir=rules_dir,
    )


def header_scale(line: str, pats: TablePatterns) -> tuple[float, str] | None:
    """(factor, currency) a header line states (`(MDP)`, `millones de pesos`), else None."""
    match = pats.money_header.search(line)
    if not match:
        return None
    if match.group("words") and not (
        "\t" in line
        or len(line.strip()) < 60
        or "(" in line[max(0, match.start() - 1) : match.start()]
    ):
        return None  # `millones de pesos` inside a sentence is not a column header
    if match.group("abbr"):
        factor, currency = scale_of(match.group("abbr"), pats.rules_dir)
        return factor, currency or "MXN"
    if match.group("pesos"):
        return 1.0, currency_of(match.group("pesos"), pats.rules_dir) or "MXN"
    factor, _ = scale_of(match.group("scale"), pats.rules_dir)
    return factor, currency_of(match.group("cur"), pats.rules_dir) or "MXN"


def is_row(line: str, pats: TablePatterns) -> bool:
    """A line of numeric cells, maybe after a short label (`2016 1,419.37 487,852.24 0.29 %`)."""
    cells = list(pats.cell.finditer(line))
    if not cells:
        return False
    if "\t" in line:  # a tab row: any cell that is only a number makes it a data row
        return any(pats.numeric_cell.match(cell.strip()) for cell in line.split("\t"))
    rest = pats.cell.sub("", line)
    rest = regex.sub(r"[\s\t|*=()]+", " ", rest).strip()
    return len(rest) <= 40 and (len(cells) >= 2 or "\t" in line or not rest)


def is_prose(line: str, pats: TablePatterns) -> bool:
    stripped = line.strip()
    return len(stripped) > 70 and not is_row(line, pats)


def money_headers(
    lines: list[tuple[int, str]],
    index: int,
    line: str,
    columns: list[str] | None,
    pats: TablePatterns,
) -> list[str]:
    """Headers of the money columns, in order: from the tab cells of the header line, else
    from the header block above the first row, cut after each scale marker (`(MDP)`), so
    `Presupuesto del Programa (MDP) (1)` and `Presupuesto del Ramo (MDP) (2)` stay apart."""
    if columns is not None:
        return [
            " ".join(cell.split())
            for cell, kind in zip(line.split("\t"), columns, strict=True)
            if kind == "money"
        ]
    above = []  # a header broken one word per line starts above its scale marker
    for _pos, text in reversed(lines[max(0, index - 4) : index]):
        if len(text.strip()) > 40 or is_row(text, pats):
            break
        above.insert(0, text)
    block = []
    for _pos, text in lines[index : index + 12]:
        if block and is_row(text, pats):
            break
        block.append(text)
    joined = " ".join(" ".join(above + block).split())
    headers, previous = [], 0
    for match in pats.money_header.finditer(joined):
        headers.append(_clean_header(joined[previous : match.end()], pats))
        previous = match.end()
    return headers


def _clean_header(text: str, pats: TablePatterns) -> str:
    """A column header without markup, footnote marks (`(1)`), or the block above it up to its
    row label (`Presupuesto Ejercido* Año Presupuesto del Programa (MDP)`)."""
    text = " ".join(regex.sub(r"[#`*]+", " ", text).split())
    text = regex.sub(r"^(?:\s*\(\d\))+\s*", "", text)
    labels = list(pats.row_label.finditer(text))
    return text[labels[-1].end() :].strip() if labels else text


def tab_columns(header: str, pats: TablePatterns) -> list[str]:
    """Kind of each tab column of a header: money, percent, or other."""
    kinds = []
    for cell in header.split("\t"):
        if pats.money_header.search(cell):
            kinds.append("money")
        elif _PERCENT_HEADER.search(cell) or regex.search(r"\(\d\)\s*/\s*\(\d\)", cell):
            kinds.append("percent")
        else:
            kinds.append("other")
    return kinds


def aligned_columns(header: str, pats: TablePatterns) -> list[tuple[int, int, str]] | None:
    """Columns of a space-aligned header (`Año    Presupuesto (MDP)    Ejercido (%)`): their
    character extents and kinds, or None when the header is not laid out in columns."""
    cells = [(m.start(), m.end(), m.group()) for m in regex.finditer(r"\S+(?: \S+)*", header)]
    if len(cells) < 2 or not regex.search(r"\S {2,}\S", header):
        return None
    kinds = []
    for start, end, text in cells:
        kind = (
            "money"
            if pats.money_header.search(text)
            else "percent"
            if _PERCENT_HEADER.search(text)
            else "other"
        )
        kinds.append((start, end, kind))
    return kinds if any(k == "percent" for *_, k in kinds) else None
