"""YEAR values: `{"start": 2019, "end": 2024}` from single years, ranges and glued ranges."""

from __future__ import annotations

#: A glued range (`20072012`) is believed only for a plausible administration span.
MAX_GLUED_SPAN = 12


def year_value(groups: dict[str, str | None]) -> dict[str, int] | None:
    """Value from groups `y1` (and `y2`); None when the range is not plausible."""
    start = int(groups["y1"] or 0)
    end = int(groups.get("y2") or start)
    if end < start:
        return None
    if groups.get("glued") is not None and not (0 < end - start <= MAX_GLUED_SPAN):
        return None
    return {"start": start, "end": end}
