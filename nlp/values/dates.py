"""DATE values: ISO strings, `2009-01-02` for day-month-year and `2008-12` for month-year."""

from __future__ import annotations

import datetime as dt

from nlp.textmap import fold
from nlp.values.lexicon import months


def month_number(word: str, rules_dir: str | None = None) -> int | None:
    """Month number of a Spanish month name, abbreviation or numeral."""
    word = word.strip().rstrip(".")
    if word.isdigit():
        number = int(word)
        return number if 1 <= number <= 12 else None
    return months(rules_dir).get(fold(word))


def date_value(groups: dict[str, str | None], rules_dir: str | None = None) -> str | None:
    """ISO value from groups `day`, `month`, `year`; None for an impossible date."""
    month = month_number(groups.get("month") or "", rules_dir)
    year = int(groups.get("year") or 0)
    if month is None or not year:
        return None
    day = groups.get("day")
    if not day:
        return f"{year:04d}-{month:02d}"
    day_number = _day_number(day) or 0
    try:
        return dt.date(year, month, day_number).isoformat()
    except ValueError:
        return None


def document_year(
    day: str | None,
    month: str | None,
    start: int,
    dated: list[tuple[int, str | None, str | None, int]],
    rules_dir: str | None = None,
) -> int | None:
    """Year of a day and month written without one (DECISIONS D1), from the document's own dates.

    `dated` holds (offset, day, month, year) of the document's mentions with a year (YEARs with
    day and month None). The same day and month written with a year elsewhere (a gazette's
    running header repeats its masthead date) gives that year; else the nearest year before
    `start`, else the nearest after it; None when the document states no year.
    """
    target = (_day_number(day), month_number(month or "", rules_dir))
    for _, d, m, year in dated:
        if d and m and (_day_number(d), month_number(m, rules_dir)) == target:
            return year
    before = [(pos, year) for pos, _, _, year in dated if pos < start]
    if before:
        return max(before)[1]
    after = [(pos, year) for pos, _, _, year in dated if pos > start]
    return min(after)[1] if after else None


def _day_number(day: str | None) -> int | None:
    if not day:
        return None
    return 1 if day.lower() in ("primero", "1o", "1o.") else int(day) if day.isdigit() else None
