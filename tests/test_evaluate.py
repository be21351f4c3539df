"""The evaluator's arithmetic, pinned on small hand-made gold/pred pairs (numbers by hand)."""

from __future__ import annotations

import json
import math

import pytest
from eval_records import ent, rec, sec

from nlp.entity_scores import partial_pairs, values_equal
from nlp.eval_report import write_errors
from nlp.evaluate import EvaluationError, evaluate

# ---------------------------------------------------------------- entities


def test_exact_vs_partial():
    text = "En 2012 y 2013 hubo cambios."
    gold = rec("a", text, [ent(text, "2012", "YEAR"), ent(text, "2013", "YEAR")])
    pred = rec("a", text, [ent(text, "2012", "YEAR"), ent(text, "013", "YEAR")])
    row = evaluate([gold], [pred]).entities.loc["YEAR"]
    assert (row["tp"], row["fp"], row["fn"]) == (1, 1, 1)
    assert row["precision"] == row["recall"] == row["f1"] == 0.5
    assert (row["partial_tp"], row["partial_fp"], row["partial_fn"]) == (2, 0, 0)
    assert row["partial_precision"] == row["partial_recall"] == row["partial_f1"] == 1.0


def test_partial_pairs_each_span_once():
    # one gold range, two predicted years inside it: only one partial pair
    text = "Periodo 2012-2013."
    gold = rec("a", text, [ent(text, "2012-2013", "YEAR")])
    pred = rec("a", text, [ent(text, "2012", "YEAR"), ent(text, "2013", "YEAR")])
    row = evaluate([gold], [pred]).entities.loc["YEAR"]
    assert (row["tp"], row["fp"], row["fn"]) == (0, 2, 1)
    assert row["f1"] == 0.0
    assert (row["partial_tp"], row["partial_fp"], row["partial_fn"]) == (1, 1, 0)
    assert row["partial_precision"] == 0.5
    assert row["partial_recall"] == 1.0
    assert row["partial_f1"] == pytest.approx(2 / 3)


def test_partial_pairs_prefers_largest_overlap():
    gold = [sec(0, 10, "YEAR"), sec(12, 20, "YEAR")]
    pred = [sec(5, 15, "YEAR")]  # overlaps gold 0 by 5, gold 1 by 3
    assert partial_pairs(gold, pred) == [(0, 0)]


def test_wrong_label_is_fp_and_fn():
    text = "Firmado el 2012."
    gold = rec("a", text, [ent(text, "2012", "YEAR")])
    pred = rec("a", text, [ent(text, "2012", "DATE", "2012-01")])
    result = evaluate([gold], [pred])
    year, date, micro = (result.entities.loc[k] for k in ("YEAR", "DATE", "micro"))
    assert (year["tp"], year["fp"], year["fn"], year["partial_tp"]) == (0, 0, 1, 0)
    assert (year["precision"], year["recall"], year["f1"]) == (0.0, 0.0, 0.0)
    assert (date["tp"], date["fp"], date["fn"]) == (0, 1, 0)
    assert (micro["tp"], micro["fp"], micro["fn"], micro["f1"]) == (0, 1, 1, 0.0)
    assert math.isnan(result.entities.loc["PERCENT", "f1"])  # nothing to score
    errors = result.errors
    assert list(errors["kind"]) == ["fn", "fp"]
    assert list(errors["label"]) == ["YEAR", "DATE"]
    assert errors.loc[1, "overlaps"] == "gold YEAR 11-15 '2012'"
    assert errors.loc[0, "overlaps"] == "pred DATE 11-15 '2012'"
    assert errors.loc[1, "pred_value"] == "2012-01"


def test_micro_average_sums_counts():
    text = "Años 2010, 2011, 2012 y 2013; avance 15 %."
    gold = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2012")] + [ent(text, "15 %", "PERCENT")],
    )
    pred = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2013")] + [ent(text, "15 %", "PERCENT")],
    )
    frame = evaluate([gold], [pred]).entities
    assert frame.loc["YEAR", "f1"] == pytest.approx(2 / 3)
    assert frame.loc["PERCENT", "f1"] == 1.0
    micro = frame.loc["micro"]
    assert (micro["gold"], micro["pred"], micro["tp"], micro["fp"], micro["fn"]) == (4, 4, 3, 1, 1)
    assert micro["precision"] == micro["recall"] == micro["f1"] == 0.75  # macro would be 0.833


