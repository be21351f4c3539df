"""The guide's normalized values as a checker: what records, gold files and the index accept."""

from __future__ import annotations

import re
from typing import Any


def value_problem(label: str, value: Any) -> str | None:
    """Why `value` is not a normalized value of `label` as the guide defines it (None if it is)."""
    if label == "YEAR":
        ok = (
            isinstance(value, dict)
            and set(value) == {"start", "end"}
            and all(isinstance(value[k], int) for k in value)
        )
        return (
            None
            if ok and value["start"] <= value["end"]
            else "YEAR value must be {start, end} ints, start <= end"
        )
    if label == "DATE":
        ok = isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value)
        return None if ok else "DATE value must be YYYY-MM-DD or YYYY-MM"
    if label == "AMOUNT":
        ok = (
            isinstance(value, dict)
            and set(value) == {"amount", "currency"}
            and isinstance(value["amount"], (int, float))
        )
        return (
            None
            if ok and isinstance(value["currency"], str)
            else "AMOUNT value must be {amount: number, currency: str}"
        )
    if label == "PERCENT":
        return (
            None
            if isinstance(value, (int, float)) and not isinstance(value, bool)
            else "PERCENT value must be a number"
        )
    if label == "PROGRAM":
        ok = (
            isinstance(value, dict)
            and set(value) - {"id"} == {"name", "key"}  # `id`: catalogue id (docs/catalog.md)
            and isinstance(value["name"], str)
            and all(value.get(k) is None or isinstance(value[k], str) for k in ("key", "id"))
        )
        return None if ok else "PROGRAM value must be {name: str, key: str|null, id?: str|null}"
    return None
