"""`normalize` finds its edits in two scans (`_EDIT_RE`, `_BROKEN_RE`) and looks for
letter-spaced lines behind a quick hint: the same normalized views and maps as the one
combined scan it replaced, on every text we have and on shuffled pieces of hard cases."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

import regex
from conftest import real_texts

from nlp import textmap
from nlp.textmap import _BROKEN_RE, _EDIT_RE, _SPACED_LINE_RE, normalize

#: The scan before the split: every edit in one alternation, the broken space last.
_COMBINED_RE = regex.compile(
    _EDIT_RE.pattern
    + r"| (?P<broken>\ (?<=(?<![\p{L}\p{N}])[B-DF-HJ-NP-TV-XZb-df-hj-np-tv-xzÑñ]\ ))(?=\p{Ll}{2})",
    regex.VERBOSE,
)


def _edits(matches: Iterable[Any]) -> list[tuple[int, int, str]]:
    """The (start, end, replacement) edits `normalize` makes of these matches."""
    edits = []
    for match in matches:
        kind, (start, end) = match.lastgroup, match.span()
        replacement = {"hyph": "-", "char": textmap._CHAR_MAP.get(match.group(), "")}
        edits.append((start, end, replacement.get(kind, "")))
    return edits


def _combined_edits(text: str) -> list[tuple[int, int, str]]:
    return _edits(_COMBINED_RE.finditer(text))


def _split_edits(text: str) -> list[tuple[int, int, str]]:
    broken = [(m.start(), m.end(), "") for m in _BROKEN_RE.finditer(text)]
    return sorted(_edits(_EDIT_RE.finditer(text)) + broken)


PIECES = [
    "R ural", "P rograma", "y", "a", "b", "c", "d", "E", "1", "2019-", "\n", "2024", "contin-",
    "uar", "**", "__", "x", "\\*", " ", "  ", "\t", "\u00a0", "\u2013", "ﬁn", "é", "o r o",
    "p r e s t a c i o n e s", "de", "la",
]  # fmt: skip


def test_two_scans_give_the_edits_of_one() -> None:
    rng = random.Random(41)
    texts = real_texts()
    texts += ["".join(rng.choice(PIECES) for _ in range(40)) for _ in range(3000)]
    broken = 0
    for text in texts:
        assert _split_edits(text) == _combined_edits(text), text[:80]
        broken += bool(_BROKEN_RE.search(text))
    assert broken > 100  # the shuffled texts hold broken words


def test_the_spaced_line_hint_misses_no_spaced_line() -> None:
    """Wherever the four spaced units a spaced line needs are, the hint is found first."""
    rng = random.Random(43)
    texts = real_texts()
    texts += [" ".join(rng.choice(PIECES) for _ in range(30)) for _ in range(3000)]
    spaced = 0
    for text in texts:
        if textmap._SPACED_UNITS_RE.search(text):
            spaced += bool(_SPACED_LINE_RE.search(text))
            assert textmap._SPACED_HINT_RE.search(text), text[:80]
    assert spaced > 100
    assert normalize("el p r e s t a c i o n e s  d e l programa").norm.count(" ") < 5
