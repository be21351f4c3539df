"""Lookups of `rules/lexicon/` (months, scales, currencies, number words) used by the parsers."""

from __future__ import annotations

from functools import lru_cache

from nlp.rules import read_rules_tsv
from nlp.textmap import fold


@lru_cache(maxsize=8)
def months(rules_dir: str | None = None) -> dict[str, int]:
    """Folded month name or abbreviation -> month number."""
    return {
        fold(r["word"]): int(r["month"]) for r in read_rules_tsv(rules_dir, "lexicon", "months.tsv")
    }


@lru_cache(maxsize=8)
def scales(rules_dir: str | None = None) -> dict[str, tuple[float, str | None]]:
    """Folded scale word -> (factor, implied currency or None)."""
    return {
        fold(r["word"]): (float(r["factor"]), r.get("currency") or None)
        for r in read_rules_tsv(rules_dir, "lexicon", "scales.tsv")
    }


@lru_cache(maxsize=8)
def scale_words(
    rules_dir: str | None = None, form: str = "word", min_factor: float = 0.0
) -> tuple[str, ...]:
    """Scale words as written (`millones`) or abbreviations (`MDP`), for the rule macros."""
    rows = read_rules_tsv(rules_dir, "lexicon", "scales.tsv")
    return tuple(
        r["word"] for r in rows if r.get("form") == form and float(r["factor"]) >= min_factor
    )


@lru_cache(maxsize=8)
def currencies(rules_dir: str | None = None) -> dict[str, str]:
    """Folded currency word, symbol or code -> ISO code."""
    return {
        fold(r["word"]): r["currency"]
        for r in read_rules_tsv(rules_dir, "lexicon", "currencies.tsv")
    }


@lru_cache(maxsize=8)
def currency_words(rules_dir: str | None = None) -> tuple[str, ...]:
    """Currency words, symbols and codes as written (accents kept), for the rule macros."""
    return tuple(r["word"] for r in read_rules_tsv(rules_dir, "lexicon", "currencies.tsv"))


@lru_cache(maxsize=8)
def word_list(name: str, rules_dir: str | None = None) -> tuple[str, ...]:
    """A one-column term list of `rules/lexicon/<name>.tsv`."""
    return tuple(r["word"] for r in read_rules_tsv(rules_dir, "lexicon", f"{name}.tsv"))
