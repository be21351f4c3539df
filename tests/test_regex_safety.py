"""Issue 14 case 3: no regex of `rules/` or of the code backtracks catastrophically.

The cue `budget.montos` (`\\b\\d[\\d,.]* (?:mdp|millones|mil millones)`) took over 120 s on
`"1,"` repeated 200,000 times: every start position scanned to the end of the run.
Each pattern here gets adversarial inputs built from its own alphabet (digits and
separators, its own words repeated) at n and 4n characters; the time may grow about
linearly (4x), and a ratio over 10 (quadratic gives 16) fails. Times are CPU times, the minimum of
a few repeats; patterns too fast to time at 4n are not judged.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import regex
from conftest import REPO

import nlp

N = int(__import__("os").environ.get("ROBUST_N", 2_000))
MAX_RATIO = 10.0
_TOO_FAST = 0.004  # seconds at 4n: below this, timer noise decides the ratio
_BASE_UNITS = (
    "1", "1,", "1.", "1 ", "1, ", "1 ,", "1%", "1-", "1/", "12 ", "1.1,", "$1", "$ ",
    "a ", "A ", "A.", " ", "\t", "\n", " \n", "-", ".", ", ", "de ", "Programa de ",
)  # fmt: skip
#: Code patterns the code applies with `.match` at one position (not searched through a text).
MATCHED_AT_ONE_POSITION = {
    "nlp.headings._LEAD_DECOR_RE",
    "nlp.headings._TRAILING_DECOR_RE",
    "nlp.program_names._QUOTED_TAIL",
    "nlp.values.money._WORDS_AMOUNT",
}
#: Code patterns only ever applied to short inputs, with the bound that guarantees it.
BOUNDED_INPUT = {"nlp.headings._CONTENTS_LINE_RE": "CONTENTS_MAX_LINE"}
_WORD = re.compile(r"(?<![\\{<])[A-Za-zÁÉÍÓÚáéíóúÑñü]{2,}")


def rule_patterns() -> Iterator[tuple[str, Any, str]]:
    """(name, pattern, use) of every regex rule in `rules/`, compiled and applied as the code
    does: `search` through a text, or `match` at a line start (heading rules of anchor line)."""
    from nlp.entity_rules import load_regex_rules, macros
    from nlp.section_cues import default_cues

    for rule in load_regex_rules():
        yield f"entities:{rule.id}", rule.pattern, "search"
    for name, source in macros().items():
        yield f"macro:{name}", regex.compile(source, regex.V0 | regex.I), "search"
    from nlp.gazetteer import GazetteerScan, gazetteer

    yield "gazetteer:program_names", gazetteer()[0], "search"
    yield "gazetteer:program_names_unaccented", GazetteerScan().pattern, "search"  # issue 16
    for cue in default_cues():
        yield f"cues:{cue.id}", cue.compiled(), "search"
    for line in (REPO / "rules" / "sections" / "headings.jsonl").read_text("utf-8").splitlines():
        if line.startswith("{") and '"regex"' in line:
            rule = json.loads(line)
            use = "match" if rule["anchor"] == "line" else "search"
            yield f"headings:{rule['id']}", re.compile(rule["regex"], re.IGNORECASE), use


def code_patterns() -> Iterator[tuple[str, Any, str]]:
    """(name, pattern, use) of every compiled regex at module level in the package."""
    for info in pkgutil.walk_packages(nlp.__path__, "nlp."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # optional extras (web server, PDF) not installed
            continue
        for attr, value in vars(module).items():
            name = f"{info.name}.{attr}"
            if isinstance(value, (re.Pattern, regex.Pattern)) and name not in BOUNDED_INPUT:
                yield name, value, "match" if name in MATCHED_AT_ONE_POSITION else "search"


def adversarial_units(source: str) -> list[str]:
    """Repeatable pieces of text from the pattern's alphabet: separators, digits, its words."""
    words = list(dict.fromkeys(_WORD.findall(source)))[:12]
    units = list(_BASE_UNITS)
    for word in words:
        units += [word + " ", word.capitalize() + " ", word.upper() + " ", word + ", "]
    if len(words) > 1:
        units.append(" ".join(words[:3]) + " ")
    return units


def _seconds(pattern: Any, text: str, use: str = "search", repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        if use == "match":
            pattern.match(text)
        else:
            for _match in pattern.finditer(text):
                pass
        best = min(best, time.process_time() - start)
    return best


def worst_ratio(pattern: Any, use: str = "search") -> tuple[float, str]:
    """The largest time ratio 4n / n over the pattern's adversarial inputs, and that input."""
    worst, worst_unit = 0.0, ""
    for unit in adversarial_units(pattern.pattern):
        small = unit * (N // len(unit))
        large = unit * (4 * N // len(unit))
        t_large = _seconds(pattern, large, use)
        if t_large < _TOO_FAST:
            continue
        ratio = t_large / max(_seconds(pattern, small, use), 1e-6)
        if ratio > MAX_RATIO:  # confirm: a loaded machine can slow one measurement
            again = _seconds(pattern, large, use, 7) / max(_seconds(pattern, small, use, 7), 1e-6)
            ratio = min(ratio, again)
        if ratio > worst:
            worst, worst_unit = ratio, unit
    return worst, worst_unit


def _slow(patterns: Iterator[tuple[str, Any, str]]) -> list[str]:
    slow = []
    for name, pattern, use in patterns:
        ratio, unit = worst_ratio(pattern, use)
        if ratio > MAX_RATIO:
            slow.append(f"{name}: {ratio:.0f}x time for 4x input on {unit!r} repeated")
    return slow


def test_case03_rule_regexes_grow_linearly_on_adversarial_input() -> None:
    assert _slow(rule_patterns()) == []


def test_case03_code_regexes_grow_linearly_on_adversarial_input() -> None:
    assert _slow(code_patterns()) == []


def test_the_check_finds_a_quadratic_pattern() -> None:
    """The measurement itself: the issue's pattern, as it was, is caught."""
    ratio, _ = worst_ratio(re.compile(r"\b\d[\d,.]* (?:mdp|millones|mil millones)"))
    assert ratio > MAX_RATIO


@pytest.mark.parametrize("name", ["entities", "macro", "gazetteer", "cues", "headings"])
def test_every_kind_of_rule_is_checked(name: str) -> None:
    assert any(n.startswith(name + ":") for n, _, _ in rule_patterns())


def test_patterns_left_out_have_their_input_bounded() -> None:
    from nlp import headings

    for name, bound in BOUNDED_INPUT.items():
        assert hasattr(headings, name.rsplit(".", 1)[1]) and getattr(headings, bound) <= 200
