"""`nlp.heading_regexes.RegexHeadings`: the joined line rules choose the rule, and the match,
that trying each rule in order chooses (speed, issue 16)."""

from __future__ import annotations

import dataclasses
import random
import re

from conftest import REPO

from nlp.heading_regexes import RegexHeadings
from nlp.heading_rules import default_rules
from nlp.readers import read_document
from nlp.records import read_jsonl
from nlp.settings import REALDEV_GOLD
from nlp.textmap import fold_same_length, normalize


def _rules() -> list:
    rules = [r for r in default_rules() if r.regex is not None and not r.qualifier]
    return [(r, re.compile(r.regex, re.IGNORECASE)) for r in rules]


def _one_by_one(rules: list, folded: str, start: int, end: int) -> tuple | None:
    for rule, pattern in rules:
        if rule.anchor == "line":
            m = pattern.match(folded, start, end)
            if m is not None:
                return rule.id, m.span()
        else:
            m = pattern.search(folded, start, end)
            if m is not None and m.end() > m.start():
                return rule.id, m.span()
    return None


def _joined(headings: RegexHeadings, folded: str, start: int, end: int) -> tuple | None:
    hit = headings.first(folded, start, end)
    return None if hit is None else (hit[0].id, hit[1].span())


def _lines() -> list[str]:
    texts = [read_document(p).text for p in sorted((REPO / "corpus").glob("*.txt"))]
    texts += [
        r["text"] for p in sorted((REPO / "annotations").glob("*.jsonl")) for r in read_jsonl(p)
    ]
    if REALDEV_GOLD.exists():
        texts += [r["text"] for r in read_jsonl(REALDEV_GOLD)]
    return [line for t in texts for line in fold_same_length(normalize(t).norm).split("\n")]


def test_the_line_rules_are_joined() -> None:
    headings = RegexHeadings(_rules())
    assert len(headings.steps) < len(_rules())


def test_joined_rules_choose_what_the_loop_chooses() -> None:
    rules = _rules()
    headings = RegexHeadings(rules)
    lines = _lines()
    rng = random.Random(7)
    words = [w for line in rng.sample(lines, 300) for w in line.split()]
    lines += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    hits = 0
    for line in lines:
        for start in (0, min(3, len(line))):
            expected = _one_by_one(rules, line, start, len(line))
            assert _joined(headings, line, start, len(line)) == expected
            hits += expected is not None
    assert hits > 50


def test_rules_with_groups_flags_or_search_are_tried_alone() -> None:
    def rule(rid: str, regex: str, anchor: str = "line") -> tuple:
        found = next(r for r in default_rules() if r.regex is not None)
        return dataclasses.replace(found, id=rid, regex=regex, anchor=anchor)

    made = [
        rule("a", "anexo"),
        rule("b", "(ficha)"),
        rule("c", "nota", "inline"),
        rule("d", "sufragio"),
        rule("e", "atentamente"),
    ]
    headings = RegexHeadings([(r, re.compile(r.regex, re.IGNORECASE)) for r in made])
    # `a` alone (the next has a group), `b` (its group), `c` (searched), then `d|e` joined
    assert [joined is not None for _p, joined, _r in headings.steps] == [False] * 3 + [True]
    assert _joined(headings, "una nota", 0, 8) == ("c", (4, 8))
    assert _joined(headings, "atentamente", 0, 11) == ("e", (0, 11))
