"""Numbers as Mexican and Spanish documents write them: `1,234.56`, `1.234,56`, `1 234`, `6,33`."""

from __future__ import annotations

import regex

_SPACES = regex.compile(r"[\s\u00a0\u202f]")
_COMMA_THOUSANDS = regex.compile(r"^\d{1,3}(?:,\d{3})+$")
_DOT_THOUSANDS = regex.compile(r"^\d{1,3}(?:\.\d{3})+$")


def parse_number(text: str, decimal: str | None = None) -> float:
    """Float value of a written number; `decimal` ("." or ",") settles `1.234` and `1,234`.

    With both separators the last one is the decimal mark. With one separator,
    groups of exactly three digits are thousands unless `decimal` says otherwise.
    """
    s = (
        _SPACES.sub("", text.strip()).lstrip("+").replace("'", ",")
    )  # `185'000,000.00`: apostrophe marks millions
    sign = -1.0 if s.startswith(("-", "\u2212", "\u2013")) else 1.0
    s = s.lstrip("-\u2212\u2013")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "," in s:
        if _COMMA_THOUSANDS.match(s) and decimal != ",":
            s = s.replace(",", "")
        elif s.count(",") == 1:
            s = s.replace(",", ".")
        else:
            s = s.replace(",", "")
    elif "." in s:
        if _DOT_THOUSANDS.match(s) and (decimal == "," or s.count(".") > 1):
            s = s.replace(".", "")
    return sign * float(s)


_CELL_LINE = regex.compile(r"(?m)^(?:[^\n]*\t[^\n]*|[^\S\n]*\S+%[^\S\n]*)$")  # no \s: linear
_COMMA_DEC = regex.compile(
    r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?![\d.,])|(?<![\d.,])\d+,\d{1,2}\s?%"
)
_DOT_DEC = regex.compile(
    r"(?<![\d.,])\d{1,3}(?:,\d{3})+\.\d+(?![\d.,])|(?<![\d.,])\d+\.\d{1,2}\s?%"
)


def decimal_convention(text: str) -> str | None:
    """Which decimal mark a document uses, from its unambiguous numbers ("." , "," or None)."""
    # Table cells glue counts to percents (`6,33%`): judge by prose lines only.
    text = _CELL_LINE.sub("", text) if ("\t" in text or "%\n" in text) else text
    commas = len(_COMMA_DEC.findall(text))
    dots = len(_DOT_DEC.findall(text))
    if commas == dots:
        return None
    return "," if commas > dots else "."


def spelled_number(words: str) -> float | None:
    """Value of a spelled-out Spanish number (`veinte`, `ciento veinte`) via text2num."""
    try:
        from text_to_num import text2num
    except ImportError:  # optional: spelled-out amounts are then not valued
        return None
    try:
        return float(text2num(" ".join(words.lower().split()), "es"))
    except ValueError:
        return None


def group_number(groups: dict[str, str | None], decimal: str | None = None) -> float | None:
    """The number a rule matched: spelled out (`words`) or in digits (`num`); None if unreadable."""
    if groups.get("words"):
        return spelled_number(groups["words"] or "")
    return parse_number(groups.get("num") or "", decimal)
