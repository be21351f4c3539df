"""Year rows of flattened tables (`nlp.table_rows`) found from the years: the gaps a scan
of `_YEAR_ROW` finds, on every long line we have and on shuffled table pieces."""

from __future__ import annotations

import random

from conftest import real_texts

from nlp.table_rows import _YEAR_ROW, MIN_FLAT_LINE, _year_row_gaps

PIECES = ["2019", "2020", "1999", " ", "  ", "\t", "1,234.5", "12%", "x", "Año", "%", "-"]
PIECES += ["2018-2019", "3.5 %", "\r", "\u00a0", "Presupuesto", "(MDP)"]


def test_year_row_gaps_are_the_gaps_the_scan_finds() -> None:
    lines = [line for text in real_texts() for line in text.split("\n")]
    lines = [line for line in lines if len(line) >= MIN_FLAT_LINE]
    rng = random.Random(5)
    lines += ["".join(rng.choice(PIECES) for _ in range(60)) for _ in range(3000)]
    found = 0
    for line in lines:
        expected = {m.start("gap") for m in _YEAR_ROW.finditer(line)}
        assert _year_row_gaps(line) == expected, line[:80]
        found += len(expected)
    assert found > 20  # the test meets year rows
