"""First-character guards of the entity rules (`nlp.candidates.guards`): same matches, or none."""

from __future__ import annotations

import pytest
import regex
from conftest import SEEDS

from nlp.candidates.guards import (
    cheap_lookarounds_first,
    first_chars,
    guard_lookahead,
    guarded,
    word_boundary_first,
)
from nlp.candidates.regex_rules import RegexRules
from nlp.textmap import normalize


def test_first_characters_of_a_pattern_skip_lookarounds_and_optional_parts() -> None:
    pattern = r"(?<![\w/])(?<!(?i:calle)\s{1,3})(?P<day>[0-3]?\d|primero)\s+de"
    assert first_chars(pattern) == (r"0-3\dp", False)
    assert first_chars(r"(?:(?<!\w)(?P<sign>[-+])\s?)?\d+%") == (r"\-+\d", False)
    assert first_chars(r"(?i:US\$|\$)\d") == (r"U\$", True)


def test_no_guard_where_a_match_may_start_anywhere() -> None:
    assert first_chars(r"\d*") is None  # may match the empty string
    assert first_chars(r"(?<!\w)\p{Lu}\w+") is None  # a property: unknown letters
    assert first_chars(r"(?:enero|febrero|marzo|abril|mayo|junio|octubre)") is None  # letters
    assert first_chars(r"[^\d]x") is None  # a negated class
    assert first_chars(r"(?P<d>\d)(?P=d)") == (r"\d", False)  # a back-reference after it
    assert guarded(r"\w+") == r"\w+"


def test_guarded_rules_find_what_the_rules_find() -> None:
    """Every rule, with and without its guard, on the seeds and on made-up sentences."""
    texts = [normalize(seed.read_text(encoding="utf-8")).norm for seed in SEEDS]
    texts.append(
        "El 1o. de julio de 2021, el día primero de marzo, en la calle 5 de Mayo; del 3 al "
        "14/02/2019, -4.5 % y +12 por ciento; US$ 20 mil; MXN 1,200; E-012 y S072 (mdp)."
    )
    source = RegexRules()
    guarded_rules = 0
    for rule, pattern in zip(source.rules, source.patterns):
        guarded_rules += pattern.pattern != rule.pattern.pattern
        for text in texts:
            expected = [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in pattern.finditer(text)] == expected
    assert guarded_rules >= 10  # the date, year, percent and amount-by-digit rules


def test_the_guard_keeps_the_rule_flags() -> None:
    pattern = regex.compile(guarded(r"(?<!\w)primero"), regex.IGNORECASE)
    assert pattern.search("el PRIMERO de mayo") is not None


@pytest.mark.parametrize(
    ("body", "ignorecase", "inline", "expected"),
    [
        (r"0-3\dp", True, False, r"(?-i:(?=[\dPp]))"),  # digits \d covers dropped; both cases
        (r"0-3\dp", False, False, r"(?=[\dp])"),  # a case-sensitive rule: as written
        (r"0-3\d", False, False, r"(?=\d)"),  # `\d` alone: no class
        (r"U\$", False, True, r"(?=[Uu\$])"),  # an inline `(?i:`: the cases written out
        (r"s", True, False, "(?-i:(?=[Ssſ]))"),  # the engine folds the long s too
        (r"\-+\u2212\d", True, False, r"(?-i:(?=[\-+\u2212\d]))"),  # escapes kept whole
        (r"\u00e9", True, False, "(?-i:(?=[Éé]))"),  # an escaped letter: its cases
    ],
)
def test_the_guard_is_written_in_the_form_the_engine_skips_fastest(
    body: str, ignorecase: bool, inline: bool, expected: str
) -> None:
    assert guard_lookahead(body, ignorecase, inline) == expected


@pytest.mark.parametrize("text", ["el PRIMERO de mayo", "ſí", "SÍ", "Éxito", "éxito"])
def test_a_case_insensitive_guard_finds_what_the_rule_finds(text: str) -> None:
    for rule in (r"(?<!\w)primero", r"(?<!\w)s[ií]", r"(?<!\w)éxito"):
        plain = regex.compile(rule, regex.IGNORECASE)
        fast = regex.compile(guarded(rule, ignorecase=True), regex.IGNORECASE)
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_leading_lookarounds_are_reordered_shortest_first_when_safe() -> None:
    pattern = r"(?<!(?:enero|marzo)\s*a\s*)(?<!\w)(?P<m>enero|marzo)\s+\d{4}"
    assert cheap_lookarounds_first(pattern) == (
        r"(?<!\w)(?<!(?:enero|marzo)\s*a\s*)(?P<m>enero|marzo)\s+\d{4}"
    )
    for kept in (
        r"(?<!(x)y)(?<!\w)z",  # a group inside: its number would move
        r"(?<!abc)(?<!\w)?z",  # a quantifier on the last one
        r"(?<!\w)z",  # one lookaround only
    ):
        assert cheap_lookarounds_first(kept) == kept


def test_a_leading_not_word_lookbehind_becomes_a_boundary_only_before_word_characters() -> None:
    assert word_boundary_first(r"(?<!\w)(?P<m>enero|marzo)\s+\d{4}") == (
        r"\b(?P<m>enero|marzo)\s+\d{4}"
    )
    assert (
        word_boundary_first(r"(?<!\w)(?<!x\s)(?:[a-z0-9]+|mil)") == r"\b(?<!x\s)(?:[a-z0-9]+|mil)"
    )
    day = r"(?=[0-3\dp])(?<![\w/])(?P<day>[0-3]?\d|primero)"
    assert word_boundary_first(day) == r"\b" + day
    numeral = r"(?<![\w.,$])(?:\d+|mil|dos)\s*mil"  # a lookbehind class alone, word starts
    assert word_boundary_first(numeral) == r"\b" + numeral
    for kept in (
        r"(?=[\-+\d])(?:(?<![\w)])[-+])?(?<![\w.,])\d",  # a sign may start it
        r"(?=[12])(?<!\d[ ])\d{4}",  # the lookbehind does not exclude every word character
        r"(?<!\w)\$\d",  # a symbol may start it
        r"(?<!\w)(?:[-+])?\d",  # a sign may start it
        r"(?<!\w)\p{Lu}\w+",  # a property: unknown
        r"(?<!\w)[\w.]+",  # a class with an escape
        r"(?<!\w)_x",  # an underscore: left alone
        r"(?<!\w)x?",  # may match the empty string
        r"(?<![^\w])x",  # a negated class: preceded by a word character
        r"(?<![\w/])\$",  # a symbol starts it
    ):
        assert word_boundary_first(kept) == kept


def test_rules_with_a_boundary_find_what_the_rules_find_on_shuffled_text() -> None:
    import random

    source = RegexRules()
    rewritten = [
        (rule, pattern)
        for rule, pattern in zip(source.rules, source.patterns)
        if pattern.pattern.startswith("\\b") and not rule.pattern.pattern.startswith("\\b")
    ]
    assert len(rewritten) >= 10  # number words, month names, day-month dates, years, amounts
    words = "veinte mil millones de pesos por ciento marzo 14 2003 de Enero, del 2019 _x ñ"
    words += " 1o. 3 al 14/02/2019 2020-2024 20192020 1,200 5.5 mdp calle Av. primero"
    pieces = words.split() + ["a", "é", "_", "-", "1", " ", "\n", ".", "$", "Ñ", "/", ","]
    rng = random.Random(13)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " "]) for _ in range(30))
        for rule, pattern in rewritten:
            expected = [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text)]
            assert [(m.span(), m.groupdict()) for m in pattern.finditer(text)] == expected
