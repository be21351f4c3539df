"""A regex rule tried only in the few characters before one of the words its matches hold.

Some rules hold a word from a short list a few characters after their start: a date holds
a month name after its day (`15 de enero`, `1o. de Marzo`). Each such rule is a sequence
of parts, one of which is the word (`nlp.regex_reading.required_part`); the parts before
it can consume only a few kinds of characters (digits, spaces, `de`, `primero`:
`readable_class`). So a match starts at the end of the last character before the word
that those parts cannot consume, or after it: `str.find` finds the words (as
`nlp.candidates.anchors` does), a backward search finds that character, and the rule is
tried with `pattern.match` only at the positions in between where it can start (its
first characters, `guards.first_chars`). Skipping positions inside a match gives
`finditer`'s matches; a text that casefolds to another length is scanned whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from nlp.candidates.anchors import (
    folded_text,
    folds_soundly,
    matches_at,
    occurrences,
    selective,
)
from nlp.candidates.guards import first_chars, letters_in_class
from nlp.candidates.segments import plan_flags
from nlp.regex_reading import parse, readable_class, required_part

#: Shorter words (`mar`, `ene`) are inside too many others to look behind each of them.
MIN_WORD = 4
#: A window class letting more distinct letters than this through is not worth it: the
#: run before a word would cover whole phrases.
MAX_LETTERS = 10


@dataclass(frozen=True)
class WindowPlan:
    """Where one rule can match: just before the occurrences of `words`."""

    words: tuple[str, ...]
    fold: bool
    before: Any  # a character the parts before the word cannot consume, searched backwards
    starts: Any  # a character a match can start with

    def finditer(self, pattern: Any, text: str, timeout: float) -> Iterator[Any]:
        """`pattern.finditer(text)`, tried only where a match can start."""
        folded = folded_text(text, self.fold)
        if folded is None:
            yield from pattern.finditer(text, timeout=timeout)
            return
        yield from matches_at(pattern, text, self._starts(text, folded), timeout)

    def _starts(self, text: str, folded: str) -> list[int]:
        found: set[int] = set()
        for hit in occurrences(folded, self.words):
            back = self.before.search(text, 0, hit)
            begin = back.end() if back else 0
            found.update(m.start() for m in self.starts.finditer(text, begin, hit + 1))
        return sorted(found)


def window_plan(pattern: Any) -> WindowPlan | None:
    """The plan of a compiled `regex` rule, or None (no short list of words a few readable
    characters after its start)."""
    flags = plan_flags(pattern)
    first = first_chars(pattern.pattern)
    if flags is None or first is None:
        return None
    tree = parse(pattern.pattern, flags)
    part = required_part(tree) if tree is not None else None
    if part is None:
        return None
    index, words = part
    readable = readable_class(tree[:index]) if index else None  # type: ignore[index]
    if readable is None or min(map(len, words)) < MIN_WORD or not all(map(selective, words)):
        return None
    chars, ignoring_case = readable
    if letters_in_class(chars[1:-1]) > MAX_LETTERS:
        return None
    fold = bool(flags & re.IGNORECASE)
    if fold:
        if not all(map(folds_soundly, "".join(words))):
            return None
        words = tuple(sorted({word.casefold() for word in words}))
    case = regex.IGNORECASE if fold or ignoring_case else 0
    starts_case = regex.IGNORECASE if fold or first[1] else 0
    return WindowPlan(
        words=words,
        fold=fold,
        before=regex.compile("[^" + chars[1:], case | regex.REVERSE | regex.V0),
        starts=regex.compile("[" + first[0] + "]", starts_case | regex.V0),
    )


__all__ = ["WindowPlan", "window_plan"]
