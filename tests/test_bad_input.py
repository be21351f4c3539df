"""Issue 14: batch annotation survives hostile and unusual input (cases 1, 2, 5-10).

Each test is one numbered case of the issue: it failed (crash, lost or doubled record,
silent skip) before the fix.
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from nlp.annotate import annotate_to_jsonl
from nlp.records import read_jsonl, validate_record

SEED_TEXT = SEEDS[2].read_text(encoding="utf-8")  # the 2009 circular: ñ, accents, quotes


def _errors(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _seeds(folder: Path, n: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS[:n]:
        shutil.copy(seed, folder / seed.name)
    return folder


# -- case 1: a text over max_length -------------------------------------------------


def test_case01_text_over_max_length_is_annotated_in_pieces(tmp_path: Path) -> None:
    """spaCy refuses texts over `max_length` (E088); the batch used to die on them."""
    import nlp

    pipeline = nlp.load(base="blank")
    pipeline.max_length = 20_000  # the 1,000,000 default, scaled down to keep the test fast
    folder = _seeds(tmp_path / "in")
    paragraph = "Programa de salud. En 2019 se ejercieron 1,200 millones de pesos.\n\n"
    long_text = paragraph * 1000  # 68,000 characters
    (folder / "long.txt").write_text(long_text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    summary = annotate_to_jsonl([str(folder)], out, pipeline, progress=False)
    assert (summary.done, summary.failed) == (3, 0)
    record = next(r for r in read_jsonl(out) if r["id"] == "long")
    assert record["text"] == long_text and validate_record(record) == []
    years = [e for e in record["entities"] if e["label"] == "YEAR"]
    amounts = [e for e in record["entities"] if e["label"] == "AMOUNT"]
    assert len(years) == len(amounts) == 1000  # every piece found, offsets in the whole text
    assert all(long_text[e["start"] : e["end"]] == "2019" for e in years)
    covered = sum(s["end"] - s["start"] for s in record["sections"])
    assert covered == len(long_text)


def test_long_texts_are_cut_at_paragraphs_into_bounded_pieces() -> None:
    from nlp.batch_pipe import split_text

    text = "".join(f"Párrafo {i} del documento con algo de texto.\n\n" for i in range(3000))
    pieces = list(split_text(text, 10_000))
    assert "".join(pieces) == text and len(pieces) > 10
    assert all(len(p) <= 10_000 and p.endswith("\n\n") for p in pieces[:-1])
    no_breaks = "de " * 10_000
    assert "".join(split_text(no_breaks, 7_000)) == no_breaks
    assert max(len(p) for p in split_text("x" * 25_000, 7_000)) == 7_000


# -- case 2: an exception inside a component ----------------------------------------


@pytest.mark.parametrize("n_process", [1, 2])
def test_case02_a_component_failing_on_one_document_does_not_end_the_batch(
    tmp_path: Path, n_process: int
) -> None:
    from spacy.language import Language

    import nlp

    if "robust_test_bomb" not in Language.factories:

        @Language.component("robust_test_bomb")
        def bomb(doc):  # type: ignore[no-untyped-def]
            if "DETONAR" in doc.text:
                raise RuntimeError("a component failed on this text")
            return doc

    pipeline = nlp.load(base="blank")
    pipeline.add_pipe("robust_test_bomb")
    folder = _seeds(tmp_path / "in", 3)
    (folder / "bomb.txt").write_text("Programa de salud 2019. DETONAR.\n", encoding="utf-8")
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    summary = annotate_to_jsonl(
        [str(folder)], out, pipeline, errors_path=errors, progress=False, n_process=n_process
    )
    assert (summary.done, summary.failed) == (3, 1)
    assert sorted(r["id"] for r in read_jsonl(out)) == sorted(s.stem for s in SEEDS[:3])
    assert _errors(errors) == [
        {
            "file": str(folder / "bomb.txt"),
            "stage": "robust_test_bomb",
            "reason": "RuntimeError: a component failed on this text",
        }
    ]


# -- cases 5, 6, 8: symlinks, ids, silent skips ----------------------------------------


def test_case05_globs_and_walks_do_not_follow_symlinks(tmp_path: Path, blank_pipeline) -> None:
    tree = _seeds(tmp_path / "L", 1)
    _seeds(tree / "sub", 2)
    (tree / "sub" / "up").symlink_to(tree, target_is_directory=True)  # a link back up
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    summary = annotate_to_jsonl(
        [str(tree / "**" / "*.txt")], out, blank_pipeline, errors_path=errors, progress=False
    )
    ids = [r["id"] for r in read_jsonl(out)]
    assert summary.done == 3 and len(ids) == len(set(ids)) == 3
    assert [e["file"] for e in _errors(errors)] == [str(tree / "sub" / "up")]
    assert "not followed" in _errors(errors)[0]["reason"]


def test_case05_follow_links_visits_each_file_once_and_stops_at_loops(
    tmp_path: Path, blank_pipeline
) -> None:
    tree = _seeds(tmp_path / "L", 1)
    _seeds(tree / "sub", 2)
    (tree / "sub" / "up").symlink_to(tree, target_is_directory=True)
    (tree / "sub" / "up2").symlink_to(tree, target_is_directory=True)  # used to hang
    (tree / "alias.txt").symlink_to(tree / SEEDS[0].name)  # the same file again
    out = tmp_path / "out.jsonl"
    summary = annotate_to_jsonl(
        [str(tree)], out, blank_pipeline, follow_links=True, progress=False, errors_path=None
    )
    assert summary.done == 3 and len(list(read_jsonl(out))) == 3
    assert {f.reason for f in summary.failures} == {
        "link to a folder already visited (a loop), skipped"
    }


def test_case06_same_file_names_in_two_folders_get_distinct_stable_ids(
    tmp_path: Path, blank_pipeline
) -> None:
    for folder, year in (("a", 2019), ("b", 2020)):
        (tmp_path / "in" / folder).mkdir(parents=True)
        (tmp_path / "in" / folder / "report.txt").write_text(
            f"Programa de Abasto Social {year}.\n", encoding="utf-8"
        )
    (tmp_path / "in" / "unique.txt").write_text("Programa de Vivienda 2021.\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    first = annotate_to_jsonl([str(tmp_path / "in")], out, blank_pipeline, progress=False)
    assert first.done == 3
    assert sorted(r["id"] for r in read_jsonl(out)) == ["a/report", "b/report", "unique"]
    for _ in range(2):  # resume settles at once: no record made again, none lost
        again = annotate_to_jsonl([str(tmp_path / "in")], out, blank_pipeline, progress=False)
        assert (again.done, again.skipped) == (0, 3) and len(list(read_jsonl(out))) == 3


def test_case08_skipped_and_unreadable_entries_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank_pipeline
) -> None:
    folder = _seeds(tmp_path / "in", 1)
    hidden = _seeds(folder / "locked", 1)
    elsewhere = _seeds(tmp_path / "elsewhere", 2)
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    _make_unlistable(hidden, monkeypatch)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    try:
        summary = annotate_to_jsonl(
            [str(folder)], out, blank_pipeline, errors_path=errors, progress=False
        )
    finally:
        hidden.chmod(0o755)
    reported = {Path(e["file"]).name: e["reason"] for e in _errors(errors)}
    assert summary.done == 1 and summary.failed == 2
    assert reported["linked"].startswith("symbolic link to a folder, not followed")
    assert reported["locked"].startswith("cannot list folder")


def _make_unlistable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000, or (as root, whom permissions do not stop) a scandir that refuses it."""
    folder.chmod(0o000)
    if os.geteuid() != 0:
        return
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:
        if Path(os.fsdecode(path)) == folder:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(folder))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)


