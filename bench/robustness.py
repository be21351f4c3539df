"""Entity and section scores of the pipeline on each text transform of `nlp/perturb.py`.

    python bench/robustness.py annotations ../shared/realdev/gold.jsonl [--base blank]
    python bench/robustness.py annotations --ids 000_ 001_ 002_ 003_ 004_   # the seeds

For each gold file or folder and each transform, prints entity micro F1 and section
character accuracy of the original output carried through the transform (the baseline
`tests/test_robustness.py` holds the transformed text to) and of the pipeline run on the
transformed text, both against the gold mapped along.
"""

from __future__ import annotations

import argparse
from typing import Any

from nlp.evaluate import EvaluationResult, evaluate, predict_with_pipeline
from nlp.perturb import TRANSFORMS, perturb_records
from nlp.records import read_jsonl


def _micro(result: EvaluationResult) -> float:
    return float(result.entities.loc["micro", "f1"])


def rows(
    gold: list[dict[str, Any]], base: str | None
) -> list[tuple[str, float, float, float, float]]:
    """(transform, baseline F1, F1, baseline section accuracy, section accuracy)."""
    original = predict_with_pipeline(gold, base=base)
    plain = evaluate(gold, original)
    out = [
        ("as is", _micro(plain), _micro(plain), plain.sections_accuracy, plain.sections_accuracy)
    ]
    for name in TRANSFORMS:
        shaped = perturb_records(gold, name)
        baseline = evaluate(shaped, perturb_records(original, name))
        result = evaluate(shaped, predict_with_pipeline(shaped, base=base))
        out.append(
            (
                name,
                _micro(baseline),
                _micro(result),
                baseline.sections_accuracy,
                result.sections_accuracy,
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", help="gold JSONL files or folders")
    parser.add_argument("--base", default="blank", help="base model (default: blank)")
    parser.add_argument("--ids", nargs="*", default=(), help="only documents whose id starts so")
    args = parser.parse_args()
    for path in args.gold:
        gold = [r for r in read_jsonl(path) if not args.ids or r["id"].startswith(tuple(args.ids))]
        print(f"{path}\n  transform        entity F1 (baseline -> shaped)  section acc")
        for name, b_f1, f1, b_acc, acc in rows(gold, args.base):
            print(f"  {name:16} {b_f1:.3f} -> {f1:.3f}                  {b_acc:.3f} -> {acc:.3f}")


if __name__ == "__main__":
    main()
