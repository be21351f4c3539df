"""Normalization for matching: the view is cleaner, and every offset maps back to the original."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SEEDS

from nlp.textmap import fold, normalize


@pytest.mark.parametrize(
    "original,view_part,original_part",
    [
        (
            "el **Programa IMSS-Oportunidades**, por",
            "Programa IMSS-Oportunidades",
            "Programa IMSS-Oportunidades",
        ),
        ("PND 2019-\n2024.", "PND 2019-2024", "PND 2019-\n2024"),
        ("la contin-\nuidad del servicio", "continuidad", "contin-\nuidad"),
        (
            "p r e s t a c i o n e s  i n s t i t u c i o n a l e s ,",
            "prestaciones institucionales",
            "p r e s t a c i o n e s  i n s t i t u c i o n a l e s",
        ),
        (
            "Pp E012 “Prestaciones Sociales” se",
            '"Prestaciones Sociales"',
            "“Prestaciones Sociales”",
        ),
        ("un total de 1\u00a0234 unidades", "1 234", "1\u00a0234"),
        ("la oﬁcina de ﬂujo", "oficina", "oﬁcina"),
        ("periodo 2019–2024 del", "2019-2024", "2019–2024"),
        ("Programa de Abasto R ural en", "Abasto Rural", "Abasto R ural"),
        ("Programa de Vacunacio\u0301n", "Vacunación", "Vacunacio\u0301n"),
        ("de e\u0301xito en el a\u0301rea - \n2019", "área - \n2019", "a\u0301rea - \n2019"),
        ("la o\ufb01\u0301cina", "ofi\u0301cina", "o\ufb01\u0301cina"),  # a ligature takes no mark
        ("\\* Valores a precios", "* Valores", "* Valores"),
    ],
)
def test_view_maps_back_to_original(original: str, view_part: str, original_part: str) -> None:
    textmap = normalize(original)
    start = textmap.norm.index(view_part)
    mapped = textmap.span(start, start + len(view_part))
    assert original[mapped[0] : mapped[1]] == original_part


def test_unchanged_text_is_identity() -> None:
    text = "Durante 2012, los indicadores se redujeron 20%."
    textmap = normalize(text)
    assert textmap.norm == text and textmap.is_identity
    assert textmap.span(8, 12) == (8, 12)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_map_of_each_seed_is_monotonic_and_exact_where_unchanged(seed: Path) -> None:
    """Round trip on the real seeds: copied runs of the view equal their original
    characters, and offsets only ever move forward (a span never maps backwards)."""
    text = seed.read_text(encoding="utf-8")
    textmap = normalize(text)
    assert textmap.segments, "a non-empty text has segments"
    previous_end = 0
    for n0, n1, o0, o1, identity in textmap.segments:
        assert o0 >= previous_end and o1 <= len(text)
        if identity:
            assert textmap.norm[n0:n1] == text[o0:o1]
        previous_end = o1
    starts = [textmap.start(i) for i in range(len(textmap.norm))]
    assert starts == sorted(starts)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_pipeline_spans_slice_the_original_to_their_surface(seed: Path, blank_pipeline) -> None:
    """Every entity the pipeline finds on a seed, and every gold one it matches, is an
    offset pair into the file's own text: `text[start:end]` is the span's surface."""
    text = seed.read_text(encoding="utf-8")
    doc = blank_pipeline(text)
    assert doc.text == text
    for ent in doc.ents:
        assert text[ent.start_char : ent.end_char] == ent.text
        assert ent.text == ent.text.strip()
    gold = json.loads((REPO / "annotations" / f"{seed.stem}.jsonl").read_text(encoding="utf-8"))
    found = {(e.start_char, e.end_char) for e in doc.ents}
    noisy = [
        g
        for g in gold["entities"]
        if any(mark in text[g["start"] : g["end"]] for mark in ("\n", "**", "  "))
    ]
    assert all((g["start"], g["end"]) in found for g in noisy), [
        text[g["start"] : g["end"]] for g in noisy if (g["start"], g["end"]) not in found
    ]


def test_fold_ignores_case_accents_quotes_and_spacing() -> None:
    assert fold("  “Prestaciones   SOCIALES” ") == fold("prestaciones sociales")
    assert fold("Vacunación") == "vacunacion"


def test_the_spaced_line_prefilter_skips_only_texts_without_spaced_lines() -> None:
    """`_SPACED_UNITS_RE` holds in every line `_SPACED_LINE_RE` matches (speed, issue 16)."""
    import random

    from nlp.textmap import _SPACED_LINE_RE, _SPACED_UNITS_RE

    rng = random.Random(11)
    pieces = ["a ", "b", " ", "  ", "P r o g r a m a ", "\n", "20 ", "é ", "x", "El ", "1 2 3 "]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(3000)]
    spaced = [text for text in texts if _SPACED_LINE_RE.search(text)]
    assert len(spaced) > 100
    assert all(_SPACED_UNITS_RE.search(text) for text in spaced)


_FOLD_PIECES = [
    "",
    " ",
    "ΑΣ",
    "Σ",
    'ΑΣ"',
    "\u0301ab",
    "é\u0301",
    "a\u0327\u0301",
    "\u1100",
    "\u1161x",
    "x\u0b47",
    "\u0b3e",
    "  lead",
    "trail  ",
    "İstanbul",
    "ﬁn",
    "“q”",
    "a\tb",
    "\x1cx\x1d",
    "*bold*",
    "ſ",
    "x\x00y",
    "Ǆ",
    "Ejecución — 2020",
    "ASCII only",
]


def test_fold_many_folds_each_value_as_fold_does() -> None:
    """Joined by NUL and folded at once: no composition, final sigma or blank crosses a value."""
    import random

    from nlp.textmap import fold_many

    rng = random.Random(3)
    for _ in range(2000):
        values = ["".join(rng.choices(_FOLD_PIECES, k=rng.randint(0, 3))) for _ in range(5)]
        values = values[: rng.randint(0, 5)]
        assert fold_many(values) == [fold(v) for v in values], values
