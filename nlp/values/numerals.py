"""Spanish numerals as the press and reports write them: digits and words mixed with scale words.

`4 mil 250.6 millones`, `126 mil 650 millones`, `1,063 millones 219.6 mil`, `2 mil300`,
`mil 35.20`, `tres mil 547 millones`, `871 mil 569` + `mdp`. One grammar reads them all:
a number adds to the current group, `mil` multiplies the current group, a scale of a
million or more closes the group into the total. Scales of a million or more must
decrease (`10 millones, 20 millones` is a list, not one number), so a reading that
breaks the grammar is None rather than a wrong value.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from nlp.textmap import fold, fold_same_length
from nlp.values.lexicon import scales, word_list
from nlp.values.numbers import parse_number, spelled_number

_DIGITS = regex.compile(r"\d+(?:[.,']\d+)*")
_GAP = regex.compile(r"[\s,\u00a0]+")
_WORD = regex.compile(r"\p{L}+\.?")


@lru_cache(maxsize=8)
def _scale_pattern(rules_dir: str | None = None) -> regex.Pattern[str]:
    """Alternation of the lexicon's scale words, longest first (`mil millones` before `mil`)."""
    words = sorted(scales(rules_dir), key=len, reverse=True)
    body = "|".join(regex.escape(w).replace("\\ ", "\\s+") for w in words)
    return regex.compile(rf"(?:{body})(?![^\W\d])", regex.I)


@lru_cache(maxsize=8)
def _number_words(rules_dir: str | None = None) -> frozenset[str]:
    return frozenset(fold(w) for w in word_list("number_words", rules_dir))


def numeral_tokens(
    text: str, decimal: str | None = None, rules_dir: str | None = None
) -> list[tuple[str, float, str | None]] | None:
    """(`num` | `scale`, value or factor, implied currency) tokens; None if a piece is unknown."""
    scale_re = _scale_pattern(rules_dir)
    words = _number_words(rules_dir)
    view = fold_same_length(text)  # `millón` matches the lexicon's folded `millon`
    out: list[tuple[str, float, str | None]] = []
    pos, end = 0, len(text)
    while pos < end:
        gap = _GAP.match(text, pos)
        if gap:
            pos = gap.end()
            continue
        scale = scale_re.match(view, pos)
        if scale:
            factor, currency = scales(rules_dir)[fold(scale.group())]
            out.append(("scale", factor, currency))
            pos = scale.end()
            continue
        digits = _DIGITS.match(text, pos)
        if digits:
            value = parse_number(digits.group(), decimal)
            if out and out[-1][0] == "num" and len(digits.group()) == 3 and text[pos - 1] == " ":
                out[-1] = ("num", out[-1][1] * 1000 + value, None)  # `1 234`: space thousands
            else:
                out.append(("num", value, None))
            pos = digits.end()
            continue
        run = []
        while (word := _WORD.match(text, pos)) and fold(word.group()) in words:
            if scale_re.match(view, pos):
                break
            run.append(word.group())
            pos = word.end()
            gap = _GAP.match(text, pos)
            pos = gap.end() if gap and _WORD.match(text, gap.end()) else pos
        if not run:
            return None
        # `un millón`, `veintiún mil`: text2num reads the apocopated forms only as `-uno`
        run = [fold(w) + "o" if fold(w) in ("un", "veintiun") else w for w in run]
        value = spelled_number(" ".join(run))
        if value is None:
            return None
        out.append(("num", value, None))
    return out


def numeral_value(
    text: str, decimal: str | None = None, rules_dir: str | None = None
) -> tuple[float, str | None] | None:
    """(value, currency implied by `mdp`/`mmdp`) of a numeral; None if it breaks the grammar."""
    tokens = numeral_tokens(text, decimal, rules_dir)
    if not tokens:
        return None
    total, current = 0.0, 0.0
    group_has_number = group_has_mil = False
    after_mil = False
    last_big = float("inf")
    currency: str | None = None
    for kind, value, implied in tokens:
        if kind == "num":
            if group_has_number and not after_mil:
                return None  # two numbers in a row: a list, not one numeral
            if after_mil and value >= 1000:
                return None  # `2 mil 2019`: a thousand group holds less than a thousand
            current += value
            group_has_number, after_mil = True, False
            continue
        currency = implied or currency
        if value < 1e6:
            if group_has_mil:
                return None  # `3 mil 5 mil`
            current = (current or 1.0) * value
            group_has_mil, after_mil, group_has_number = True, True, True
            continue
        if value >= last_big:
            return None  # `10 millones, 20 millones`
        total += (current or 1.0) * value
        last_big = value
        current, group_has_number, group_has_mil, after_mil = 0.0, False, False, False
    return float(f"{total + current:.15g}"), currency  # `8.3 billones` is 8.3e12, not …001