# -- cases 7, 9: one writer per output, corrupt lines -----------------------------------


def test_case07_a_second_run_on_the_same_output_fails_at_once(
    tmp_path: Path, blank_pipeline
) -> None:
    from nlp.cli import app
    from nlp.outfile import OutputLock, OutputLocked

    folder = _seeds(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    with OutputLock(out):  # a first run is writing
        result = CliRunner().invoke(
            app, ["annotate", str(folder), "--out", str(out), "--base", "blank", "--quiet"]
        )
        with pytest.raises(OutputLocked, match="out.jsonl.lock is locked"):
            annotate_to_jsonl([str(folder)], out, blank_pipeline, progress=False)
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "out.jsonl.lock" in result.output
    assert not out.exists()
    summary = annotate_to_jsonl([str(folder)], out, blank_pipeline, progress=False)  # lock released
    assert summary.done == 2


def test_case09_a_corrupt_line_in_the_output_is_set_aside_and_the_resume_goes_on(
    tmp_path: Path, blank_pipeline
) -> None:
    folder = _seeds(tmp_path / "in", 3)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    annotate_to_jsonl([str(folder)], out, blank_pipeline, progress=False)
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = lines[1][: len(lines[1]) // 3] + "\n"  # a torn line in the middle
    out.write_text(lines[0] + broken + lines[2], encoding="utf-8")
    summary = annotate_to_jsonl(
        [str(folder)], out, blank_pipeline, errors_path=errors, progress=False
    )
    assert (summary.done, summary.skipped, summary.failed) == (1, 2, 0)
    assert any(f"{out}:2: corrupt line" in w.reason for w in summary.warnings)
    assert (tmp_path / "out.jsonl.corrupt").read_text(encoding="utf-8") == broken
    ids = [r["id"] for r in read_jsonl(out)]
    assert sorted(ids) == sorted(s.stem for s in SEEDS[:3])
    assert any(e.get("warning") and ":2: corrupt line" in e["reason"] for e in _errors(errors))


# -- case 10: encodings ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_case10_utf16_and_utf32_with_bom_are_decoded(tmp_path: Path, encoding: str) -> None:
    from nlp.readers import read_document

    boms = {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-be": codecs.BOM_UTF32_BE}
    data = boms.get(encoding, b"") + SEED_TEXT.encode(encoding)
    path = tmp_path / "circular.txt"
    path.write_bytes(data)
    assert read_document(path).text == SEED_TEXT


def test_case10_a_stray_cp1252_byte_in_utf8_is_decoded_with_a_warning(tmp_path: Path) -> None:
    from nlp.readers import read_document

    prefix = "Programa de Atención a Jóvenes, año 2019: "
    data = prefix.encode("utf-8") + "Peñasco".encode("cp1252") + "; más texto.".encode()
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    document = read_document(path)
    offset = len(prefix.encode("utf-8")) + 2  # the ñ written by a cp1252 tool
    assert document.text == prefix + "Peñasco; más texto."
    assert document.meta["warnings"] == [
        f"1 invalid UTF-8 byte(s) at byte offset(s) {offset}: decoded as cp1252"
        " (U+FFFD where cp1252 has no character)"
    ]


def test_case10_a_character_cut_at_the_end_is_replaced_with_a_warning(
    tmp_path: Path, blank_pipeline
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data = SEED_TEXT.encode("utf-8") + "ó".encode()[:1]
    (folder / "cut.txt").write_bytes(data)
    out, errors = tmp_path / "out.jsonl", tmp_path / "errors.jsonl"
    summary = annotate_to_jsonl(
        [str(folder)], out, blank_pipeline, errors_path=errors, progress=False
    )
    assert (summary.done, summary.failed) == (1, 0)
    assert next(read_jsonl(out))["text"] == SEED_TEXT + "\ufffd"
    [warning] = _errors(errors)
    assert warning["warning"] is True and warning["stage"] == "decode"
    assert f"at byte offset(s) {len(data) - 1}: a character cut at the end" in warning["reason"]


def test_a_regex_time_out_fails_that_document_only(
    tmp_path: Path, blank_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second safety net of case 3: a rule that runs too long fails one document."""
    import nlp.candidates.regex_rules as regex_rules

    folder = _seeds(tmp_path / "in", 1)
    monkeypatch.setattr(regex_rules, "RULE_TIMEOUT_S", 0.0)  # every rule times out at once
    summary = annotate_to_jsonl([str(folder)], tmp_path / "o.jsonl", blank_pipeline, progress=False)
    [failure] = summary.failures
    assert failure.stage == "fichas_entities" and failure.reason.startswith("TimeoutError")


def test_one_path_given_alone_is_not_read_as_a_list_of_characters(
    tmp_path: Path, blank_pipeline
) -> None:
    from nlp.annotate import annotate_paths

    folder = _seeds(tmp_path / "in", 2)
    assert len(list(annotate_paths(folder, blank_pipeline))) == 2
    summary = annotate_to_jsonl(str(folder), tmp_path / "o.jsonl", blank_pipeline, progress=False)  # type: ignore[arg-type]
    assert (summary.done, summary.failed) == (2, 0)
