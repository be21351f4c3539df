"""A regex rule scanned only in the runs of text where it can match: the same matches.

The `regex` engine tries a rule at every position of a text; for the numeral rules
(`<<NUMERAL>>`: digits or number words, then `mil`/`millones`) that is ~130 ns a
character, most of the entity rules' time. But every match of such a rule contains one
of a few words (`mil`, `bill`), and reads only some characters (word characters, spaces,
`.,'$/`): a match lies inside one run of those characters that holds one of the words.
`RunPlan` finds the words with one quick scan, widens each to its run, and scans the
rule only there (`finditer(text, start, end)`: lookbehinds still see the text before the
run; the character after it is one the rule cannot read, so the cut end changes no
lookahead). The words and characters come from the rule's own parse tree
(`nlp.regex_reading`); a rule it cannot read keeps its whole-text scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import regex

from nlp.regex_reading import parse, readable_class, required_words

#: `regex` flags -> the `re` flags the parse tree is read with; any other flag: no plan.
_FLAGS = {
    regex.IGNORECASE: re.IGNORECASE,
    regex.MULTILINE: re.MULTILINE,
    regex.DOTALL: re.DOTALL,
    regex.VERBOSE: re.VERBOSE,
    regex.UNICODE: 0,
    regex.V0: 0,
}
#: Runs covering more than this share of a text are not worth cutting out: scan it whole.
MOSTLY = 0.5
#: A rule needing one of more words than this is left whole: scanning for many words
#: (the month names) costs about what the rule does.
MAX_WORDS = 4
#: Syntax `re` parses with another meaning than `regex` (POSIX classes, nested sets).
_AMBIGUOUS = ("[[", "[:")


@dataclass(frozen=True)
class RunPlan:
    """Where one rule can match: runs of `readable` characters that hold one of `words`."""

    words: Any  # compiled alternation of the required words (the rule's case flags)
    not_readable: Any  # a character the rule cannot read
    before: Any  # the same, searched backwards

    def spans(self, text: str) -> list[tuple[int, int]]:
        """(start, end) of every run holding a required word, in text order."""
        out: list[tuple[int, int]] = []
        for hit in self.words.finditer(text):
            if out and hit.start() < out[-1][1]:
                continue
            back = self.before.search(text, 0, hit.start())
            ahead = self.not_readable.search(text, hit.end())
            out.append((back.end() if back else 0, ahead.start() if ahead else len(text)))
        return out

    def finditer(self, pattern: Any, text: str, timeout: float) -> Iterator[Any]:
        """`pattern.finditer(text)`, scanned only in the runs (the whole text when they
        cover most of it: the same matches either way)."""
        spans = self.spans(text)
        if sum(end - start for start, end in spans) > MOSTLY * len(text):
            yield from pattern.finditer(text, timeout=timeout)
            return
        for start, end in spans:
            yield from pattern.finditer(text, start, end, timeout=timeout)


def plan_flags(pattern: Any) -> int | None:
    """The `re` flags a compiled `regex` rule's parse tree is read with, or None when it
    has a flag or syntax `re` reads otherwise."""
    flags = 0
    for flag in regex.RegexFlag:
        if pattern.flags & flag:
            if flag not in _FLAGS:
                return None
            flags |= _FLAGS[flag]
    if any(mark in pattern.pattern for mark in _AMBIGUOUS):
        return None
    return flags


def run_plan(pattern: Any) -> RunPlan | None:
    """The plan of a compiled `regex` rule, or None (scan the whole text)."""
    flags = plan_flags(pattern)
    if flags is None:
        return None
    tree = parse(pattern.pattern, flags)
    if tree is None:
        return None
    words, readable = required_words(tree), readable_class(tree)
    if words is None or readable is None or len(words) > MAX_WORDS:
        return None
    case = regex.IGNORECASE if flags & re.IGNORECASE else 0
    alternation = "|".join(map(regex.escape, sorted(words, key=len, reverse=True)))
    chars, ignoring_case = readable
    outside = "[^" + chars[1:]
    outside_case = case | (regex.IGNORECASE if ignoring_case else 0) | regex.V0
    return RunPlan(
        words=regex.compile(alternation, case | regex.V0),
        not_readable=regex.compile(outside, outside_case),
        before=regex.compile(outside, outside_case | regex.REVERSE),
    )


__all__ = ["RunPlan", "plan_flags", "run_plan"]
