"""Writes `arrays.npz` beside a saved section model: what `nlp.section_arrays` predicts from.

Called by `SectionModel.save`, so `fichas train` (and `to_disk`) write the arrays with the
model and they never describe another one (they carry the sha256 of its `model.joblib`).
The file is a numpy `.npz` whose members are written in name order with a fixed
timestamp: the same model gives the same bytes, like `model.joblib`. A model the arrays
cannot describe (a LogisticRegression, a vectorizer with other settings) gets none, and
any old file is removed, so it is predicted with scikit-learn.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from nlp.records import write_atomic

ARRAYS_FILE = "arrays.npz"
#: Version of the arrays' layout; a file of another version is ignored (scikit-learn predicts).
ARRAYS_FORMAT = 1
#: The zip timestamp of every member (the zip format's earliest date): reproducible bytes.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def model_digest(path: Path) -> str:
    """sha256 of a saved `model.joblib`: the arrays name the model they were exported from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_arrays(model: Any, model_file: Path) -> Path | None:
    """Write `arrays.npz` beside `model_file` (where `model` was just pickled); None, and no
    file, if the arrays cannot describe the model."""
    target = model_file.parent / ARRAYS_FILE
    if not _supported(model):
        target.unlink(missing_ok=True)
        return None
    spec, arrays = _content(model, model_digest(model_file))
    write_npz(target, spec, arrays)
    return target


def _supported(model: Any) -> bool:
    """Linear SVMs over a word and a char_wb TF-IDF, as `SectionModel.fit` makes them."""
    vecs = (model.word_vec, model.char_vec)
    if model.word_vec is None or model.char_vec is None or model.layout_vec is None:
        return False
    if [v.analyzer for v in vecs] != ["word", "char_wb"] or not all(map(_plain_text, vecs)):
        return False
    return all(
        hasattr(est, "coef_")
        and not hasattr(est, "predict_proba")
        and est.coef_.shape[1] == _columns(model, with_rules=name == "full")
        for name, est in model.estimators.items()
    )


def _columns(model: Any, with_rules: bool) -> int:
    """Columns of the feature matrix `nlp.section_arrays` rebuilds: the text vectors of a block
    and of its two neighbours, layout, cues (and rules). An estimator trained on another
    layout (a feature family added to `SectionModel._matrices`) gets no arrays."""
    text = len(model.word_vec.vocabulary_) + len(model.char_vec.vocabulary_)
    dicts = [model.layout_vec, model.cue_vec, model.rule_vec if with_rules else None]
    return 3 * text + sum(len(v.vocabulary_) for v in dicts if v is not None)


def _plain_text(vec: Any) -> bool:
    """A TfidfVectorizer reading lowercase text with no stop words, accents or custom code."""
    return (
        vec.input == "content"
        and vec.lowercase
        and vec.preprocessor is None
        and vec.tokenizer is None
        and vec.stop_words is None
        and vec.strip_accents is None
        and not vec.binary
        and vec.norm in ("l2", None)
    )


def _content(model: Any, digest: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON spec and the named arrays of `model`."""
    import numpy as np

    vectorizers, arrays = [], {}
    for name, vec in (("word", model.word_vec), ("char", model.char_vec)):
        terms = [""] * len(vec.vocabulary_)
        for term, index in vec.vocabulary_.items():
            terms[index] = term
        vectorizers.append(  # a list: their order is the order of the columns
            {
                "name": name,
                "analyzer": vec.analyzer,
                "ngram_range": list(vec.ngram_range),
                "sublinear_tf": bool(vec.sublinear_tf),
                "norm": vec.norm,
                "token_pattern": vec.token_pattern,
                "terms": terms,
            }
        )
        if vec.use_idf:
            arrays[f"idf.{name}"] = np.asarray(vec.idf_, dtype=np.float64)
    dicts = {"layout": model.layout_vec, "rule": model.rule_vec, "cue": model.cue_vec}
    estimators = {}
    for name, est in sorted(model.estimators.items()):
        parts = ["layout", *(["cue"] if model.cue_vec is not None else [])]
        estimators[name] = {"parts": parts + (["rule"] if name == "full" else [])}
        arrays[f"coef.{name}"] = np.asarray(est.coef_, dtype=np.float64)
        arrays[f"intercept.{name}"] = np.asarray(est.intercept_, dtype=np.float64)
        arrays[f"classes.{name}"] = np.asarray(est.classes_)
    arrays["log_trans"], arrays["log_start"] = model.log_trans, model.log_start
    for kind, matrix in model.log_trans_by_kind.items():
        arrays[f"log_trans_by_kind.{kind}"] = matrix
    spec = {
        "format": ARRAYS_FORMAT,
        "model_sha256": digest,
        "params": model.params,
        "labels": model.labels,
        "cue_rules": model.cue_rules,
        "vectorizers": vectorizers,
        "dict_features": {k: list(v.feature_names_) for k, v in dicts.items() if v is not None},
        "estimators": estimators,
        "transition_kinds": sorted(model.log_trans_by_kind),
    }
    return spec, arrays


def write_npz(target: Path, spec: dict[str, Any], arrays: dict[str, Any]) -> None:
    """`np.savez_compressed` with the spec as a `spec` member, members sorted, fixed dates;
    written atomically (a reader never sees half of it)."""
    import numpy as np

    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    members = {**arrays, "spec": np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name in sorted(members):
            buffer = io.BytesIO()
            array = np.ascontiguousarray(members[name])
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, buffer.getvalue())
    write_atomic(target, data.getvalue())


__all__ = ["ARRAYS_FILE", "ARRAYS_FORMAT", "export_arrays", "model_digest", "write_npz"]
