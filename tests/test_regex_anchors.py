"""Entity rules tried only where the strings their matches start with occur
(`nlp.candidates.anchors`), or just before the words they hold (`nlp.candidates.windows`),
find what a scan of the whole text finds."""

from __future__ import annotations

import random
import re

import pytest
import regex

from nlp.candidates.anchors import AnchorPlan, anchor_plan
from nlp.candidates.regex_rules import RULE_TIMEOUT_S, RegexRules
from nlp.candidates.windows import WindowPlan, window_plan
from nlp.regex_reading import parse, prefix_words, readable_class, required_part


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(?<!\w)(?P<m>enero|marzo)\s+\d{4}", ("enero", "marzo")),  # lookbehind skipped
        (r"(?<!\w)(?:Pp|[Pp]rograma\s+x)", ("Pp", "Prog", "prog")),  # read into the group
        (r"(?:US)?\$\d", ("$", "US$")),  # an optional part: both
        (r"\d+%", None),  # starts with a class of many characters
        (r"(?:a|\d)x", None),  # one alternative is not literal
        (r"(?:ab)?", None),  # may be empty
    ],
)
def test_prefix_words_every_match_starts_with(pattern: str, expected: tuple | None) -> None:
    assert prefix_words(parse(pattern)) == expected  # type: ignore[arg-type]


def test_a_plan_needs_rare_words_and_compares_folded_when_the_rule_ignores_case() -> None:
    months = anchor_plan(regex.compile(r"(?<!\w)(?:Enero|marzo)\s+\d{4}", regex.IGNORECASE))
    assert months == AnchorPlan(("enero", "marzo"), fold=True)
    assert anchor_plan(regex.compile(r"(?<!\w)(?:19|20)\d\d")) is None  # numbers are everywhere
    assert anchor_plan(regex.compile(r"\$\d")) is None  # one character: the engine skips fast
    assert anchor_plan(regex.compile(r"\p{Lu}\w+")) is None  # `re` cannot read it


def test_a_window_is_the_readable_run_before_a_required_word() -> None:
    day = r"(?<![\w/])(?P<d>[0-3]?\d|primero)\s+(?:de\s+)?(?P<m>enero|marzo|abril)\s+\d{4}"
    tree = parse(day, re.IGNORECASE)
    assert required_part(tree) == (4, ("abril", "enero", "marzo"))  # type: ignore[arg-type]
    assert readable_class(tree[:4]) == (r"[0-3\d\sdeimopr]", False)  # type: ignore[index]
    plan = window_plan(regex.compile(day, regex.IGNORECASE))
    assert isinstance(plan, WindowPlan) and plan.fold
    text = "el 15 de Marzo 2019, el primero de abril 2020 y el 7 mayo 2021"
    compiled = regex.compile(day, regex.IGNORECASE)
    found = [m.group() for m in plan.finditer(compiled, text, RULE_TIMEOUT_S)]
    assert found == ["15 de Marzo 2019", "primero de abril 2020"]
    wordy = r"(?P<w>[a-z]+)\s+(?P<m>enero|marzo)"  # any word before: the run is the phrase
    assert window_plan(regex.compile(wordy)) is None
    short = r"\d+\s+(?P<m>ene|mar)"  # words inside too many others
    assert window_plan(regex.compile(short)) is None


PIECES = [
    "Enero", "ENERO", "enero", "marzo", "MARZO", "de", "2019", "del", "20", "Pp", "Programa",
    "15", "1o.", "primero", "PRIMERO", "al", "hasta", "calle", "3", "31",
    "presupuestario", "PROGRAMA", "Clave", "ſeptiembre", "septiembre", "ene", "İ", "K", "ß",
    " ", " ", "\n", ",", ".", "-", "a", "y", "al", "(", ")", "E001", "S072",
]  # fmt: skip


@pytest.mark.parametrize("with_dotted_i", [False, True])
def test_anchored_rules_are_exact_on_shuffled_pieces(with_dotted_i: bool) -> None:
    """Every anchored rule against its whole scan on texts made of its words in all cases,
    with characters that fold to two (`İ`: the text is scanned whole) or not at all."""
    source = RegexRules()
    anchored = [
        (rule, pattern, plan)
        for rule, pattern, plan in zip(source.rules, source.patterns, source.plans)
        if isinstance(plan, (AnchorPlan, WindowPlan))
    ]
    assert {rule.id for rule, _p, _plan in anchored} >= {
        "date.month_year",
        "date.month_day_year",
        "date.day_month_dated",
        "date.range_start",
    }
    pieces = PIECES if with_dotted_i else [p for p in PIECES if p != "İ"]
    rng = random.Random(29)
    for _ in range(600):
        text = "".join(rng.choice(pieces) + rng.choice(["", " "]) for _ in range(25))
        for rule, pattern, plan in anchored:
            whole = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
            tried = [
                (m.span(), m.groupdict()) for m in plan.finditer(pattern, text, RULE_TIMEOUT_S)
            ]
            assert tried == whole, (rule.id, text)


def test_a_word_inside_a_match_is_not_tried_again() -> None:
    pattern = regex.compile(r"(?:enero|marzo)(?: y (?:enero|marzo))*")
    plan = anchor_plan(pattern)
    assert plan is not None
    text = "enero y marzo, marzo"
    found = [m.group() for m in plan.finditer(pattern, text, RULE_TIMEOUT_S)]
    assert found == ["enero y marzo", "marzo"] == [m.group() for m in pattern.finditer(text)]
