"""Decoding choices that depend on the text's structure, on texts written like the documents."""

from __future__ import annotations

import numpy as np
import pytest

from nlp.headings import heading_matcher
from nlp.section_decoding import list_stays
from nlp.section_features import analyze

LEAD_IN = (
    "El presupuesto de este año es de 7 mil 98 millones de pesos y se distribuye entre "
    "los siguientes programas:\n\n"
)
ITEMS = "• Familias Fuertes Salario Rosa\n• Comunidad Fuerte\n• Jóvenes en Movimiento\n\n"
AFTER = "El programa con más recursos es el de adultos mayores, con mil 413 millones.\n"


def _stays(text: str, bonus: float = 2.0) -> list[bool]:
    """Which blocks of `text` get the stay bonus (True) on their incoming transition."""
    doc = analyze(text, heading_matcher())
    k = 3
    out = list_stays(np.zeros((k, k)), doc.blocks, bonus)
    if out.ndim == 2:
        return [False] * len(doc.blocks)
    return [bool(out[i, 0, 0] == bonus) for i in range(len(doc.blocks))]


def test_the_items_of_a_list_a_colon_opens_stay_with_their_lead_in() -> None:
    doc = analyze(LEAD_IN + ITEMS + AFTER, heading_matcher())
    kinds = [b.kind for b in doc.blocks]
    assert kinds.count("item") == 3, kinds
    stays = _stays(LEAD_IN + ITEMS + AFTER)
    assert stays == [kind == "item" for kind in kinds]


@pytest.mark.parametrize(
    "lead_in",
    [
        "El presupuesto de este año es de 7 mil 98 millones de pesos.\n\n",
        "Los programas del estado son tres\n\n",
    ],
    ids=["sentence-end", "no-colon"],
)
def test_a_list_after_a_block_without_a_colon_gets_no_bonus(lead_in: str) -> None:
    assert not any(_stays(lead_in + ITEMS + AFTER))


def test_no_bonus_leaves_the_transitions_as_they_are() -> None:
    doc = analyze(LEAD_IN + ITEMS, heading_matcher())
    trans = np.log(np.full((3, 3), 1 / 3))
    assert list_stays(trans, doc.blocks, 0.0) is trans
