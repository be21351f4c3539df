"""The figures of one `bench/run.py` run: a measured row, a target ratio, and how a number is shown.

Kept apart from the running and the rendering so that both read the same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Row:
    """One stage of the throughput table (or one point of the scaling table)."""

    name: str
    what: str
    docs: int | None = None
    words: int | None = None
    seconds: float | None = None
    rss_mb: float | None = None
    tree_rss_mb: float | None = None
    note: str = ""
    error: str | None = None
    others_cores: float | None = None  # annotate rows: cores other jobs kept busy meanwhile
    records: Path | None = None  # annotate rows: the JSONL the run wrote

    @property
    def wps(self) -> float | None:
        return self.words / self.seconds if self.words and self.seconds else None

    @property
    def dps(self) -> float | None:
        return self.docs / self.seconds if self.docs and self.seconds else None


@dataclass
class Target:
    """One of the issue's target ratios, with its goal and where its figures come from."""

    label: str
    value: float | None
    op: str  # ">=", "<=", "<"
    goal: float
    unit: str = "x"
    detail: str = ""
    partial: str = ""  # why the measurement does not answer the target (then n/a)

    @property
    def met(self) -> bool | None:
        if self.value is None or self.partial:
            return None
        return {
            ">=": self.value >= self.goal,
            "<=": self.value <= self.goal,
            "<": self.value < self.goal,
        }[self.op]

    def status(self) -> str:
        if self.partial:
            return f"n/a ({self.partial})"
        return {True: "met", False: "NOT MET", None: "n/a"}[self.met]

    def shown(self, number: float | None) -> str:
        if number is None:
            return "n/a"
        return f"{number:.2f} {self.unit}" if self.unit != "x" else f"{number:.2f}x"


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing (or b is zero)."""
    return a / b if a is not None and b else None


def num(x: float | int | None, digits: int = 0) -> str:
    """A figure with thousands separators, or n/a."""
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"
