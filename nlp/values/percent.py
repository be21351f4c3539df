"""PERCENT values: a float with its sign (`-23.96%` -> -23.96, `20 por ciento` -> 20.0)."""

from __future__ import annotations

from nlp.values.numbers import group_number


def percent_value(groups: dict[str, str | None], decimal: str | None = None) -> float | None:
    """Value from groups `sign`, `num` (digits) or `words` (spelled out)."""
    number = group_number(groups, decimal)
    if number is None:
        return None
    sign = groups.get("sign")
    if sign and sign.strip() in ("-", "\u2212", "\u2013"):
        number = -number
    return round(number, 6)
