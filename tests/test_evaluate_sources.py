"""Where `fichas evaluate` gets predictions (cross-validation, the pipeline, a file) and
which gold the shipped model was trained on."""

from __future__ import annotations

import json
import types

import pytest
from eval_records import ent, rec, sec

from nlp import train
from nlp.evaluate import EvaluationError, predict_with_pipeline
from nlp.train import predict_with_cv

# ---------------------------------------------------------------- prediction sources


def test_predict_with_cv_passes_mode(monkeypatch):
    calls = []

    def cross_validate_predictions(records, k, seed=0, base=None, mode="combined"):
        calls.append((len(records), k, seed, base, mode))
        return records

    monkeypatch.setattr(train, "cross_validate_predictions", cross_validate_predictions)
    gold = [rec("a", "x")]
    assert predict_with_cv(gold, 3, seed=7, base="blank", mode="rules") == gold
    assert calls == [(1, 3, 7, "blank", "rules")]

    def without_mode(records, k, seed=0, base=None):
        return records

    monkeypatch.setattr(train, "cross_validate_predictions", without_mode)
    with pytest.raises(EvaluationError, match="does not accept mode='classifier'"):
        predict_with_cv(gold, 3, mode="classifier")
    with pytest.raises(EvaluationError, match="unknown section mode"):
        predict_with_cv(gold, 3, mode="bogus")


class _FakePipeline:
    """Stands in for the spaCy pipeline: docs with the text and no annotations."""

    def pipe(self, stream, as_tuples=False, batch_size=8):
        assert as_tuples
        for text, context in stream:
            yield types.SimpleNamespace(text=text, ents=[], spans={}), context


def test_predict_with_pipeline_runs_over_gold_texts(monkeypatch):
    import nlp as package

    seen = {}

    def fake_load(base=None, section_mode=None):
        seen.update(base=base, section_mode=section_mode)
        return _FakePipeline()

    monkeypatch.setattr(package, "load", fake_load)
    gold = [rec("a", "Uno 2012."), rec("b", "Dos.")]
    pred = predict_with_pipeline(gold, base="blank", mode="combined")
    assert [p["id"] for p in pred] == ["a", "b"]
    assert [p["text"] for p in pred] == ["Uno 2012.", "Dos."]
    assert seen == {"base": "blank", "section_mode": "combined"}

    monkeypatch.setattr(package, "load", lambda base=None: _FakePipeline())
    with pytest.raises(EvaluationError, match="section_mode='rules'"):
        predict_with_pipeline(gold, mode="rules")


# ---------------------------------------------------------------- CLI


def _cli_app():
    try:
        import nlp.cli.evaluate  # noqa: F401
        from nlp.cli import app
    except ModuleNotFoundError as err:
        pytest.skip(f"the CLI package cannot be imported yet: {err}")
    return app


def test_cli_with_pred(tmp_path):
    from typer.testing import CliRunner

    app = _cli_app()
    text = "Años 2010, 2011, 2012 y 2013; avance 15 %."
    gold = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2012")],
        [sec(0, 20, "description")],
    )
    pred = rec(
        "a",
        text,
        [ent(text, y, "YEAR") for y in ("2010", "2011", "2013")],
        [sec(0, 20, "description")],
    )
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n", encoding="utf-8")
    (tmp_path / "pred.jsonl").write_text(json.dumps(pred) + "\n", encoding="utf-8")
    runner = CliRunner()
    args = ["evaluate", str(tmp_path / "gold.jsonl"), "--pred", str(tmp_path / "pred.jsonl")]

    out = runner.invoke(
        app, args + ["--errors", str(tmp_path / "e.csv"), "--output", str(tmp_path / "m.json")]
    )
    assert out.exit_code == 0, out.output
    assert "Sections macro F1" in out.output
    metrics = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert metrics["entities"]["YEAR"]["tp"] == 2
    assert metrics["entities"]["DATE"]["f1"] is None
    assert (tmp_path / "e.csv").exists()

    out = runner.invoke(app, args + ["--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["entities"]["micro"]["f1"] == pytest.approx(2 / 3)

    out = runner.invoke(app, args + ["--markdown"])
    assert out.exit_code == 0, out.output
    assert "| label | gold | pred |" in out.output

    (tmp_path / "t.json").write_text(
        json.dumps({"entities_exact_f1": {"YEAR": 0.9}}), encoding="utf-8"
    )
    out = runner.invoke(app, args + ["--thresholds", str(tmp_path / "t.json")])
    assert out.exit_code == 1


def test_in_sample_section_scores_are_flagged() -> None:
    """The shipped model was trained on the development gold, not on the held-out gold."""
    from pathlib import Path

    from nlp.records import read_jsonl
    from nlp.train import trained_on

    annotations = Path(__file__).resolve().parents[1] / "annotations"
    dev, heldout = list(read_jsonl(annotations)), list(read_jsonl(annotations / "heldout"))
    assert trained_on(dev) == len(dev)
    assert trained_on(heldout) == 0
