"""Overlap resolution between entity candidates, in one place, as the guide orders it.

1. A glued table cell (`6,33%` -> `33%`) beats the general reading of the cell.
2. DATE beats everything inside it (a year inside a date is not a YEAR).
3. AMOUNT and PERCENT beat YEAR (`2012 millones de pesos`).
4. PROGRAM beats YEAR; program patterns never take a trailing period, so a period
   after a program name stays its own YEAR.
5. Otherwise the longest candidate wins; then the earliest; then the rule's priority.
   Before that, a known name ends where it ends (`known_names_end`): an open-pattern
   PROGRAM that starts where a catalogue name starts and runs past it is dropped.
Candidates that need context (a scale word right after a peso amount, or in a
sentence about money: `nlp/money_context.py`; a day and month in a document that
states its year) are added last, only where that context was kept.
"""

from __future__ import annotations

from bisect import bisect_left

import regex

from nlp.candidates import LABEL_RANK, Candidate
from nlp.money_context import in_money_context
from nlp.values.dates import document_year

# What may stand between an amount and a following bare `7 mil 776 millones`
# (a connector, maybe with the year of the first amount: `… de pesos en 2015 a 7 mil 776 millones`).
_AMOUNT_GAP = regex.compile(
    r"^[\s,]*(?:(?:en|para|durante|de)\s+(?:19|20)\d\d[\s,]*)?"
    r"(?:y|e|o|a|contra|frente\s+a|de|respectivamente)?[\s,]*$",
    regex.I,
)


def resolve(
    candidates: list[Candidate], text: str, rules_dir: str | None = None
) -> list[Candidate]:
    """Non-overlapping entities chosen from `candidates` (sorted by start)."""
    plain = [c for c in candidates if c.context is None]
    contextual = sorted((c for c in candidates if c.context is not None), key=lambda c: c.start)
    plain.sort(key=lambda c: (-c.rank, -c.length, c.start, -c.priority))
    chosen: list[Candidate] = []
    taken = _Taken()
    for cand in plain:
        if not taken.overlaps(cand):
            chosen.append(cand)
            taken.add(cand)
    for cand in contextual:
        if not taken.overlaps(cand) and _context_holds(cand, chosen, text, rules_dir):
            chosen.append(cand)
            taken.add(cand)
    return sorted(chosen, key=lambda c: c.start)


def known_names_end(candidates: list[Candidate], known_rule: str) -> list[Candidate]:
    """Drop PROGRAM candidates that start with a known name (rule `known_rule`, the
    catalogue) and run on past its end: `… Oportunidades⏎Modalidad: S072` ends at the name."""
    known = {(c.start, c.end) for c in candidates if c.rule == known_rule}
    if not known:
        return candidates
    ends: dict[int, int] = {}
    for start, end in known:
        ends[start] = max(end, ends.get(start, end))
    return [
        c
        for c in candidates
        if not (c.label == "PROGRAM" and c.rule != known_rule and c.end > ends.get(c.start, c.end))
    ]


__all__ = ["LABEL_RANK", "Candidate", "known_names_end", "resolve"]


def _context_holds(
    cand: Candidate, chosen: list[Candidate], text: str, rules_dir: str | None
) -> bool:
    """`after_amount`: right after a peso amount; `money_context`: that, or money talk;
    `dated_document`: the document states the year of a day and month."""
    if cand.context == "dated_document":
        return _date_year_from_document(cand, chosen, rules_dir)
    if _follows_amount(cand, chosen, text):
        return True
    if cand.context != "money_context":
        return False
    amounts = [(c.start, c.end) for c in chosen if c.label == "AMOUNT"]
    return in_money_context(text, cand.start, amounts, rules_dir)


def _date_year_from_document(
    cand: Candidate, chosen: list[Candidate], rules_dir: str | None
) -> bool:
    """`dated_document`: a day and month take the year the document states (DECISIONS D1)."""
    dated: list[tuple[int, str | None, str | None, int]] = []
    for other in chosen:
        groups = other.groups
        if other.label == "DATE" and groups.get("year"):
            dated.append((other.start, groups.get("day"), groups.get("month"), int(groups["year"])))
        elif other.label == "YEAR" and groups.get("y1") and not groups.get("y2"):
            dated.append((other.start, None, None, int(groups["y1"])))
    groups = cand.groups
    year = document_year(groups.get("day"), groups.get("month"), cand.start, dated, rules_dir)
    if year is None:
        return False
    cand.groups = {**groups, "year": str(year)}
    return True


class _Taken:
    """The spans chosen so far, which never overlap one another, sorted by start: whether a
    candidate overlaps one is a binary search, not a pass over all (a long document has
    thousands). An empty span (none is known to occur) falls back to the pass over all."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spans: list[tuple[int, int]] = []
        self.empty = False

    def overlaps(self, cand: Candidate) -> bool:
        if self.empty or cand.start >= cand.end:
            return any(cand.start < end and start < cand.end for start, end in self.spans)
        k = bisect_left(self.starts, cand.end) - 1  # the last span starting before cand ends
        return k >= 0 and self.ends[k] > cand.start

    def add(self, cand: Candidate) -> None:
        k = bisect_left(self.starts, cand.start)
        self.starts.insert(k, cand.start)
        self.ends.insert(k, cand.end)
        self.spans.append((cand.start, cand.end))
        self.empty = self.empty or cand.start >= cand.end


def _follows_amount(cand: Candidate, chosen: list[Candidate], text: str) -> bool:
    """True when a chosen AMOUNT ends right before `cand`, with only a connector between."""
    before = [
        c
        for c in chosen
        if c.label == "AMOUNT" and c.end <= cand.start and cand.start - c.end <= 40
    ]
    if not before:
        return False
    last = max(before, key=lambda c: c.end)
    return bool(_AMOUNT_GAP.match(text[last.end : cand.start]))
