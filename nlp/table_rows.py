"""Rows of tables whose line breaks were lost, given back as line breaks (same length).

A budget table copied from a PDF viewer or a web page often arrives as one line:
`Año⇥Presupuesto (MDP)⇥% 2007⇥6,268.19⇥16.49 % 2008⇥6,947.44⇥2.31 %`. The table
reader (`nlp/tables.py`) works on lines, so this module finds where rows must have
ended and turns the whitespace there into a line break, character for character,
so every offset stays valid. Only long lines (a flattened paragraph) are touched:

- a tab table: a tab field that starts with a numeric cell and goes on with a new
  label (`16.49 % 2008`) holds a row boundary; rows repeat every T tabs, so the
  first row and the header above it are cut at the same distance;
- a row that starts with a year followed by numeric cells (`… 0.29 %  2017 1,560.25
  506,138.41 0.31 %`) starts a line;
- a run of two or more spaces (what a blank line or an indent leaves) starts a line.
"""

from __future__ import annotations

import regex

from nlp.textmap import with_breaks

#: Lines at least this long are flattened text; shorter ones are left as they are.
MIN_FLAT_LINE = 150
_NUM = r"[-+\u2212]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)"
_CELL = rf"{_NUM}(?:\s?%)?"
_LEADING_CELL = regex.compile(rf"^[ ]*{_CELL}(?P<gap>[ ]+)(?=[\p{{Lu}}\d*(¿])")
_YEAR_ROW = regex.compile(
    rf"(?<=\S)(?P<gap>[ \t]+)(?=(?:19|20)\d\d(?:-(?:19|20)\d\d)?(?:[ \t]+{_CELL}(?![\w.,])){{2}})"
)
_YEAR_AFTER_GAP = regex.compile(r"(?<=[ \t])(?:19|20)\d\d")
_WIDE_GAP = regex.compile(r"(?<=\S)(?P<gap>[ ]{2,})(?=\S)")
_LAST_GAP = regex.compile(r"(?<! )(?P<gap>[ ]+)\S+[ ]*$")  # starts where a gap starts: linear


def restore_rows(text: str) -> str:
    """`text` with the row boundaries of flattened tables turned into line breaks (same length)."""
    cuts: list[int] = []
    pos = 0
    for line in text.split("\n"):
        if len(line) >= MIN_FLAT_LINE:
            cuts += (pos + cut for cut in _row_cuts(line))
        pos += len(line) + 1
    return with_breaks(text, cuts)


def _row_cuts(line: str) -> set[int]:
    """Offsets (in the line) of whitespace characters that stood for a line break."""
    cuts = _year_row_gaps(line)
    cuts |= {m.start("gap") for m in _WIDE_GAP.finditer(line)}
    if line.count("\t") >= 4:
        cuts |= _tab_row_cuts(line)
    return cuts


def _year_row_gaps(line: str) -> set[int]:
    """Where `_YEAR_ROW` matches (a gap before a year and its cells), tried only at the gaps
    before a year: a scan of `_YEAR_ROW` tried every space of a long line (speed, issue 16)."""
    gaps: set[int] = set()
    for year in _YEAR_AFTER_GAP.finditer(line):
        start = year.start()
        while start and line[start - 1] in " \t":  # back to where the gap starts
            start -= 1
        if _YEAR_ROW.match(line, start):
            gaps.add(start)
    return gaps


def _tab_row_cuts(line: str) -> set[int]:
    """Boundaries of tab rows: fields that end a row with a number and start the next one."""
    fields: list[tuple[int, str]] = []
    pos = 0
    for field in line.split("\t"):
        fields.append((pos, field))
        pos += len(field) + 1
    boundaries: list[tuple[int, int]] = []  # (field index, cut offset in the line)
    for index, (start, field) in enumerate(fields[1:-1], 1):
        match = _LEADING_CELL.match(field)
        if match:
            boundaries.append((index, start + match.start("gap")))
    if len(boundaries) < 2:
        return set()
    cuts = {cut for _, cut in boundaries}
    period = boundaries[1][0] - boundaries[0][0]  # tabs per row
    for back in (period, 2 * period):  # the first row, then the header above it
        index = boundaries[0][0] - back
        if index < 0 or period <= 0:
            break
        start, field = fields[index]
        last = _LAST_GAP.search(field)
        if last and last.start("gap") > 0:
            cuts.add(start + last.start("gap"))
    return cuts
