"""Flattened tables: rows given back as line breaks (`nlp/table_rows.py`), cells found by header."""

from __future__ import annotations

from nlp.table_rows import restore_rows
from nlp.tables import table_entities

PROSE = "El programa opera en las 32 entidades y su presupuesto creció en los últimos años. "
TAB_TABLE = (
    PROSE + "Año\tPresupuesto del Programa (MDP)\tPresupuesto del Ramo (MDP)\t% "
    "2019\t1,210.50\t40,112.30\t3.02 % 2020\t1,305.75\t41,870.10\t3.12 % "
    "2021\t1,402.00\t43,015.90\t3.26 %  Análisis del Sector El programa se alinea al PND."
)
SPACED_TABLE = (
    PROSE + "Año Presupuesto (MDP)  2019 1,210.50 40,112.30 3.02 %  "
    "2020 1,305.75 41,870.10 3.12 %  2021 1,402.00 43,015.90 3.26 %  Año de inicio: 2009"
)


def test_restore_rows_keeps_length_and_cuts_rows() -> None:
    restored = restore_rows(TAB_TABLE)
    assert len(restored) == len(TAB_TABLE)
    lines = restored.split("\n")
    assert "2020\t1,305.75\t41,870.10\t3.12 %" in lines
    assert any(line.startswith("Año\tPresupuesto del Programa (MDP)") for line in lines)


def test_short_lines_are_left_alone() -> None:
    text = "Año  Monto\n2019  1,210.50 3.02 %  2020 1,305.75 3.12 %\n"
    assert restore_rows(text) == text


def test_flattened_tab_table_gives_its_amounts() -> None:
    amounts = [c for c in table_entities(TAB_TABLE) if c.label == "AMOUNT"]
    assert [TAB_TABLE[c.start : c.end] for c in amounts] == [
        "1,210.50",
        "40,112.30",
        "1,305.75",
        "41,870.10",
        "1,402.00",
        "43,015.90",
    ]
    assert amounts[0].value == {"amount": 1_210_500_000.0, "currency": "MXN"}


def test_flattened_spaced_table_gives_its_amounts() -> None:
    amounts = [SPACED_TABLE[c.start : c.end] for c in table_entities(SPACED_TABLE)]
    assert "1,305.75" in amounts and "43,015.90" in amounts and "2009" not in amounts
