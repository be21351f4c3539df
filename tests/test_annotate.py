"""Batch annotation: bad files are reported and skipped, runs resume, nothing is lost or doubled."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from typer.testing import CliRunner

from nlp.annotate import annotate_to_docbin, annotate_to_jsonl
from nlp.records import read_jsonl


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """Three seeds plus one of each kind of bad file."""
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in SEEDS[:3]:
        shutil.copy(seed, folder / seed.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<")
    return folder


def _ids(out: Path) -> list[str]:
    return [r["id"] for r in read_jsonl(out)]


def test_batch_goes_on_and_reports_each_failure(
    batch: Path, tmp_path: Path, blank_pipeline
) -> None:
    out, errors = tmp_path / "records.jsonl", tmp_path / "errors.jsonl"
    summary = annotate_to_jsonl(
        [str(batch)], out, blank_pipeline, errors_path=errors, progress=False
    )
    assert (summary.done, summary.skipped, summary.failed) == (3, 0, 3)
    assert sorted(_ids(out)) == sorted(s.stem for s in SEEDS[:3])
    reported = {
        Path(e["file"]).name: e["reason"]
        for e in map(json.loads, errors.read_text(encoding="utf-8").splitlines())
    }
    assert reported == {
        "empty.txt": "empty file",
        "binary.txt": "binary file (NUL bytes), not text",
        "broken.pdf": "truncated PDF (no %%EOF marker at the end)",
    }


def test_records_follow_the_guide(batch: Path, tmp_path: Path, blank_pipeline) -> None:
    from nlp.records import validate_record

    out = tmp_path / "records.jsonl"
    annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    for record in read_jsonl(out):
        assert set(record) == {"id", "text", "entities", "sections", "meta"}
        assert validate_record(record) == []
        assert record["meta"]["source"].endswith(record["id"] + ".txt")
        assert record["meta"]["kind"] in ("ficha", "circular")
        assert record["text"] == (batch / f"{record['id']}.txt").read_text(encoding="utf-8")


def test_resume_after_an_interrupted_run(batch: Path, tmp_path: Path, blank_pipeline) -> None:
    out = tmp_path / "records.jsonl"
    annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    # A run killed while writing its third record: two whole lines and half a line.
    out.write_text(lines[0] + lines[1] + lines[2][: len(lines[2]) // 2], encoding="utf-8")
    summary = annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    assert (summary.done, summary.skipped) == (1, 2)
    ids = _ids(out)
    assert sorted(ids) == sorted(s.stem for s in SEEDS[:3]) and len(ids) == len(set(ids))


def test_a_changed_document_is_replaced_not_duplicated(
    batch: Path, tmp_path: Path, blank_pipeline
) -> None:
    out = tmp_path / "records.jsonl"
    annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    changed = batch / SEEDS[0].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nActualizado en 2024.", encoding="utf-8"
    )
    summary = annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    assert (summary.done, summary.skipped) == (1, 2)
    records = {r["id"]: r for r in read_jsonl(out)}
    assert len(records) == 3 and records[SEEDS[0].stem]["text"].endswith("Actualizado en 2024.")


def test_records_of_another_pipeline_are_made_again(
    batch: Path, tmp_path: Path, blank_pipeline
) -> None:
    """Changed rules or a retrained model: a resumed run must not keep stale records."""
    from nlp.records import dumps

    out = tmp_path / "records.jsonl"
    annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    records = list(read_jsonl(out))
    assert len({r["meta"]["pipeline"] for r in records}) == 1
    records[0]["meta"]["pipeline"] = "made-by-an-older-pipeline"
    out.write_text("".join(dumps(r) + "\n" for r in records), encoding="utf-8")
    summary = annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    assert (summary.done, summary.skipped) == (1, 2)
    assert len(_ids(out)) == 3 and len({r["meta"]["pipeline"] for r in read_jsonl(out)}) == 1


def test_force_starts_over(batch: Path, tmp_path: Path, blank_pipeline) -> None:
    out = tmp_path / "records.jsonl"
    annotate_to_jsonl([str(batch)], out, blank_pipeline, progress=False)
    summary = annotate_to_jsonl([str(batch)], out, blank_pipeline, force=True, progress=False)
    assert (summary.done, summary.skipped) == (3, 0) and len(_ids(out)) == 3


def test_docbin_output_keeps_values(batch: Path, tmp_path: Path, blank_pipeline) -> None:
    from spacy.tokens import DocBin

    out = tmp_path / "records.spacy"
    summary = annotate_to_docbin([str(batch)], out, blank_pipeline, progress=False)
    assert summary.done == 3
    docs = list(DocBin().from_disk(out).get_docs(blank_pipeline.vocab))
    values = [ent._.value for doc in docs for ent in doc.ents]
    assert len(values) > 20 and all(v is not None for v in values)
    assert {"2009-01-02"} <= {v for v in values if isinstance(v, str)}


def test_cli_summary_and_exit_code(batch: Path, tmp_path: Path) -> None:
    from nlp.cli import app

    out = tmp_path / "records.jsonl"
    result = CliRunner().invoke(
        app, ["annotate", str(batch), "--out", str(out), "--base", "blank", "--quiet"]
    )
    assert result.exit_code == 1  # some files failed
    assert "annotated 3, skipped 0 (unchanged), failed 3" in result.output
    assert "empty.txt: empty file" in result.output
    again = CliRunner().invoke(
        app,
        [
            "annotate",
            *[str(batch / s.name) for s in SEEDS[:3]],
            "--out",
            str(out),
            "--base",
            "blank",
            "--quiet",
        ],
    )
    assert again.exit_code == 0 and "annotated 0, skipped 3 (unchanged), failed 0" in again.output


def test_two_processes_give_the_same_records(batch: Path, tmp_path: Path, blank_pipeline) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    annotate_to_jsonl([str(batch)], one, blank_pipeline, progress=False)
    annotate_to_jsonl([str(batch)], two, blank_pipeline, n_process=2, batch_size=1, progress=False)

    def strip(path: Path) -> list[tuple[str, str, str]]:
        rows = read_jsonl(path)
        return sorted((r["id"], json.dumps(r["entities"]), json.dumps(r["sections"])) for r in rows)

    assert strip(one) == strip(two)
