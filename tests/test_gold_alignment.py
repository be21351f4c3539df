"""The gold of `annotations/` follows the shared guide's decisions on real documents
(`../shared/ANNOTATION_GUIDE.md`, `../shared/realdev/DECISIONS.md`; docs/annotation_guide.md 5.9).

These are checks on the gold itself, not on the pipeline: a budget key standing alone is
a PROGRAM span (A1), an acronym or key in parentheses right after a program name is a
PROGRAM span of its own (D10, D11), `(mdp)` after `millones de pesos` stays outside the
AMOUNT (guide), and no PROGRAM span covers a slash between two names (A2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import regex

from nlp.records import read_jsonl

ANNOTATIONS = Path(__file__).resolve().parents[1] / "annotations"
KEY = regex.compile(r"(?<![\w-])[A-Z]-?\d{3}(?![\w-])")
PARENTHESIZED = regex.compile(r"\s*\(\s*(?P<acr>[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9a-z-]{1,14})\s*[),]")
RECORDS = [*read_jsonl(ANNOTATIONS), *read_jsonl(ANNOTATIONS / "heldout")]


def _covered(record: dict[str, Any], start: int, end: int, label: str) -> bool:
    return any(
        e["label"] == label and e["start"] <= start and end <= e["end"] for e in record["entities"]
    )


@pytest.mark.parametrize("record", RECORDS, ids=[r["id"] for r in RECORDS])
def test_gold_follows_the_real_document_decisions(record: dict[str, Any]) -> None:
    text = record["text"]
    problems = []
    for hit in KEY.finditer(text):
        if not _covered(record, hit.start(), hit.end(), "PROGRAM"):
            problems.append(f"budget key {hit.group()!r} at {hit.start()} is not PROGRAM (A1)")
    for ent in record["entities"]:
        if ent["label"] == "PROGRAM":
            acr = PARENTHESIZED.match(text, ent["end"])
            if acr and not _covered(record, acr.start("acr"), acr.end("acr"), "PROGRAM"):
                problems.append(f"{acr.group('acr')!r} after a program name is not PROGRAM")
            if regex.search(r"\s/\s", text[ent["start"] : ent["end"]]):
                problems.append(f"one span over a slash: {text[ent['start'] : ent['end']]!r}")
        if ent["label"] == "AMOUNT" and "mdp" in text[ent["start"] : ent["end"]].lower():
            if regex.search(r"(?i)millones\s+de\s+pesos\s*\(mdp", text[ent["start"] : ent["end"]]):
                problems.append("(mdp) after millones de pesos is inside an AMOUNT")
    assert not problems, problems
