"""How much do the blocks themselves limit section accuracy?

    python bench/block_oracle.py ../shared/realdev/gold.jsonl annotations

Gives every block the label most of its gold characters have (an oracle for the labels,
the pipeline's own blocks) and prints the character accuracy that reaches, with the
characters lost by block kind. Far above the model's score: the labels limit, not the units.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from nlp.pipeline import load
from nlp.records import read_jsonl
from nlp.section_features import analyze
from nlp.section_scores import char_labels
from nlp.settings import SECTION_LABELS


def oracle_accuracy(gold: list[dict[str, Any]], matcher: Any) -> tuple[float, Counter[str]]:
    """Non-blank character accuracy of majority-labelled blocks, and the misses by kind."""
    labels = list(SECTION_LABELS)
    right = total = 0
    lost: Counter[str] = Counter()
    for record in gold:
        text, chars = record["text"], char_labels(record, labels)
        for block in analyze(text, matcher).blocks:
            inside = [int(chars[i]) for i in range(block.start, block.end) if not text[i].isspace()]
            if not inside:
                continue
            majority = Counter(inside).most_common(1)[0][1]
            right, total = right + majority, total + len(inside)
            lost[block.kind] += len(inside) - majority
    return (right / total if total else 0.0), lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", help="gold JSONL files or folders")
    args = parser.parse_args()
    matcher = load(base="blank").get_pipe("fichas_sections").matcher
    for path in args.gold:
        accuracy, lost = oracle_accuracy(list(read_jsonl(path)), matcher)
        print(f"{path}: oracle character accuracy {accuracy:.3f}; lost by kind {dict(lost)}")


if __name__ == "__main__":
    main()
