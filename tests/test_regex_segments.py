"""Entity rules scanned only in the runs that can hold their match (`nlp.candidates.segments`)
find what a scan of the whole text finds."""

from __future__ import annotations

import random
import re

import regex
from conftest import SEEDS, real_texts

from nlp.candidates.regex_rules import RULE_TIMEOUT_S, RegexRules
from nlp.candidates.segments import run_plan
from nlp.regex_reading import parse, readable_class, required_words
from nlp.textmap import normalize


def _texts() -> list[str]:
    texts = real_texts()
    return [normalize(t).norm for t in texts]


def _same(pattern, plan, text: str) -> bool:  # type: ignore[no-untyped-def]
    whole = [(m.span(), m.groupdict()) for m in pattern.finditer(text)]
    runs = [(m.span(), m.groupdict()) for m in plan.finditer(pattern, text, RULE_TIMEOUT_S)]
    return whole == runs


def test_planned_rules_find_what_a_whole_scan_finds() -> None:
    source = RegexRules()
    planned = [
        (r, p, plan) for r, p, plan in zip(source.rules, source.patterns, source.plans) if plan
    ]
    assert {r.id for r, _p, _plan in planned} >= {"amount.numeral_currency", "percent.words"}
    texts = _texts()
    found = 0
    for rule, pattern, plan in planned:
        for text in texts:
            assert _same(pattern, plan, text), (rule.id, text[:80])
        found += sum(1 for text in texts for _ in pattern.finditer(text))
    assert found > 50  # the texts do hold their matches


def test_planned_rules_are_exact_on_shuffled_pieces_of_their_examples() -> None:
    """Examples cut and glued, with characters a rule cannot read (`;`, `ſ`, `K`, `\\n`)
    and words it needs (`mil`, `ciento`) at the edges of runs and texts."""
    source = RegexRules()
    rng = random.Random(11)
    for rule, pattern, plan in zip(source.rules, source.patterns, source.plans):
        if plan is None:
            continue
        pieces = [w for ex in rule.examples for w in re.split(r"(\s+|\[|\])", ex["text"])]
        pieces += [";", "ſ", "K", "\n", "(", ")", "mil", "MIL", "ciento", "-", ":", "Ñ", "%"]
        for _ in range(1500):
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
            assert _same(pattern, plan, text), (rule.id, text)


def test_readable_characters_and_required_words_from_the_parse_tree() -> None:
    tree = parse(r"(?<![\w.,$])\d+(?:[.,]\d+)?\s*(?:mil|millones)(?!\w)")
    assert required_words(tree) == ("mil", "millones")
    chars, ignoring_case = readable_class(tree)
    assert not ignoring_case
    assert regex.fullmatch(chars + "+", "12,5 millones") and not regex.match(chars, ";")
    assert readable_class(parse(r"\d+(?i:mdp)"))[1]  # a scoped `i` reads the class ignoring case
    assert readable_class(parse(r"\bcien\b"))[0] == r"[\wcein]"  # \b looks at word characters
    for unknown in (r"a.b", r"[^x]y", r"^abc", r"abc$", r"(?s:a)b"):
        assert readable_class(parse(unknown)) is None, unknown


def test_a_rule_without_a_rare_word_or_with_regex_only_syntax_keeps_its_whole_scan() -> None:
    assert run_plan(regex.compile(r"\d+")) is None  # no word every match holds
    assert run_plan(regex.compile(r"(?<!\w)\p{Lu}+ mil")) is None  # `re` cannot parse \p
    assert run_plan(regex.compile(r"(?:enero|febrero|marzo|abril|mayo) \d+")) is None  # many
    assert run_plan(regex.compile(r"\d+ mil pesos")) is not None


def test_seeds_give_the_same_candidates_with_and_without_plans() -> None:
    from nlp.candidates import DocView

    source = RegexRules()
    whole = RegexRules()
    whole.plans = [None] * len(whole.plans)
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        view = DocView(doc=None, text=text, textmap=normalize(text), decimal=None)  # type: ignore[arg-type]
        assert list(source(view)) == list(whole(view))