def test_missing_document_counts_as_all_missed():
    a = "Año 2012 con 10 %."
    b = "Años 2019, 2020 y 2021."
    gold_a = rec(
        "a", a, [ent(a, "2012", "YEAR"), ent(a, "10 %", "PERCENT")], [sec(0, len(a), "description")]
    )
    gold_b = rec(
        "b", b, [ent(b, y, "YEAR") for y in ("2019", "2020", "2021")], [sec(0, len(b), "budget")]
    )
    result = evaluate([gold_a, gold_b], [gold_a])
    assert result.missing == ["b"]
    assert result.n_documents == 2
    micro = result.entities.loc["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (2, 0, 3)
    assert micro["precision"] == 1.0
    assert micro["recall"] == 0.4
    assert micro["f1"] == pytest.approx(4 / 7)
    # b's 19 non-whitespace characters are predicted `other`
    assert result.confusion.loc["budget", "other"] == 19
    assert result.sections.loc["budget", "recall"] == 0.0


def test_pred_not_in_gold_is_ignored_with_warning():
    text = "En 2012."
    gold = rec("a", text, [ent(text, "2012", "YEAR")])
    extra = rec("zz", "otro texto 2020", [{"start": 11, "end": 15, "label": "YEAR"}])
    with pytest.warns(UserWarning, match="zz"):
        result = evaluate([gold], [gold, extra])
    assert result.ignored == ["zz"]
    assert result.entities.loc["micro", "fp"] == 0


def test_different_text_raises_naming_the_id():
    with pytest.raises(EvaluationError, match="ficha_007"):
        evaluate([rec("ficha_007", "En 2012.")], [rec("ficha_007", "En 2013.")])


def test_duplicate_gold_id_raises():
    with pytest.raises(EvaluationError, match="twice"):
        evaluate([rec("a", "x"), rec("a", "x")], [])


# ---------------------------------------------------------------- values


def test_value_tolerance():
    assert values_equal("PERCENT", 20.0, 20.0 + 1e-9)
    assert not values_equal("PERCENT", 20.0, 20.01)
    assert values_equal(
        "AMOUNT", {"amount": 100.0, "currency": "MXN"}, {"amount": 100.0 + 1e-9, "currency": "MXN"}
    )
    assert not values_equal(
        "AMOUNT", {"amount": 100.0, "currency": "MXN"}, {"amount": 100.01, "currency": "MXN"}
    )
    # relative for money: 1 peso off in 20 billion is equal, 0.01 off in 100 is not
    assert values_equal(
        "AMOUNT",
        {"amount": 20184010000.0, "currency": "MXN"},
        {"amount": 20184010001.0, "currency": "MXN"},
    )
    assert not values_equal(
        "AMOUNT", {"amount": 100.0, "currency": "MXN"}, {"amount": 100.0, "currency": "USD"}
    )
    assert values_equal("YEAR", {"start": 2007, "end": 2012}, {"start": 2007, "end": 2012})
    assert not values_equal("YEAR", {"start": 2007, "end": 2012}, {"start": 2007, "end": 2007})
    assert not values_equal("PROGRAM", {"name": "X", "key": None}, {"name": "X", "key": "E012"})
    assert values_equal("DATE", "2009-01-02", "2009-01-02")
    assert not values_equal("PERCENT", 20.0, None)


def test_value_accuracy_counts_exact_matches_with_gold_value():
    text = "Suben 20 %, 17 % y 14 % en 2012; baja 5 %."
    gold = rec(
        "a",
        text,
        [
            ent(text, "20 %", "PERCENT", 20.0),
            ent(text, "17 %", "PERCENT", 17.0),
            ent(text, "14 %", "PERCENT", 14.0),
            ent(text, "2012", "YEAR"),  # no gold value: not a pair
            ent(text, "5 %", "PERCENT", 5.0),  # missed: not a pair
        ],
    )
    pred = rec(
        "a",
        text,
        [
            ent(text, "20 %", "PERCENT", 20.000000001),
            ent(text, "17 %", "PERCENT", 17.01),
            ent(text, "14 %", "PERCENT", 14.0),
            ent(text, "2012", "YEAR", {"start": 2012, "end": 2012}),
        ],
    )
    result = evaluate([gold], [pred])
    percent = result.entities.loc["PERCENT"]
    assert (percent["value_pairs"], percent["value_correct"]) == (3, 2)
    assert percent["value_accuracy"] == pytest.approx(2 / 3)
    assert result.entities.loc["YEAR", "value_pairs"] == 0
    assert math.isnan(result.entities.loc["YEAR", "value_accuracy"])
    assert result.value_accuracy == pytest.approx(2 / 3)
    value_errors = result.errors[result.errors["kind"] == "value"]
    assert list(value_errors["text"]) == ["17 %"]
    assert value_errors.iloc[0]["gold_value"] == 17.0
    assert value_errors.iloc[0]["pred_value"] == 17.01


# ---------------------------------------------------------------- sections


def test_sections_per_label_macro_and_confusion():
    text = "abcd efgh ijkl"  # 12 non-whitespace characters
    gold = rec("a", text, sections=[sec(0, 9, "description")])  # "ijkl" is other
    pred = rec("a", text, sections=[sec(0, 4, "description"), sec(5, 9, "budget")])
    result = evaluate([gold], [pred])
    s = result.sections
    assert (
        s.loc["description", "gold_chars"],
        s.loc["description", "pred_chars"],
        s.loc["description", "tp"],
    ) == (8, 4, 4)
    assert s.loc["description", "precision"] == 1.0
    assert s.loc["description", "recall"] == 0.5
    assert s.loc["description", "f1"] == pytest.approx(2 / 3)
    assert s.loc["other", "f1"] == 1.0
    assert s.loc["budget", "f1"] == 0.0
    assert not s.loc["budget", "in_gold"]
    assert math.isnan(s.loc["results", "f1"])
    # macro over labels in gold only: (2/3 + 1) / 2, not (2/3 + 1 + 0) / 3
    assert result.sections_macro_f1 == pytest.approx(5 / 6)
    assert result.sections_accuracy == pytest.approx(8 / 12)
    c = result.confusion
    assert c.loc["description", "description"] == 4
    assert c.loc["description", "budget"] == 4
    assert c.loc["other", "other"] == 4
    assert int(c.values.sum()) == 12


def test_whitespace_is_not_scored():
    text = "a b\n\tc  \u00a0d\n"
    gold = rec("a", text, sections=[sec(0, len(text), "description")])
    result = evaluate([gold], [rec("a", text)])
    assert result.confusion.loc["description", "other"] == 4
    assert int(result.confusion.values.sum()) == 4
    assert result.sections.loc["description", "gold_chars"] == 4


def test_characters_outside_sections_are_other():
    text = "xxDESCyy"
    gold = rec("a", text, sections=[sec(2, 6, "description")])
    result = evaluate([gold], [rec("a", text)])  # nothing predicted: all other
    s = result.sections
    assert (s.loc["other", "gold_chars"], s.loc["other", "pred_chars"], s.loc["other", "tp"]) == (
        4,
        8,
        4,
    )
    assert s.loc["other", "precision"] == 0.5
    assert s.loc["other", "recall"] == 1.0
    assert s.loc["other", "f1"] == pytest.approx(2 / 3)
    assert s.loc["description", "f1"] == 0.0
    assert result.sections_macro_f1 == pytest.approx(1 / 3)


# ---------------------------------------------------------------- errors list


def test_errors_context_and_files(tmp_path):
    text = "x" * 70 + "2012" + "y" * 70 + " 5 %"
    gold = rec("doc1", text, [ent(text, "2012", "YEAR", {"start": 2012, "end": 2012})])
    pred = rec("doc1", text, [ent(text, "5 %", "PERCENT", 5.0)])
    errors = evaluate([gold], [pred]).errors
    assert len(errors) == 2
    fn = errors.iloc[0]
    assert (fn["doc_id"], fn["kind"], fn["label"], fn["start"], fn["end"], fn["text"]) == (
        "doc1",
        "fn",
        "YEAR",
        70,
        74,
        "2012",
    )
    assert fn["left"] == "x" * 60
    assert fn["right"] == "y" * 60
    assert fn["gold_value"] == {"start": 2012, "end": 2012}
    fp = errors.iloc[1]
    assert (fp["kind"], fp["start"], fp["end"], fp["pred_value"]) == ("fp", 145, 148, 5.0)
    assert fp["left"] == "y" * 59 + " "
    assert fp["right"] == ""

    jsonl = tmp_path / "errors.jsonl"
    assert write_errors(errors, jsonl) == 2
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["gold_value"] == {"start": 2012, "end": 2012}
    assert rows[0]["pred_value"] is None
    csv = tmp_path / "errors.csv"
    write_errors(errors, csv)
    import pandas as pd

    back = pd.read_csv(csv)
    assert list(back["kind"]) == ["fn", "fp"]
    assert json.loads(back.loc[0, "gold_value"]) == {"start": 2012, "end": 2012}


def test_errors_context_near_start():
    text = "2012 fue el año."
    errors = evaluate([rec("a", text, [ent(text, "2012", "YEAR")])], [rec("a", text)]).errors
    assert errors.iloc[0]["left"] == ""
    assert errors.iloc[0]["right"] == " fue el año."
