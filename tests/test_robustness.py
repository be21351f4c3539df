"""Metamorphic robustness: the same documents in the shapes real text arrives in.

Every document of `annotations/` and, when present, `../shared/realdev/gold.jsonl` is
run as it is and under each transform of `nlp/perturb.py` (line breaks turned into
spaces, markdown removed, CRLF line ends, re-wrapped at another width, an excerpt
that starts mid-document), with the gold mapped along. Entity micro F1 must stay
within 0.02 of the original and section character accuracy within 0.05 (issue 12);
"the original" is the pipeline's output on the original text carried through the same
transform (for line breaks and re-wrapping that is the original score itself; for an
excerpt, the original output on the part kept).
The seeds (`000`-`004`) flattened are held to the same entity margin on their own.
The pipeline runs on `blank` (the rules must not depend on the base model).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from nlp.evaluate import EvaluationResult, evaluate
from nlp.perturb import TRANSFORMS, perturb_records
from nlp.records import read_jsonl
from nlp.settings import REALDEV_GOLD as REALDEV

REPO = Path(__file__).resolve().parents[1]
ANNOTATIONS = REPO / "annotations"
SEEDS = ("000_", "001_", "002_", "003_", "004_")
ENTITY_MARGIN = 0.02
SECTION_MARGIN = 0.05


@lru_cache(maxsize=2)
def _pipeline() -> Any:
    from nlp import load

    return load(base="blank")


def _predict(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from nlp.records import doc_to_record

    stream = ((r["text"], (r["id"], r.get("meta"))) for r in records)
    return [
        doc_to_record(doc, doc_id, meta)
        for doc, (doc_id, meta) in _pipeline().pipe(stream, as_tuples=True, batch_size=8)
    ]


def _gold(collection: str) -> list[dict[str, Any]]:
    if collection == "realdev":
        if not REALDEV.exists():
            pytest.skip(f"{REALDEV} is absent: the real development documents are not here")
        return list(read_jsonl(REALDEV))
    records = list(read_jsonl(ANNOTATIONS))
    if not records:
        pytest.skip(f"no gold records in {ANNOTATIONS}")
    if collection == "seeds":
        records = [r for r in records if r["id"].startswith(SEEDS)]
    return records


@lru_cache(maxsize=4)
def _original_predictions(collection: str) -> list[dict[str, Any]]:
    return _predict(_gold(collection))


@lru_cache(maxsize=32)
def _scores(collection: str, transform: str) -> EvaluationResult:
    """Scores of the pipeline run on the transformed text, against the gold mapped along."""
    gold = _gold(collection)
    if transform == "original":
        return evaluate(gold, _original_predictions(collection))
    shaped = perturb_records(gold, transform)
    return evaluate(shaped, _predict(shaped))


@lru_cache(maxsize=32)
def _baseline(collection: str, transform: str) -> EvaluationResult:
    """Scores of the predictions on the original text carried through the same transform:
    what the transformed text should score. An excerpt keeps only the entities it still
    holds, so cutting away a region does not count as a loss; what the pipeline loses
    because the text changed shape (or lost its start) does."""
    gold = perturb_records(_gold(collection), transform)
    return evaluate(gold, perturb_records(_original_predictions(collection), transform))


def _micro(result: EvaluationResult) -> float:
    return float(result.entities.loc["micro", "f1"])


def _per_document_drops(collection: str, transform: str) -> str:
    """The documents whose entity errors grew under the transform (for the failure message)."""
    before = _baseline(collection, transform).errors
    after = _scores(collection, transform).errors
    if before.empty and after.empty:
        return ""
    count_before = before[before["label"] != "section"].groupby("doc_id").size()
    count_after = after[after["label"] != "section"].groupby("doc_id").size()
    grown = (count_after.sub(count_before, fill_value=0)).sort_values(ascending=False)
    return ", ".join(f"{doc} +{int(n)}" for doc, n in grown.items() if n > 0)


COLLECTIONS = ("annotations", "realdev")
CASES = [(c, t) for c in COLLECTIONS for t in TRANSFORMS]


@pytest.mark.parametrize(("collection", "transform"), CASES, ids=[f"{c}-{t}" for c, t in CASES])
def test_entity_f1_holds_under_transform(collection: str, transform: str) -> None:
    original = _micro(_baseline(collection, transform))
    shaped = _micro(_scores(collection, transform))
    assert shaped >= original - ENTITY_MARGIN, (
        f"{collection} {transform}: entity micro F1 {shaped:.3f} vs {original:.3f} as is; "
        f"more errors in {_per_document_drops(collection, transform)}"
    )


@pytest.mark.parametrize(("collection", "transform"), CASES, ids=[f"{c}-{t}" for c, t in CASES])
def test_section_accuracy_holds_under_transform(collection: str, transform: str) -> None:
    original = _baseline(collection, transform).sections_accuracy
    shaped = _scores(collection, transform).sections_accuracy
    assert shaped >= original - SECTION_MARGIN, (
        f"{collection} {transform}: section character accuracy {shaped:.3f} vs {original:.3f}"
    )


def test_seeds_flattened_keep_their_entities() -> None:
    """Issue 12: the five seeds with line breaks turned into spaces (gold unchanged)."""
    original = _micro(_baseline("seeds", "flatten"))
    flat = _micro(_scores("seeds", "flatten"))
    assert flat >= original - ENTITY_MARGIN, (
        flat,
        original,
        _per_document_drops("seeds", "flatten"),
    )


def test_seeds_flattened_keep_their_sections() -> None:
    original = _baseline("seeds", "flatten").sections_accuracy
    flat = _scores("seeds", "flatten").sections_accuracy
    assert flat >= original - SECTION_MARGIN, (flat, original)
