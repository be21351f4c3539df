"""The guide's normalized values as the rules read them: `(text, expected)` tables, signs and
scales included. Every written form goes through the entity rules and the value registry
(the pipeline), so a table here cannot disagree with what documents get."""

from __future__ import annotations

from typing import Any

import pytest

from nlp.values.numbers import parse_number


@pytest.fixture(scope="module")
def read(blank_pipeline):
    """The value of the entity of `label` that the rules find over the whole of `text`."""

    def value_of(text: str, label: str, context: str = "") -> Any:
        doc = blank_pipeline(context + text)
        found = [e for e in doc.ents if e.label_ == label and e.start_char >= len(context)]
        assert [e.text for e in found] == [text.strip()], (text, [e.text for e in doc.ents])
        return found[0]._.value

    return value_of


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.56", 1234.56),
        ("1.234,56", 1234.56),
        ("1 234", 1234.0),
        ("6,268.19", 6268.19),
        ("8,500", 8500.0),
        ("405,371.34", 405371.34),
        ("11,042,067", 11042067.0),
        ("1.234.567,89", 1234567.89),
        ("107.36", 107.36),
        ("0.77", 0.77),
        ("2012", 2012.0),
        ("0", 0.0),
        ("-23.96", -23.96),
        ("-1,234.56", -1234.56),
        ("+5.2", 5.2),
        ("\u22123.5", -3.5),  # U+2212 minus sign from PDF extraction
    ],
)
def test_parse_number(text: str, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("1.234", ",", 1234.0),
        ("1,234", ".", 1234.0),
        ("1,234", ",", 1.234),
        ("1.234", ".", 1.234),
        ("12,5", ",", 12.5),
        ("1.234,56", ",", 1234.56),
        ("1,234.56", ".", 1234.56),
    ],
)
def test_parse_number_decimal_hint(text: str, decimal: str, expected: float) -> None:
    assert parse_number(text, decimal=decimal) == pytest.approx(expected)


# ---------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("20,184.01 millones de pesos", 20184010000.0, "MXN"),
        ("$33,000.00", 33000.0, "MXN"),
        ("$1,234.56", 1234.56, "MXN"),
        ("1.234,56 pesos", 1234.56, "MXN"),
        ("$1 234", 1234.0, "MXN"),
        ("1,500 pesos", 1500.0, "MXN"),
        ("$2,700", 2700.0, "MXN"),
        ("283.5 mil pesos", 283500.0, "MXN"),
        ("45 mil pesos", 45000.0, "MXN"),
        ("$1,803.5 millones", 1803500000.0, "MXN"),
        ("8 millones de pesos", 8000000.0, "MXN"),
        ("3.2 miles de millones de pesos", 3200000000.0, "MXN"),
        ("2 mil millones de pesos", 2000000000.0, "MXN"),
        ("4 mil 320 millones de pesos", 4320000000.0, "MXN"),
        ("$3 billones de pesos", 3e12, "MXN"),
        ("3 billones de pesos", 3e12, "MXN"),
        ("1.5 billones de dólares", 1.5e12, "USD"),
        ("2,450.3 MDP", 2450300000.0, "MXN"),
        ("850 mdp", 850000000.0, "MXN"),
        ("135.66 MMDP", 135660000000.0, "MXN"),
        ("12.5 mdd", 12500000.0, "USD"),
        ("2,500.00 MXN", 2500.0, "MXN"),
        ("MXN 1,200", 1200.0, "MXN"),
        ("45 millones de dólares", 45000000.0, "USD"),
        ("350 millones de dólares", 350000000.0, "USD"),
        ("USD 2,000,000", 2000000.0, "USD"),
        ("1,200 USD", 1200.0, "USD"),
        ("veinte millones de pesos", 20000000.0, "MXN"),
        ("un millón de pesos", 1000000.0, "MXN"),
        ("cien mil pesos", 100000.0, "MXN"),
        ("20 euros", 20.0, "EUR"),
        ("EUR 1,500", 1500.0, "EUR"),
    ],
)
def test_amount_values(read, text: str, amount: float, currency: str) -> None:
    value = read(text, "AMOUNT")
    assert value["amount"] == pytest.approx(amount)
    assert value["currency"] == currency
    assert isinstance(value["amount"], float)


def test_a_scale_after_an_amount_is_an_amount(read) -> None:
    value = read("7 mil 776 millones", "AMOUNT", context="Pasó de 5,000 millones de pesos a ")
    assert value == {"amount": pytest.approx(7776000000.0), "currency": "MXN"}


def test_amount_in_a_document_with_decimal_commas(read) -> None:
    """`1.500` is fifteen hundred where the document writes `12,5 %`."""
    value = read("1.500 pesos", "AMOUNT", context="La tasa fue 12,5 %. Se pagaron ")
    assert value == {"amount": pytest.approx(1500.0), "currency": "MXN"}


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02 de enero de 2009", "2009-01-02"),
        ("23 de marzo de 2020", "2020-03-23"),
        ("1 de julio de 2019", "2019-07-01"),
        ("30 DE DICIEMBRE DE 2011", "2011-12-30"),
        ("31/12/2008", "2008-12-31"),
        ("01/03/2019", "2019-03-01"),
        ("diciembre de 2008", "2008-12"),
        ("Mayo de 2020", "2020-05"),
        ("septiembre de 2017", "2017-09"),
        ("24 Octubre 2007", "2007-10-24"),
        ("Marzo 14, 2003", "2003-03-14"),
        ("Octubre, 2012", "2012-10"),
    ],
)
def test_date_values(read, text: str, expected: str) -> None:
    assert read(text, "DATE") == expected


@pytest.mark.parametrize("text", ["31/02/2019", "32 de enero de 2009"])
def test_an_impossible_date_is_no_date(blank_pipeline, text: str) -> None:
    assert [e.text for e in blank_pipeline(text).ents if e.label_ == "DATE"] == []


# ---------------------------------------------------------------- years


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2012", 2012, 2012),
        ("1979", 1979, 1979),
        ("2020-2021", 2020, 2021),
        ("2019–2024", 2019, 2024),
        ("2012 - 2013", 2012, 2013),
        ("2007 – 2012", 2007, 2012),
        ("2019-\n2024", 2019, 2024),
        ("2013-\n2018", 2013, 2018),
        ("20072012", 2007, 2012),
        ("20132018", 2013, 2018),
    ],
)
def test_year_values(read, text: str, start: int, end: int) -> None:
    assert read(text, "YEAR") == {"start": start, "end": end}


def test_a_backwards_glued_range_is_not_a_range(blank_pipeline) -> None:
    assert [e.text for e in blank_pipeline("20122007").ents if e.label_ == "YEAR"] == []


# ---------------------------------------------------------------- percents


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("107.36 %", 107.36),
        ("107.36%", 107.36),
        ("0.77%", 0.77),
        ("-23.96%", -23.96),
        ("-4.5 %", -4.5),
        ("\u22121.5 %", -1.5),
        ("+5.2%", 5.2),
        ("20 por ciento", 20.0),
        ("23.3 por ciento", 23.3),
        ("33%", 33.0),
        ("0%", 0.0),
        ("100%", 100.0),
        ("2.10 %", 2.1),
    ],
)
def test_percent_values(read, text: str, expected: float) -> None:
    value = read(text, "PERCENT")
    assert value == pytest.approx(expected)
    assert isinstance(value, float)
