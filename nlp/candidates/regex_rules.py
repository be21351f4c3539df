"""Candidates of the regex rules (`rules/entities/*.jsonl`), matched on the normalized view.

Numbers, dates and years are regex rules because spaCy splits `15.5%`, `$` and
`2019-2024` in ways token patterns cannot follow. A rule with `groups` yields one
candidate per group it matched (a key and a quoted name), else one for the whole match.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import regex

from nlp.candidates import LABEL_RANK, Candidate, DocView
from nlp.candidates.anchors import AnchorPlan, anchor_plan
from nlp.candidates.guards import cheap_lookarounds_first, guarded, word_boundary_first
from nlp.candidates.segments import RunPlan, run_plan
from nlp.candidates.windows import WindowPlan, window_plan
from nlp.entity_rules import RegexRule, load_regex_rules
from nlp.regex_cache import compile_all

#: Seconds one regex rule may take on one text (a piece of at most 50,000 characters):
#: catastrophic backtracking becomes this document's failure, not a hung batch.
RULE_TIMEOUT_S = 60.0


class RegexRules:
    """Every compiled regex rule of a rules folder, as a candidate source."""

    def __init__(self, rules_dir: str | None = None) -> None:
        self.rules: tuple[RegexRule, ...] = load_regex_rules(rules_dir)
        sources = [_scan_source(rule.pattern) for rule in self.rules]
        self.plans = [_plan(rule.pattern, source) for rule, source in zip(self.rules, sources)]
        self.patterns = _scan_patterns(self.rules, sources)

    def __call__(self, view: DocView) -> Iterator[Candidate]:
        norm = view.textmap.norm
        for rule, pattern, plan in zip(self.rules, self.patterns, self.plans):
            if plan is not None:
                matches = plan.finditer(pattern, norm, RULE_TIMEOUT_S)
            else:
                matches = pattern.finditer(norm, timeout=RULE_TIMEOUT_S)
            for match in matches:
                yield from _match_candidates(rule, match, view)


def _plan(pattern: Any, source: str) -> AnchorPlan | WindowPlan | RunPlan | None:
    """Where to try a rule: at the strings its matches start with (`anchors`), else just
    before the words its matches hold a few characters in (`windows`), else, for
    a rule without a first-character guard, in the runs that can hold its match
    (`segments`; a guarded rule is already cheap to scan whole), else everywhere."""
    plan = anchor_plan(pattern) or window_plan(pattern)
    if plan is not None:
        return plan
    return run_plan(pattern) if source == pattern.pattern else None


def _scan_source(pattern: Any) -> str:
    """The rule's pattern with its first-character guard and its cheapest lookarounds first
    (`nlp.candidates.guards`): the same matches, found without running the rule's long
    lookbehinds at every position."""
    if pattern.flags & regex.VERBOSE:  # the guard reader does not skip verbose whitespace
        return pattern.pattern
    fullcase = bool(pattern.flags & (regex.FULLCASE | regex.VERSION1))
    ignorecase = bool(pattern.flags & regex.IGNORECASE)
    return guarded(cheap_lookarounds_first(pattern.pattern), ignorecase, fullcase)


def _scan_patterns(rules: tuple[RegexRule, ...], sources: list[str]) -> list[Any]:
    """The compiled scan of each rule: its scan source with `\\b` first where it says the
    same (`guards.word_boundary_first`); a verbose pattern as it is (the readers skip no
    spaces). Compiled through `nlp.regex_cache`, like the rules themselves."""
    scans = [
        (word_boundary_first(source), int(rule.pattern.flags))
        for rule, source in zip(rules, sources)
        if not rule.pattern.flags & regex.VERBOSE
    ]
    compiled = iter(compile_all("entity-scans", scans))
    return [
        rule.pattern if rule.pattern.flags & regex.VERBOSE else next(compiled) for rule in rules
    ]


def _match_candidates(rule: RegexRule, match: object, view: DocView) -> Iterator[Candidate]:
    groups = match.groupdict()  # type: ignore[attr-defined]
    for group in rule.groups or (None,):
        if group is not None and match.group(group) is None:  # type: ignore[attr-defined]
            continue
        span = match.span(group) if group else match.span()  # type: ignore[attr-defined]
        start, end = view.textmap.span(*span)
        parser = rule.parser
        if parser == "program" and group == "key":  # the key of a `key + name` rule
            parser = "program_key"
        yield Candidate(
            start,
            end,
            rule.label,
            rule.id,
            LABEL_RANK[rule.label],
            rule.priority,
            rule.context,
            parser=parser,
            groups=groups,
            group=group,
            decimal=view.decimal,
        )
