"""The gold and its tool: the gold passes every check, rebuilds byte for byte, bad specs are
refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from nlp.gold import SpecError, build_all, build_record, check_gold, read_spec
from nlp.records import read_jsonl

GOLD = REPO / "annotations"


#: Each gold collection: its records folder and the corpus folder of its documents.
COLLECTIONS = {
    "dev": (GOLD, REPO / "corpus"),
    "heldout": (GOLD / "heldout", REPO / "corpus" / "heldout"),
    "prose": (GOLD / "prose", REPO / "corpus" / "prose"),
}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_gold_passes_the_checks(collection: str) -> None:
    gold, _corpus = COLLECTIONS[collection]
    assert check_gold(gold) == []
    assert len(list(read_jsonl(gold))) >= 8


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_corpus_document_has_gold_and_a_manifest_row(collection: str) -> None:
    import csv

    gold_dir, corpus_dir = COLLECTIONS[collection]
    corpus = {p.stem for p in corpus_dir.glob("*.*") if p.suffix in (".txt", ".md", ".pdf")}
    gold = {r["id"] for r in read_jsonl(gold_dir)}
    manifest = {
        row["id"] for row in csv.DictReader((corpus_dir / "manifest.csv").open(encoding="utf-8"))
    }
    assert corpus == gold == manifest


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_gold_rebuilds_exactly_from_the_specs(collection: str, tmp_path: Path) -> None:
    gold, _corpus = COLLECTIONS[collection]
    built, problems = build_all(gold / "specs", tmp_path)
    assert problems == [] and built
    for doc_id in built:
        assert json.loads((tmp_path / f"{doc_id}.jsonl").read_text(encoding="utf-8")) == json.loads(
            (gold / f"{doc_id}.jsonl").read_text(encoding="utf-8")
        )


def _spec(tmp_path: Path, *lines: dict) -> Path:
    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "d.txt").write_text(
        "Programa IMSS-Oportunidades 2012. Durante 2012 se ejerció 20%.", encoding="utf-8"
    )
    spec = tmp_path / "d.jsonl"
    rows = [{"doc": "d", "file": "corpus/d.txt"}, *lines]
    spec.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return spec


def test_a_good_spec_builds_offsets(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        {
            "label": "YEAR",
            "surface": "2012",
            "occurrence": 2,
            "value": {"start": 2012, "end": 2012},
        },
        {"label": "PROGRAM", "surface": "Programa IMSS-Oportunidades"},
        {"section": "results", "surface": "Durante"},
    )
    record = build_record(read_spec(spec), root=tmp_path)
    assert [(record["text"][e["start"] : e["end"]], e["start"]) for e in record["entities"]] == [
        ("Programa IMSS-Oportunidades", 0),
        ("2012", 42),
    ]
    assert record["entities"][0]["value"] == {"name": "IMSS-BIENESTAR", "key": None}
    assert [(s["label"], s["start"]) for s in record["sections"]] == [("other", 0), ("results", 34)]


@pytest.mark.parametrize(
    "line,problem",
    [
        (
            {"label": "YEAR", "surface": "2013", "value": {"start": 2013, "end": 2013}},
            "occurrence 1 of '2013' not found",
        ),
        (
            {
                "label": "YEAR",
                "surface": "2012",
                "occurrence": 3,
                "value": {"start": 2012, "end": 2012},
            },
            "occurrence 3 of '2012' not found",
        ),
        ({"label": "MONEY", "surface": "20%", "value": 20.0}, "unknown label 'MONEY'"),
        ({"label": "PERCENT", "surface": "20%", "value": "20"}, "PERCENT value must be a number"),
        (
            {"label": "YEAR", "surface": "2012", "value": {"start": 2013, "end": 2012}},
            "start <= end",
        ),
        ({"label": "PERCENT", "surface": "20%"}, "needs a value"),
        (
            {
                "label": "YEAR",
                "surface": "2012",
                "after": "Nunca",
                "value": {"start": 2012, "end": 2012},
            },
            "anchor 'after' 'Nunca' not found",
        ),
        (
            {
                "label": "YEAR",
                "surface": "2012",
                "value": {"start": 2012, "end": 2012},
                "offset": 3,
            },
            "unknown keys ['offset']",
        ),
    ],
)
def test_bad_spec_lines_are_refused_with_file_and_line(
    tmp_path: Path, line: dict, problem: str
) -> None:
    spec = _spec(tmp_path, line)
    with pytest.raises(SpecError) as err:
        build_record(read_spec(spec), root=tmp_path)
    assert problem in str(err.value)
    assert f"{spec}" in str(err.value)


def test_overlapping_entities_are_refused(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        {"label": "PROGRAM", "surface": "Programa IMSS-Oportunidades 2012"},
        {"label": "YEAR", "surface": "2012", "value": {"start": 2012, "end": 2012}},
    )
    with pytest.raises(SpecError, match="overlaps"):
        build_record(read_spec(spec), root=tmp_path)
