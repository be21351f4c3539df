"""Server-rendered SVG charts: the geometry of a series (years × values, one line per
document); `templates/_chart.html` draws it. No JavaScript, nothing fetched."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from nlp.web.data import Series, group_by_doc

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 36
#: Colour-blind-safe palette (Okabe–Ito), one colour per document.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")


@dataclass
class Chart:
    width: int
    height: int
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    lines: list[dict[str, Any]]  # doc_id, colour, points: [(x, y, Point)], path
    unit: str


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 × 10^k) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def number(value: float) -> str:
    """Spanish-Mexican style for axes and tables: 1,234.5 (no trailing zeros)."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def chart(series: Series) -> Chart:
    """Scale `series` into the plot box: x by year, y from 0 (or the minimum, if negative)."""
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    years = [p.year for p in series.points]
    values = [p.value for p in series.points]
    x0, x1 = min(years) - 0.5, max(years) + 0.5
    step = nice_step(max(values) - min(0.0, min(values)))
    y0 = min(0.0, math.floor(min(values) / step) * step)
    y1 = max(step, math.ceil(max(values) / step) * step)

    def sx(year: float) -> float:
        return round(left + (year - x0) / (x1 - x0) * (right - left), 1)

    def sy(value: float) -> float:
        return round(bottom - (value - y0) / (y1 - y0) * (bottom - top), 1)

    year_step = max(1, math.ceil((max(years) - min(years) + 1) / 12))
    x_ticks = [(sx(y), str(y)) for y in range(min(years), max(years) + 1, year_step)]
    n = round((y1 - y0) / step)
    y_ticks = [(sy(y0 + i * step), number(y0 + i * step)) for i in range(n + 1)]
    lines = []
    for i, (doc_id, points) in enumerate(sorted(group_by_doc(series.points).items())):
        xy = [(sx(p.year), sy(p.value), p) for p in points]
        path = " ".join(f"{'M' if j == 0 else 'L'}{x},{y}" for j, (x, y, _) in enumerate(xy))
        lines.append(
            {"doc_id": doc_id, "colour": PALETTE[i % len(PALETTE)], "points": xy, "path": path}
        )
    return Chart(WIDTH, HEIGHT, (left, top, right, bottom), x_ticks, y_ticks, lines, series.unit)
