"""PERCENT values: a float with its sign (`-23.96%` -> -23.96, `20 por ciento` -> 20.0)."""

from __future__ import annotations

import regex

from nlp.values.numbers import group_number

_NUM = regex.compile(r"[-+\u2212\u2013]?\s?\d[\d.,\s]*\d|[-+\u2212\u2013]?\s?\d")


def percent_value(groups: dict[str, str | None], decimal: str | None = None) -> float | None:
    """Value from groups `sign`, `num` (digits) or `words` (spelled out)."""
    number = group_number(groups, decimal)
    if number is None:
        return None
    sign = groups.get("sign")
    if sign and sign.strip() in ("-", "\u2212", "\u2013"):
        number = -number
    return round(number, 6)


def parse_percent_text(text: str, decimal: str | None = None) -> float | None:
    """Value of a written percentage."""
    match = _NUM.search(text)
    if not match:
        words = regex.sub(r"(?i)\s*(%|por\s*ciento|porciento)\s*$", "", text).strip()
        return percent_value({"words": words}) if words else None
    raw = match.group().replace(" ", "")
    sign = raw[0] if raw[0] in "-+\u2212\u2013" else None
    return percent_value({"sign": sign, "num": raw.lstrip("-+\u2212\u2013")}, decimal)
