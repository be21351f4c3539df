"""Readers: every encoding and format we accept, and a clear error for every bad input."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import SEEDS

from nlp.readers import ReadError, iter_paths, page_of, read_document

SEED_TEXT = SEEDS[2].read_text(encoding="utf-8")  # the 2009 circular: ñ, accents, curly quotes


@pytest.mark.parametrize(
    "encoding,text",
    [
        ("utf-8", SEED_TEXT),
        ("utf-8-sig", SEED_TEXT),
        ("cp1252", SEED_TEXT),  # cp1252 has curly quotes
        ("latin-1", SEED_TEXT.replace("“", '"').replace("”", '"')),
    ],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, encoding: str, text: str) -> None:
    path = tmp_path / "002_circular.txt"
    path.write_bytes(text.encode(encoding))
    document = read_document(path)
    assert document.text == text
    assert document.id == "002_circular"
    assert document.meta["source"] == str(path)


def test_utf8_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Año 2012".encode())
    assert read_document(path).text == "Año 2012"
    assert read_document(path).meta["encoding"] == "utf_8_sig"


def test_markdown_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "ficha.md"
    path.write_text("## Recomendaciones\n\n1. Mejorar el **Padrón**.", encoding="utf-8")
    assert read_document(path).text.startswith("## Recomendaciones")


def test_corpus_documents_in_legacy_encodings_decode() -> None:
    """The bundled corpus has cp1252, latin-1 and BOM files; none may decode to mojibake."""
    for path in sorted(Path(SEEDS[0].parent).glob("0*.*")):
        if path.suffix not in (".txt", ".md"):
            continue
        text = read_document(path).text
        assert "Ã" not in text and "\ufffd" not in text, path.name
        assert any(ch in text for ch in "áéíóúñ"), path.name


def _pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, page)
    pdf.output(str(path))
    return path


def test_pdf_text_layer_with_pages(tmp_path: Path) -> None:
    path = _pdf(
        tmp_path / "ficha.pdf",
        [
            "Descripción del Programa\nPrograma IMSS-Oportunidades 2012",
            "Recomendaciones\nMejorar el padrón en 2013",
        ],
    )
    document = read_document(path)
    assert document.meta["pages"] == 2
    assert "IMSS-Oportunidades 2012" in document.text
    second = document.text.index("Recomendaciones")
    assert page_of(document.meta, second) == 2
    assert page_of(document.meta, document.text.index("Descripción")) == 1


def test_pdf_through_the_pipeline_keeps_offsets(tmp_path: Path, blank_pipeline) -> None:
    from nlp.records import doc_to_record

    document = read_document(
        _pdf(tmp_path / "ficha.pdf", ["El presupuesto fue de 20,184.01 millones de pesos en 2022."])
    )
    record = doc_to_record(blank_pipeline(document.text), document.id, document.meta)
    surfaces = {record["text"][e["start"] : e["end"]] for e in record["entities"]}
    assert {"20,184.01 millones de pesos", "2022"} <= surfaces


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, words the error must contain)."""
    from fpdf import FPDF

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    undecodable = tmp_path / "undecodable.txt"
    undecodable.write_bytes(b"\x81\x8d\x8f\x90\x9d" * 50)
    image_pdf = tmp_path / "scan.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50, style="F")
    pdf.output(str(image_pdf))
    good_pdf = _pdf(tmp_path / "good.pdf", ["Programa de Vacunación Universal 2012"])
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(good_pdf.read_bytes()[: len(good_pdf.read_bytes()) // 2])
    not_pdf = tmp_path / "fake.pdf"
    not_pdf.write_text("hola", encoding="utf-8")
    return {
        "empty": (empty, "empty file"),
        "binary": (binary, "binary"),
        "undecodable": (undecodable, "undecodable"),
        "pdf without text": (image_pdf, "without a text layer"),
        "truncated pdf": (truncated, "truncated PDF"),
        "not a pdf": (not_pdf, "not a PDF"),
        "missing": (tmp_path / "nowhere.txt", "no such file"),
        "unsupported": (tmp_path / "table.xlsx", "no such file"),
    }


@pytest.mark.parametrize(
    "name",
    ["empty", "binary", "undecodable", "pdf without text", "truncated pdf", "not a pdf", "missing"],
)
def test_bad_input_gives_one_line_error_naming_file_and_reason(tmp_path: Path, name: str) -> None:
    path, reason = _bad_inputs(tmp_path)[name]
    with pytest.raises(ReadError) as err:
        read_document(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert reason in message


def test_file_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.txt"
    path.write_text("Programa " * 2000, encoding="utf-8")
    monkeypatch.setenv("FICHAS_MAX_BYTES", "1000")
    with pytest.raises(ReadError, match="over the limit of 1,000"):
        read_document(path)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "table.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ReadError, match="unsupported file type .xlsx"):
        read_document(path)


def test_iter_paths_expands_folders_and_globs_and_reports_missing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("x", encoding="utf-8")
    (tmp_path / "sub" / "c.csv").write_text("x", encoding="utf-8")
    files, missing = iter_paths(
        [str(tmp_path), str(tmp_path / "*.txt"), str(tmp_path / "gone.txt")]
    )
    assert [f.name for f in files] == ["a.txt", "b.md"]
    assert [m.reason for m in missing] == ["no such file or folder"]
