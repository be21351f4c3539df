"""Entity rules stay linear on adversarial text: a regex that backtracks without bound on a
long run of numbers, number words, spaces or years would make one flattened document take
minutes. Each input is run at size n and 4n; linear time gives about 4x, quadratic 16x.
No absolute time limit: only the ratio, with a generous margin.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import nlp

INPUTS: dict[str, Callable[[int], str]] = {
    "press numerals": lambda n: (
        "el presupuesto fue de " + " ".join(f"{i} mil {i} millones" for i in range(n))
    ),
    "number words": lambda n: " ".join("tres cuatro cinco" for _ in range(n)) + " por ciento",
    "years": lambda n: " ".join(str(2000 + i % 20) for i in range(3 * n)),
    "a run of spaces": lambda n: "Año" + " " * (10 * n) + "2019  1,234.5  " * n,
    "capitalized words": lambda n: (
        "el Programa denominado " + " ".join(f"Palabra{i} de la" for i in range(n))
    ),
}


@pytest.fixture(scope="module")
def entities_only():
    return nlp.load(base="blank", sections=False)


def _seconds(pipe, text: str) -> float:
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        pipe(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_entity_time_grows_linearly(entities_only, name: str) -> None:
    make = INPUTS[name]
    small, large = _seconds(entities_only, make(400)), _seconds(entities_only, make(1600))
    assert large <= 10 * small + 0.05, (name, round(small, 3), round(large, 3))
