"""AMOUNT values: `{"amount": float in units, "currency": "MXN"}`, scale applied."""

from __future__ import annotations

from nlp.textmap import fold
from nlp.values.lexicon import currencies, scales
from nlp.values.numbers import group_number, parse_number
from nlp.values.numerals import numeral_value


def currency_of(word: str | None, rules_dir: str | None = None) -> str | None:
    """ISO code of a currency word, symbol or code (None when unknown)."""
    if not word:
        return None
    return currencies(rules_dir).get(fold(word))


def scale_of(word: str | None, rules_dir: str | None = None) -> tuple[float, str | None]:
    """(factor, implied currency) of a scale word (`millones`, `MDP`); (1, None) if none."""
    if not word:
        return 1.0, None
    return scales(rules_dir).get(fold(word), (1.0, None))


def amount_value(
    groups: dict[str, str | None],
    decimal: str | None = None,
    rules_dir: str | None = None,
    default_currency: str = "MXN",
) -> dict[str, float | str] | None:
    """Value from groups `numeral` (`4 mil 250.6 millones`, read by `nlp.values.numerals`), or
    `num` (+ `num2` of `4 mil 320 millones`) or `words`; then `scale`, `cur`/`cursym`."""
    implied_by_numeral = None
    if groups.get("numeral"):
        read = numeral_value(groups["numeral"] or "", decimal, rules_dir)
        if read is None:
            return None
        number, implied_by_numeral = read
    else:
        number = group_number(groups, decimal)
        if number is None:
            return None
        if groups.get("num2"):
            number = number * 1000 + parse_number(groups["num2"] or "", decimal)
    factor, implied = scale_of(groups.get("scale"), rules_dir)
    implied = implied or implied_by_numeral
    currency = (
        currency_of(groups.get("cur"), rules_dir)
        or implied
        or currency_of(groups.get("cursym"), rules_dir)
        or default_currency
    )
    return {"amount": float(f"{number * factor:.15g}"), "currency": currency}
