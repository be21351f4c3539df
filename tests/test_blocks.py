"""Blocks: units with offsets into the original text, robust to markdown and PDF layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.blocks import split_blocks, split_lines
from nlp.heading_rules import default_rules
from nlp.headings import HeadingMatcher
from nlp.readers import read_document
from nlp.textmap import normalize

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def matcher() -> HeadingMatcher:
    return HeadingMatcher(default_rules())


def blocks_of(text: str, matcher: HeadingMatcher, max_chars=None):
    tm = normalize(text)
    headings = matcher.find(tm.norm)
    return split_blocks(tm, headings, max_chars=max_chars), headings


def test_markdown_heading_block_starts_at_the_bold_markers(matcher):
    text = (
        "Logo\n\n**Descripción del Programa:**\n\nPrograma del Gobierno Federal que otorga "
        "servicios de salud."
    )
    blocks, _ = blocks_of(text, matcher)
    heading = next(b for b in blocks if b.kind == "heading")
    assert text[heading.start : heading.end] == "**Descripción del Programa:**"
    assert [text[b.start : b.end] for b in blocks][-1].startswith("Programa del Gobierno")


def test_wrapped_pdf_lines_make_one_paragraph(matcher):
    text = (
        "La planeación de las prestaciones de los\nservicios se realiza de manera independiente\n"
        "y los mecanismos de seguimiento responden\na las características de cada "
        "uno.\n\nOtro párrafo."
    )
    blocks, _ = blocks_of(text, matcher)
    assert blocks[0].kind == "paragraph"
    assert text[blocks[0].start : blocks[0].end].endswith("de cada uno.")
    assert text[blocks[1].start : blocks[1].end] == "Otro párrafo."


def test_table_rows_group_and_list_items_split(matcher):
    text = (
        "Año\tMonto\n2012\t8,500\n2013\t9,000\n\n1. Primera recomendación.\n2. Segunda "
        "recomendación."
    )
    blocks, _ = blocks_of(text, matcher)
    assert [b.kind for b in blocks] == ["table", "item", "item"]
    assert text[blocks[0].start : blocks[0].end] == "Año\tMonto\n2012\t8,500\n2013\t9,000"


def test_heading_split_over_lines_is_one_block(matcher):
    text = (
        "Texto anterior del documento.\n\nFortalezas y/o  \nOportunidades\n\n1.F: Experiencia de "
        "43 años."
    )
    blocks, headings = blocks_of(text, matcher)
    heading = next(b for b in blocks if b.kind == "heading")
    assert text[heading.start : heading.end] == "Fortalezas y/o  \nOportunidades"
    assert headings[heading.heading].label == "strengths"


def test_two_column_headings_are_cut_into_blocks(matcher):
    text = (
        "Cobertura alta.\n\nAnálisis del Sector Indicador Sectorial Presupuesto Ejercido *\nEl Pp "
        "E012 se alinea al PND."
    )
    blocks, headings = blocks_of(text, matcher)
    heads = [
        (text[b.start : b.end], headings[b.heading].label) for b in blocks if b.kind == "heading"
    ]
    assert heads == [
        ("Análisis del Sector", "alignment"),
        ("Indicador Sectorial", "alignment"),
        ("Presupuesto Ejercido *", "budget"),
    ]


def test_long_paragraph_is_cut_at_sentence_ends(matcher):
    sentence = "La cobertura creció en todas las entidades del país durante el año. "
    text = (
        sentence * 6 + "En 2022 se asignó un presupuesto de 20,184.01 millones de pesos. " * 3
    ).strip()
    whole, _ = blocks_of(text, matcher)
    pieces, _ = blocks_of(text, matcher, max_chars=300)
    assert len(whole) == 1 and len(pieces) > 1
    for piece in pieces:
        assert text[piece.start : piece.end] == piece.text
    assert "III." not in [p.text[:4] for p in pieces]


def test_heading_run_into_long_text_is_cut_like_a_paragraph(matcher):
    """A heading whose text runs on over re-wrapped lines keeps only the first piece;
    the rest are sentences, not one heading block the heading rule would pin."""
    text = (
        "Equipo evaluador: Ana Pérez Luna (coordinadora) y Luis Gómez Ruiz. Este informe\n"
        "presenta los hallazgos de la evaluación del programa durante cinco años de\n"
        "operación en todo el país. El programa fue creado en 1997 para atender a la\n"
        "población que pierde su ingreso por emergencias y por los ciclos del empleo.\n"
        "Durante el periodo 2007-2012 el programa fue evaluado de manera regular y sus\n"
        "indicadores alcanzaron las metas en casi todos los años que se revisaron.\n"
    )
    whole, headings = blocks_of(text, matcher)
    pieces, _ = blocks_of(text, matcher, max_chars=300)
    assert headings and [b.kind for b in whole] == ["heading"]
    assert pieces[0].kind == "heading" and pieces[0].heading == whole[0].heading
    assert len(pieces) > 1 and all(p.kind == "sentence" and p.heading == -1 for p in pieces[1:])
    assert pieces[-1].end == whole[0].end


@pytest.mark.parametrize("path", sorted(CORPUS.glob("00*.txt")), ids=lambda p: p.stem[:20])
def test_blocks_are_ordered_and_map_to_the_original(matcher, path):
    text = read_document(path).text
    blocks, _ = blocks_of(text, matcher, max_chars=300)
    assert blocks
    for a, b in zip(blocks, blocks[1:], strict=False):
        assert a.start < b.start and a.end <= b.start
    for block in blocks:
        original = text[block.start : block.end]
        assert original.strip() and not original[0].isspace()
        # the normalized text differs only by markdown and escapes, never by words
        assert "".join(original.split()).replace("*", "").replace("\\", "") != ""


def test_lines_hold_folded_words():
    lines = split_lines("Análisis del Sector\n\n- Gestión")
    assert [w[0] for w in lines[0].words] == ["analisis", "del", "sector"]
    assert lines[1].blank and lines[2].bullet


def test_split_lines_words_are_the_word_matches_of_each_line() -> None:
    """The words of one split of the whole text, cut by line, are each line's own matches."""
    from nlp.blocks import WORD_RE
    from nlp.textmap import fold_same_length

    for path in sorted(CORPUS.glob("*.txt"))[:20]:
        norm = normalize(read_document(path).text).norm
        folded = fold_same_length(norm)
        for line in split_lines(norm, folded):
            found = WORD_RE.finditer(folded, line.start, line.end)
            assert line.words == tuple((m.group(), m.start(), m.end()) for m in found)
            assert line.keys == tuple(w for w, _s, _e in line.words)
