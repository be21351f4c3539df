"""The text transforms of `nlp/perturb.py` and their offset maps."""

from __future__ import annotations

import pytest

from nlp.perturb import SAME_LENGTH, TRANSFORMS, apply_edits, perturb, perturb_record

TEXT = (
    "# Datos generales\n\n**Programa de Apoyo Rural** entrega apoyos a productores de zonas\n"
    "marginadas desde 2015 con un presupuesto de 120 millones de pesos.\n\n"
    "| Año | Presupuesto (MDP) |\n|---|---|\n| 2016 | 1,419.37 |\n- primera línea\n- segunda\n\n"
    "El programa tiene cobertura nacional. Su padrón creció 12.5 % en 2017.\n"
)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_spans_follow_the_text(name: str) -> None:
    shaped = perturb(TEXT, name)
    for phrase in ("Programa de Apoyo Rural", "12.5 %", "2017"):
        start = TEXT.index(phrase)
        span = shaped.map_span(start, start + len(phrase))
        if span is None:
            assert name == "excerpt"  # cut away with the start of the document
            continue
        assert shaped.text[span[0] : span[1]] == phrase


@pytest.mark.parametrize("name", sorted(SAME_LENGTH))
def test_same_length_transforms_keep_offsets(name: str) -> None:
    shaped = perturb(TEXT, name)
    assert len(shaped.text) == len(TEXT)
    assert shaped.forward == tuple(range(len(TEXT)))


def test_each_transform_changes_what_it_says() -> None:
    assert "\n" not in perturb(TEXT, "flatten").text
    assert perturb(TEXT, "crlf").text.count("\r\n") == TEXT.count("\n")
    stripped = perturb(TEXT, "strip_markdown").text
    assert "**" not in stripped and "#" not in stripped and "|" not in stripped
    assert "Año\tPresupuesto (MDP)" in stripped and "\n2016\t1,419.37\n" in stripped
    assert (
        max(
            len(line)
            for line in perturb(
                TEXT,
                "rewrap",
            ).text.split("\n")
        )
        <= 75
    )
    assert perturb(TEXT, "excerpt").text.startswith("| Año |")


def test_apply_edits_rejects_overlaps_and_maps_deletions() -> None:
    shaped = apply_edits("abcdef", [(1, 3, ""), (4, 5, "XY")])
    assert shaped.text == "adXYf"
    assert shaped.map_span(1, 3) is None and shaped.map_span(0, 6) == (0, 5)
    with pytest.raises(ValueError, match="overlapping"):
        apply_edits("abcdef", [(1, 3, ""), (2, 4, "")])


def test_perturb_record_maps_gold() -> None:
    start = TEXT.index("120 millones de pesos")
    record = {
        "id": "x",
        "text": TEXT,
        "entities": [{"start": start, "end": start + 21, "label": "AMOUNT"}],
        "sections": [{"start": 0, "end": len(TEXT), "label": "description"}],
    }
    out = perturb_record(record, "strip_markdown")
    ent = out["entities"][0]
    assert out["text"][ent["start"] : ent["end"]] == "120 millones de pesos"
    assert out["sections"][0]["end"] == len(out["text"].rstrip("\n")) or out["sections"]


def test_unknown_transform_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown transform 'upside_down'"):
        perturb(TEXT, "upside_down")
