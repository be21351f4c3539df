"""The evaluator's thresholds: checked, read from annotations/thresholds.json, derived."""

from __future__ import annotations

from conftest import REPO
from eval_records import ent, rec, sec

from nlp.evaluate import check_thresholds, evaluate, load_thresholds, thresholds_from_result

# ---------------------------------------------------------------- thresholds


def _small_result():
    text = "Años 2010, 2011, 2012 y 2013; avance 15 %."
    gold = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2012")]
        + [ent(text, "15 %", "PERCENT", 15.0)],
        [sec(0, 20, "description")],
    )
    pred = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2013")]
        + [ent(text, "15 %", "PERCENT", 15.0)],
        [sec(0, 20, "description")],
    )
    return evaluate([gold], [pred])


def test_check_thresholds():
    result = _small_result()  # YEAR F1 2/3, PERCENT 1, value accuracy 1, sections macro 1
    assert (
        check_thresholds(
            result, {"entities_exact_f1": {"YEAR": 0.6, "DATE": None}, "value_accuracy": 1.0}
        )
        == []
    )
    failures = check_thresholds(
        result,
        {
            "_comment": "ignored",
            "entities_exact_f1": {"YEAR": 0.7, "DATE": 0.5, "TYPO": 0.1},
            "sections_macro_f1": 0.9,
            "sections_f1": {"budget": 0.5},
            "bogus": 1,
        },
    )
    assert failures == [
        "entities exact F1 of YEAR is 0.667, below the threshold 0.700",
        "entities exact F1 of DATE: not measurable (no gold and no predictions), threshold 0.500",
        "entities_exact_f1: unknown label 'TYPO'",
        "sections F1 of budget: not measurable (no gold and no predictions), threshold 0.500",
        "unknown threshold key 'bogus'",
    ]


def test_thresholds_file_schema_is_known():
    thresholds = load_thresholds(REPO / "annotations" / "thresholds.json")
    assert set(k for k in thresholds if not k.startswith("_")) == {
        "entities_exact_f1",
        "value_accuracy",
        "sections_macro_f1",
        "sections_accuracy",
        "sections_f1",
    }
    failures = check_thresholds(_small_result(), thresholds)
    assert not [f for f in failures if "unknown" in f]


def test_thresholds_from_result_round_trip():
    result = _small_result()
    thresholds = thresholds_from_result(result, margin=0.01)
    assert thresholds["entities_exact_f1"]["YEAR"] == 0.656
    assert thresholds["entities_exact_f1"]["DATE"] is None
    assert thresholds["sections_f1"] == {"description": 0.99, "other": 0.99}
    assert check_thresholds(result, thresholds) == []


def test_sections_accuracy_is_a_threshold():
    result = _small_result()
    assert check_thresholds(result, {"sections_accuracy": result.sections_accuracy}) == []
    [failure] = check_thresholds(result, {"sections_accuracy": result.sections_accuracy + 0.1})
    assert failure.startswith("sections character accuracy is ")
