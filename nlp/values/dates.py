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
    day_number = 1 if day.lower() in ("primero", "1o", "1o.") else int(day)
    try:
        return dt.date(year, month, day_number).isoformat()
    except ValueError:
        return None
