"""The gazetteer's first-character guard lets through only the capitals names start with
(`nlp.gazetteer._first_capitals`): the same matches as `[\\p{Lu}\\d]`, on every text."""

from __future__ import annotations

import pytest
import regex
from conftest import real_texts

from nlp.gazetteer import _ACCENTED, _UNACCENT, _pattern


@pytest.mark.parametrize("accents", [True, False])
def test_the_narrow_guard_finds_what_any_capital_or_digit_finds(accents: bool) -> None:
    source = _pattern(None, accents=accents)
    guard = regex.search(r"\(\?-i:\(\?=\[([^\]]+)\]\)\)", source)
    assert guard is not None and "\\d" not in guard.group(1)  # no name starts with a digit
    wide = regex.compile(source.replace(guard.group(0), r"(?-i:(?=[\p{Lu}\d]))"), regex.I)
    narrow = regex.compile(source, regex.I)
    found = 0
    for text in real_texts() + ["3x1 PROSPERA 65 y Más, İMSS, Ñ"]:
        if not accents:
            text = _ACCENTED.sub(lambda m: _UNACCENT[m.group()], text)
        expected = [m.span() for m in wide.finditer(text)]
        assert [m.span() for m in narrow.finditer(text)] == expected
        found += len(expected)
    assert found > 100
