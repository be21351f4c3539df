"""A regex rule tried only where one of the strings its matches start with occurs.

The `regex` engine tries a rule at every position of a text and has no fast search for a
set of words: a rule that opens with a month name (`(?<!\\w)(?P<month>enero|…|diciembre)`)
costs ~25-40 ns a character, though a text holds a few month names. When every match of a
rule starts with one of a few literal strings (read from the rule's parse tree,
`nlp.regex_reading.prefix_words`), `str.find` finds their occurrences at C speed and the
rule is tried only there with `pattern.match(text, pos)`: lookbehinds still see the text
before `pos`, and skipping the occurrences inside a match gives `finditer`'s matches.
A rule that ignores case is compared on `str.casefold()`, when that is sound: every
character the engine matches to a letter of the strings folds like that letter, and the
text folds character for character (else the whole text is scanned as before).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlp.candidates.segments import plan_flags
from nlp.regex_reading import case_variants, parse, prefix_words

#: More strings than this are not worth a `str.find` each.
MAX_ANCHORS = 16


@dataclass(frozen=True)
class AnchorPlan:
    """Where one rule can match: at the occurrences of `words` (casefolded if `fold`)."""

    words: tuple[str, ...]
    fold: bool

    def finditer(self, pattern: Any, text: str, timeout: float) -> Iterator[Any]:
        """`pattern.finditer(text)`, tried only where a match can start."""
        folded = folded_text(text, self.fold)
        if folded is None:
            yield from pattern.finditer(text, timeout=timeout)
            return
        yield from matches_at(pattern, text, occurrences(folded, self.words), timeout)


def folded_text(text: str, fold: bool) -> str | None:
    """The text words are looked for in: casefolded when `fold`; None when a character
    folds to two (offsets in it would no longer be offsets in `text`)."""
    folded = casefolded(text) if fold else text
    return folded if len(folded) == len(text) else None


def matches_at(pattern: Any, text: str, starts: list[int], timeout: float) -> Iterator[Any]:
    """`pattern.finditer(text)` when every match starts at one of `starts` (in order): each
    is tried with `pattern.match`, those inside the last match skipped, as `finditer` does."""
    last = 0
    for pos in starts:
        if pos < last:
            continue
        match = pattern.match(text, pos, timeout=timeout)
        if match is not None:
            yield match
            last = match.end()


@lru_cache(maxsize=4)
def casefolded(text: str) -> str:
    """The text casefolded once for every rule that compares folded (the last few texts)."""
    return text.casefold()


@lru_cache(maxsize=16)
def occurrences(text: str, words: tuple[str, ...]) -> list[int]:
    """Every position where one of `words` starts, in order (rules with the same words,
    such as the month rules, share one search)."""
    found: set[int] = set()
    for word in words:
        pos = text.find(word)
        while pos != -1:
            found.add(pos)
            pos = text.find(word, pos + 1)
    return sorted(found)


def anchor_plan(pattern: Any) -> AnchorPlan | None:
    """The plan of a compiled `regex` rule, or None (no few strings start every match)."""
    flags = plan_flags(pattern)
    if flags is None:
        return None
    tree = parse(pattern.pattern, flags)
    words = prefix_words(tree) if tree is not None else None
    if not words or len(words) > MAX_ANCHORS or not all(map(selective, words)):
        return None
    fold = bool(flags & re.IGNORECASE)
    if fold:
        if not all(map(folds_soundly, "".join(words))):
            return None
        words = tuple(sorted({word.casefold() for word in words}))
    return AnchorPlan(words, fold)


def selective(word: str) -> bool:
    """Whether a word is rare enough to find: one character is as fast for the engine's own
    first-character skip, and numbers (`19`, `20`) are everywhere in program documents
    (a year rule tried at each of them costs twice its whole scan)."""
    return len(word) >= 2 and not word.isdigit()


def folds_soundly(char: str) -> bool:
    """Whether every character the engine matches to `char` ignoring case casefolds to
    what `char` does (one that folds to two characters cannot be in a text that folds
    character for character)."""
    target = char.casefold()
    if len(target) != 1:
        return False
    cases = case_variants(char)
    if cases is None:
        return False
    return all(len(f) != 1 or f == target for f in (c.casefold() for c in cases))


__all__ = [
    "AnchorPlan",
    "anchor_plan",
    "casefolded",
    "folded_text",
    "folds_soundly",
    "matches_at",
    "occurrences",
    "selective",
]
