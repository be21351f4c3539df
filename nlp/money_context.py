"""Whether a bare scale amount (`tres mil 547 millones`, no currency word) is money.

DECISIONS D3: such a number is an AMOUNT in MXN when it is what a budget, allocation or
spending amounts to, and not when it counts people or things. The reading: a money cue
(`rules/entities/money_cues.tsv`) or a peso amount in the same sentence or the one
before, and no count cue (`rules/entities/count_cues.tsv`, `lexicon/count_nouns.tsv`)
between that cue and the number.
"""

from __future__ import annotations

from functools import lru_cache

import regex

from nlp.rules import read_tsv, rules_path
from nlp.textmap import fold_same_length
from nlp.values.lexicon import word_list

#: How far back (characters) a money cue may stand.
WINDOW = 300
_SENTENCE_END = regex.compile(r"[.!?;](?=\s)|\n[ \t]*\n")


def _stems(rows: list[dict[str, str]]) -> list[str]:
    return [fold_same_length(r["stem"]) for r in rows if r.get("stem")]


@lru_cache(maxsize=8)
def _cue_patterns(rules_dir: str | None = None) -> tuple[regex.Pattern[str], regex.Pattern[str]]:
    """(money cue, count cue) patterns over the folded text."""
    folder = rules_path(rules_dir, "entities")
    money = _stems(read_tsv(folder / "money_cues.tsv"))
    count = _stems(read_tsv(folder / "count_cues.tsv"))
    nouns = [fold_same_length(w) for w in word_list("count_nouns", rules_dir)]

    def alternation(words: list[str]) -> str:
        return "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))

    return (
        regex.compile(rf"(?<!\w)(?:{alternation(money)})"),
        regex.compile(rf"(?<!\w)(?:{alternation(count)}|(?:{alternation(nouns)})(?!\w))"),
    )


def window_start(text: str, start: int) -> int:
    """Start of the sentence before the one that holds `start` (at most WINDOW back)."""
    low = max(0, start - WINDOW)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, low, start)]
    return ends[-2] if len(ends) >= 2 else low


def in_money_context(
    text: str, start: int, amounts: list[tuple[int, int]], rules_dir: str | None = None
) -> bool:
    """True when the number at `start` follows a money cue or amount with no count cue between."""
    money_re, count_re = _cue_patterns(rules_dir)
    low = window_start(text, start)
    view = fold_same_length(text[low:start])
    last = max((m.end() for m in money_re.finditer(view)), default=-1)
    ends = [end - low for s, end in amounts if low <= s and end <= start]
    last = max([last, *ends])
    if last < 0:
        return False
    return count_re.search(view, last) is None
