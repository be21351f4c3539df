"""Train the section classifier from gold records, cross-validate it by document, save it.

Gold sections are character spans; the classifier labels blocks. Each block's
gold label is the majority label of the non-blank characters it governs (from its
start to the next block's start). Training is deterministic: the same records,
seed and parameters give the same model, predictions and scores.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nlp
from nlp.evaluate import EvaluationError, check_mode
from nlp.headings import heading_matcher
from nlp.progress import progress
from nlp.records import Record, doc_to_record
from nlp.section_cues import load_cues
from nlp.section_model import (
    DEFAULT_PARAMS,
    MODES,
    OTHER,
    DocBlocks,
    SectionModel,
    analyze,
    block_bounds,
)
from nlp.section_scores import score_sections
from nlp.settings import PACKAGE_DIR

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language


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
    matcher = matcher or heading_matcher(rules_dir)
    docs = [analyze(r["text"], matcher, max_chars=max_chars) for r in records]
    return docs, [gold_block_labels(r, d) for r, d in zip(records, docs)]


def train_sections(
    records: Sequence[Record], seed: int = 0, rules_dir: str | None = None, **params: Any
) -> SectionModel:
    """Fit a section model on gold records (sorted by id, so input order does not matter)."""
    records = sorted(records, key=lambda r: r["id"])
    merged = {**DEFAULT_PARAMS, **params}
    docs, labels = prepare(records, merged["max_chars"], rules_dir)
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


def _pipeline(base: str | None, mode: str) -> Language:
    """The fichas pipeline with the section mode `mode`."""
    return nlp.load(base=base, section_mode=mode)


def cross_validate_predictions(
    records: Sequence[Record],
    k: int,
    seed: int = 0,
    base: str | None = None,
    mode: str = "combined",
    rules_dir: str | None = None,
    extra: Sequence[Record] = (),
    **params: Any,
) -> list[Record]:
    """Predicted records where each document's sections come from a model trained without it.

    `extra` records (another gold set, e.g. `annotations/` when scoring real documents)
    join the training data of every fold; they are never predicted.
    """
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} must be one of {MODES}")
    records = list(records)
    pipe = _pipeline(base, mode)
    component = pipe.get_pipe("fichas_sections")
    predicted: dict[int, Record] = {}
    for fold in progress(folds(records, k, seed), "cross-validation", unit="fold"):
        held = set(fold)
        train = [r for i, r in enumerate(records) if i not in held] + list(extra)
        component.set_model(
            train_sections(train, seed=seed, rules_dir=rules_dir, **params)
            if mode != "rules"
            else None
        )
        texts = ((records[i]["text"], i) for i in fold)
        for doc, i in pipe.pipe(texts, as_tuples=True):
            predicted[i] = doc_to_record(doc, records[i]["id"], records[i].get("meta"))
    return [predicted[i] for i in range(len(records))]


def predict_with_cv(
    gold: Sequence[Record],
    k: int,
    *,
    seed: int = 0,
    base: str | None = None,
    mode: str | None = None,
    extra: Sequence[Record] = (),
) -> list[Record]:
    """Predictions where each document's sections come from a model that never saw it.

    `extra` gold records join every fold's training data; a record of `extra` whose id or
    text is also in `gold` is dropped, so no scored document is ever trained on.
    """
    check_mode(mode)
    kwargs: dict[str, Any] = {"mode": mode} if mode else {}
    scored_ids = {r["id"] for r in gold}
    scored_texts = {r["text"] for r in gold}
    extra = [r for r in extra if r["id"] not in scored_ids and r["text"] not in scored_texts]
    if extra:
        kwargs["extra"] = extra
    try:
        return cross_validate_predictions(list(gold), k, seed=seed, base=base, **kwargs)
    except TypeError as err:
        if "mode" in str(err):
            raise EvaluationError(
                f"cross_validate_predictions does not accept mode={mode!r} yet ({err})"
            ) from err
        raise


def trained_on(gold: Sequence[Record]) -> int:
    """How many gold documents the shipped section model was trained on (from its meta.json)."""
    meta_path = PACKAGE_DIR / "resources" / "section_model" / "meta.json"
    if not meta_path.exists():
        return 0
    trained = set(json.loads(meta_path.read_text(encoding="utf-8")).get("documents", []))
    return sum(1 for record in gold if record.get("id") in trained)


def section_scores(gold: Sequence[Record], pred: Sequence[Record]) -> dict[str, Any]:
    """Per-label character F1 and their macro mean over labels present in gold."""
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


def data_hash(records: Iterable[dict[str, Any]]) -> str:
    """sha256 of the gold ids, texts and sections (what a model was trained on)."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r["id"]):
        sections = sorted((s["start"], s["end"], s["label"]) for s in record.get("sections", []))
        digest.update(
            json.dumps([record["id"], record["text"], sections], ensure_ascii=False).encode("utf-8")
        )
    return digest.hexdigest()
