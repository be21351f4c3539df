"""The press numeral grammar (`nlp/values/numerals.py`) and the money context of bare amounts."""

from __future__ import annotations

import pytest

from nlp.money_context import in_money_context
from nlp.values.numerals import numeral_value


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("4 mil 250.6 millones", 4_250_600_000.0, None),
        ("mil 35.20", 1035.2, None),
        ("2 mil300", 2300.0, None),
        ("126 mil 650 millones", 126_650_000_000.0, None),
        ("8.3 billones", 8.3e12, None),
        ("108.3 mmdp", 108_300_000_000.0, "MXN"),
        ("871 mil 569 mdp", 871_569_000_000.0, "MXN"),
        ("doscientos millones", 200_000_000.0, None),
        ("tres mil 547 millones", 3_547_000_000.0, None),
        ("1,063 millones 219.6 mil", 1_063_219_600.0, None),
        ("1 mil 413 millones, 43 mil 155.60", 1_413_043_155.6, None),
        ("treinta y ocho mil quinientos", 38_500.0, None),
        ("un millón", 1_000_000.0, None),
        ("veintiún mil", 21_000.0, None),
    ],
)
def test_numeral_values(text: str, value: float, currency: str | None) -> None:
    assert numeral_value(text) == (pytest.approx(value), currency)


@pytest.mark.parametrize(
    "text", ["10 millones, 20 millones", "2 mil 2019", "3 mil 5 mil", "2019 2020", "dos palabras"]
)
def test_readings_that_break_the_grammar_are_none(text: str) -> None:
    assert numeral_value(text) is None


@pytest.mark.parametrize(
    ("text", "money"),
    [
        ("El presupuesto se mantuvo estable. En 2013 llegó a los 900 millones", True),
        ("Se aprobó un gasto alto, y el programa atendió a 900 millones", False),
        ("La población objetivo fue de 900 millones", False),
        ("Uno. Dos. El presupuesto subió. Tres. Cuatro. Luego 900 millones", False),
    ],
)
def test_money_context(text: str, money: bool) -> None:
    start = text.index("900")
    assert in_money_context(text, start, []) is money
