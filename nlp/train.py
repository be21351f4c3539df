"""Train the section classifier from gold records, cross-validate it by document, save it.

Gold sections are character spans; the classifier labels blocks. Each block's
gold label is the majority label of the non-blank characters it governs (from its
start to the next block's start). Training is deterministic: the same records,
seed and parameters give the same model, predictions and scores.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nlp.records import Record
from nlp.section_model import (
    DEFAULT_PARAMS,
    MODES,
    OTHER,
    DocBlocks,
    SectionModel,
    analyze,
    block_bounds,
    data_hash,
)


def _matcher(rules_dir: str | None = None) -> Any:
    from nlp.components.headings import RULES_FILE, HeadingMatcher, default_rules, load_rules

    return HeadingMatcher(
        load_rules(Path(rules_dir) / RULES_FILE) if rules_dir else default_rules()
    )


def gold_block_labels(record: Record, doc: DocBlocks) -> list[str]:
    """Majority gold label (over non-blank characters) of each block."""
    text = record["text"]
    chars = [OTHER] * len(text)
    for section in record.get("sections", []):
        chars[section["start"] : section["end"]] = [section["label"]] * (
            section["end"] - section["start"]
        )
    out = []
    for start, end in block_bounds(doc.blocks, len(text)):
        counts = Counter(chars[i] for i in range(start, end) if not text[i].isspace())
        out.append(counts.most_common(1)[0][0] if counts else (out[-1] if out else OTHER))
    return out


def prepare(
    records: Sequence[Record],
    max_chars: int | None,
    rules_dir: str | None = None,
    matcher: Any = None,
) -> tuple[list[DocBlocks], list[list[str]]]:
    """Analysed documents and their gold block labels."""
    matcher = matcher or _matcher(rules_dir)
    docs = [analyze(r["text"], matcher, max_chars=max_chars) for r in records]
    return docs, [gold_block_labels(r, d) for r, d in zip(records, docs)]


def train_sections(
    records: Sequence[Record], seed: int = 0, rules_dir: str | None = None, **params: Any
) -> SectionModel:
    """Fit a section model on gold records (sorted by id, so input order does not matter)."""
    records = sorted(records, key=lambda r: r["id"])
    merged = {**DEFAULT_PARAMS, **params}
    docs, labels = prepare(records, merged["max_chars"], rules_dir)
    from nlp.section_cues import load_cues

    cues = load_cues(rules_dir) if rules_dir else None
    model = SectionModel.fit(docs, labels, seed=seed, cues=cues, **params)
    model.meta.update(
        {
            "data_hash": data_hash(records),
            "seed": seed,
            "n_documents": len(records),
            "n_blocks": sum(len(d.blocks) for d in docs),
            "documents": [r["id"] for r in records],
        }
    )
    return model


def save_model(model: SectionModel, path: str | Path) -> Path:
    """Write the model (`model.joblib`) and its `meta.json` into `path`."""
    path = Path(path)
    model.save(path)
    return path


def folds(records: Sequence[Record], k: int, seed: int = 0) -> list[list[int]]:
    """K folds of document indices (shuffled with `seed`; sizes differ by at most one)."""
    if k < 2:
        raise ValueError("cross-validation needs k >= 2")
    order = sorted(range(len(records)), key=lambda i: records[i]["id"])
    random.Random(seed).shuffle(order)
    k = min(k, len(order))
    return [sorted(order[f::k]) for f in range(k)]


def _pipeline(base: str | None, mode: str) -> Any:
    """The fichas pipeline with `mode`, or a blank Spanish one with the section component alone."""
    try:
        import nlp as fichas

        return fichas.load(base=base, section_mode=mode)
    except ModuleNotFoundError as err:
        if err.name != "nlp.pipeline":
            raise
    import spacy

    import nlp.components.sections  # noqa: F401  (registers the factory)

    pipe = spacy.blank("es")
    pipe.add_pipe("fichas_sections", config={"mode": mode})
    return pipe


def cross_validate_predictions(
    records: Sequence[Record],
    k: int,
    seed: int = 0,
    base: str | None = None,
    mode: str = "combined",
    rules_dir: str | None = None,
    **params: Any,
) -> list[Record]:
    """Predicted records where each document's sections come from a model trained without it."""
    from nlp.records import doc_to_record

    if mode not in MODES:
        raise ValueError(f"mode {mode!r} must be one of {MODES}")
    records = list(records)
    pipe = _pipeline(base, mode)
    component = pipe.get_pipe("fichas_sections")
    predicted: dict[int, Record] = {}
    from nlp.progress import progress  # a bar on a terminal only

    for fold in progress(folds(records, k, seed), "cross-validation", unit="fold"):
        held = set(fold)
        train = [r for i, r in enumerate(records) if i not in held]
        component.set_model(
            train_sections(train, seed=seed, rules_dir=rules_dir, **params)
            if mode != "rules"
            else None
        )
        texts = ((records[i]["text"], i) for i in fold)
        for doc, i in pipe.pipe(texts, as_tuples=True):
            predicted[i] = doc_to_record(doc, records[i]["id"], records[i].get("meta"))
    return [predicted[i] for i in range(len(records))]


def section_scores(gold: Sequence[Record], pred: Sequence[Record]) -> dict[str, Any]:
    """Per-label character F1 and their macro mean over labels present in gold."""
    from nlp.evaluate import score_sections

    by_id = {r["id"]: r for r in pred}
    frame, _confusion, macro, accuracy = score_sections([(g, by_id[g["id"]]) for g in gold])
    in_gold = frame[frame["in_gold"]]
    return {
        "macro_f1": round(float(macro), 4),
        "accuracy": round(float(accuracy), 4),
        "f1": {label: round(float(row["f1"]), 4) for label, row in in_gold.iterrows()},
    }


def train_and_report(
    records: Sequence[Record],
    out: str | Path | None,
    cv: int = 5,
    seed: int = 0,
    base: str | None = None,
    modes: Sequence[str] = MODES,
    **params: Any,
) -> tuple[SectionModel, dict[str, Any]]:
    """Cross-validate every mode, train on all records, save model and scores (meta.json)."""
    records = sorted(records, key=lambda r: r["id"])
    scores: dict[str, Any] = {}
    for mode in modes:
        if cv and cv >= 2 and len(records) >= 2:
            t0 = time.perf_counter()
            pred = cross_validate_predictions(
                records, cv, seed=seed, base=base, mode=mode, **params
            )
            scores[mode] = {
                **section_scores(records, pred),
                "seconds": round(time.perf_counter() - t0, 1),
            }
    model = train_sections(records, seed=seed, **params)
    model.meta["cv"] = {"folds": cv, "seed": seed, "scores": scores}
    if out is not None:
        save_model(model, out)
    return model, scores
