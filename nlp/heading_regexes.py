"""The heading rules written as regexes, tried in their order with as few `re` calls as possible.

`HeadingMatcher` tries its regex rules (footnotes, closings, `Población objetivo:`…) on
every line before anything else, and the first rule that matches wins: one `match` call
per rule and line (17 rules, most lines match none) was a third of the heading matcher's
time. Consecutive rules anchored to the line start are joined into one alternation of
named groups (`(?P<r0>…)|(?P<r1>…)`): `re` tries the alternatives in order at the same
position, and an alternative fails only when its rule cannot match there, so the
alternative that matches is the rule the loop would have chosen, with the same match. A
rule with groups of its own or flags of its own, and every rule that searches the line,
is tried alone, as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nlp.heading_rules import HeadingRule


class RegexHeadings:
    """The regex heading rules of a matcher, in order (see the module docstring)."""

    def __init__(self, rules: Sequence[tuple[HeadingRule, re.Pattern[str]]]) -> None:
        # steps: (pattern, the rules its groups stand for, or None for one rule alone, rule)
        self.steps: list[tuple[re.Pattern[str], list[HeadingRule] | None, HeadingRule]] = []
        run: list[tuple[HeadingRule, re.Pattern[str]]] = []
        for rule, pattern in rules:
            if rule.anchor == "line" and pattern.groups == 0:
                if run and pattern.flags != run[0][1].flags:
                    self._close(run)
                run.append((rule, pattern))
                continue
            self._close(run)
            self.steps.append((pattern, None, rule))
        self._close(run)

    def _close(self, run: list[tuple[HeadingRule, re.Pattern[str]]]) -> None:
        """Add the run of line rules as one joined step (or each alone if they do not join)."""
        joined = None
        if len(run) > 1:
            body = "|".join(f"(?P<r{k}>{pattern.pattern})" for k, (_r, pattern) in enumerate(run))
            try:
                joined = re.compile(body, run[0][1].flags)
            except re.error:  # a rule's own inline flags: each alone
                joined = None
        if joined is not None and joined.flags == run[0][1].flags:
            self.steps.append((joined, [rule for rule, _pattern in run], run[0][0]))
        else:
            self.steps.extend((pattern, None, rule) for rule, pattern in run)
        run.clear()

    def first(self, folded: str, start: int, end: int) -> tuple[HeadingRule, Any] | None:
        """(rule, match) of the first rule that matches `folded[start:end]`: a line rule at
        `start`, another anywhere, with at least one character; None if no rule does."""
        for pattern, joined, rule in self.steps:
            if joined is not None:
                found = pattern.match(folded, start, end)
                if found is not None:
                    return joined[int(found.lastgroup[1:])], found  # type: ignore[index]
            elif rule.anchor == "line":
                found = pattern.match(folded, start, end)
                if found is not None:
                    return rule, found
            else:
                found = pattern.search(folded, start, end)
                if found is not None and found.end() > found.start():
                    return rule, found
        return None


__all__ = ["RegexHeadings"]
