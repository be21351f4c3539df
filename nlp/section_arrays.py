"""The section classifier's predictions from arrays saved beside the model, without scikit-learn.

Importing scikit-learn (and the SciPy it pulls in) to predict took ~1.4 s of every
`fichas` process before its first document, more than spaCy itself, and unpickling the
model ~0.2 s more. Predicting needs far less: the TF-IDF vocabularies and idf, the
layout and cue feature names and the LinearSVC's coefficients, which `SectionModel.save`
also writes to `arrays.npz` (`nlp.section_export`). `ArraySectionModel` scores blocks from
them with numpy alone: the same features as `SectionModel._matrices`, multiplied by the
same coefficients, equal to scikit-learn's scores to float rounding (tests/test_section_arrays.py);
decoding is `SectionModel`'s own. Training, cross-validation and any model the arrays do not
describe (another estimator, a stale file) go through scikit-learn as before.
"""

from __future__ import annotations

import json
import re
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

from nlp.section_export import ARRAYS_FILE, ARRAYS_FORMAT, model_digest
from nlp.section_features import DocBlocks, block_texts, layout_features, rule_features
from nlp.section_model import DEFAULT_PARAMS, META_FILE, MODEL_FILE, SectionModel
from nlp.section_vectors import char_wb_counts, count_lengths, count_pairs


@dataclass
class TfidfArrays:
    """A fitted TfidfVectorizer's transform: `word` or `char_wb` n-grams, sublinear tf, idf, l2."""

    analyzer: str
    ngram_range: tuple[int, int]
    vocabulary: dict[str, int]
    idf: Any  # np.ndarray or None (use_idf off)
    sublinear_tf: bool
    norm: str | None
    token_pattern: str

    def __post_init__(self) -> None:
        # scikit-learn's default `\b\w+\b` finds the same words as `\w+` (a maximal run of
        # word characters starts and ends at a boundary), which skips the boundary tests
        plain = self.token_pattern in (r"(?u)\b\w+\b", r"\b\w+\b")
        self._tokens = re.compile(r"\w+" if plain else self.token_pattern)
        self._memo: dict[str, bytes] = {}

    def rows(self, texts: Sequence[str]) -> tuple[Any, Any, Any]:
        """CSR parts (columns, values, row pointers) of the TF-IDF rows of `texts`."""
        import numpy as np

        if self.analyzer == "char_wb":
            cols, counts, indptr = char_wb_counts(
                texts, self.vocabulary, self.ngram_range, self._memo
            )
        else:
            cols, counts, indptr = self._word_counts(texts)
        ptr = np.asarray(indptr, dtype=np.int64)
        lengths = np.diff(ptr)
        col = np.asarray(cols, dtype=np.int64)  # sorted within each row, as scikit-learn's are
        data = np.asarray(counts, dtype=np.float64)
        if self.sublinear_tf:
            np.log(data, out=data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[col]
        if self.norm == "l2" and data.size:
            sums = np.zeros(len(lengths))
            filled = lengths > 0
            sums[filled] = np.add.reduceat(data * data, ptr[:-1][filled])
            norms = np.sqrt(sums)
            norms[norms == 0.0] = 1.0
            data /= np.repeat(norms, lengths)
        return col, data, ptr

    def _word_counts(self, texts: Sequence[str]) -> tuple[Any, Any, Any]:
        """Counts of the in-vocabulary word n-grams (`CountVectorizer` with analyzer `word`):
        the n-grams of all texts looked up at once, those across two texts dropped (speed,
        issue 16: no Counter of n-grams the model never uses)."""
        import numpy as np

        min_n, max_n = self.ngram_range
        tokens = [self._tokens.findall(text.lower()) for text in texts]
        lengths = count_lengths(tokens)
        flat = list(chain.from_iterable(tokens))
        rows = np.repeat(np.arange(len(texts)), lengths)
        # tokens from each one to the end of its text: an n-gram needs n of them
        left = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(flat))
        found_rows, found_cols = [], []
        for n in range(min_n, max_n + 1):
            grams = flat if n == 1 else list(map(" ".join, zip(*(flat[i:] for i in range(n)))))
            ids = np.fromiter(
                map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams)
            )
            keep = (ids >= 0) & (left[: len(grams)] >= n)
            found_rows.append(rows[: len(grams)][keep])
            found_cols.append(ids[keep])
        return count_pairs(
            np.concatenate(found_rows), np.concatenate(found_cols), len(texts), len(self.vocabulary)
        )


@dataclass
class BlockFeatures:
    """Every block's features in a batch: text TF-IDF rows and the dict features' columns."""

    sizes: list[int]
    text: list[tuple[Any, Any, Any]]  # (columns, values, row pointers) per vectorizer
    dicts: dict[str, tuple[Any, Any, Any]]  # part -> (rows, columns, values)


@dataclass
class LinearScorer:
    """`LinearSVC.decision_function` over `BlockFeatures`: the text part of the coefficients
    is applied to each block once and shifted to its neighbours (the context columns)."""

    coef: Any  # (k, n_features)
    intercept: Any
    classes_: Any
    widths: list[int]  # columns of each text vectorizer
    offsets: dict[str, tuple[int, float]]  # dict part -> (first column, weight)
    context_weight: float

    def __post_init__(self) -> None:
        import numpy as np

        t, k = sum(self.widths), self.coef.shape[0]
        self._text = np.empty((t, 3 * k))  # (t, 3k): own, previous, next; one copy at load
        for j in range(3):
            self._text[:, j * k : (j + 1) * k] = self.coef[:, j * t : (j + 1) * t].T

    def decision_function(self, feats: BlockFeatures) -> Any:
        import numpy as np

        k = self.coef.shape[0]
        n = sum(feats.sizes)
        parts = np.zeros((n, 3 * k))
        vectors, start = [], 0
        for width, (col, data, ptr) in zip(self.widths, feats.text):
            take = self._text[start : start + width].take  # faster than fancy indexing, same rows
            vectors.append((take, col, data, ptr.tolist()))
            start += width
        for i in range(n):  # each vectorizer's part, summed in their order: 0 + a + b
            total = None
            for take, col, data, bounds in vectors:
                a, b = bounds[i], bounds[i + 1]
                if b > a:
                    part = data[a:b] @ take(col[a:b], axis=0)
                    total = part if total is None else total + part
            if total is not None:
                parts[i] += total
        scores = parts[:, :k] + self.intercept
        first = np.cumsum([0, *feats.sizes[:-1]])
        has_prev = np.ones(n, dtype=bool)
        has_prev[first[np.asarray(feats.sizes) > 0]] = False
        has_next = np.roll(has_prev, -1)
        has_next[-1:] = False
        w = self.context_weight
        scores[has_prev] += w * parts[np.flatnonzero(has_prev) - 1, k : 2 * k]
        scores[has_next] += w * parts[np.flatnonzero(has_next) + 1, 2 * k :]
        for name, (offset, weight) in self.offsets.items():
            rows, cols, vals = feats.dicts[name]
            if len(rows):
                np.add.at(scores, rows, (weight * vals)[:, None] * self.coef[:, offset + cols].T)
        return scores.ravel() if k == 1 else scores


class ArraySectionModel(SectionModel):
    """A `SectionModel` that predicts from `arrays.npz` (see the module docstring)."""

    arrays_spec: dict[str, Any]
    source: Path

    def _matrices(self, docs: Sequence[DocBlocks]) -> tuple[Any, Any]:

        texts = block_texts(docs)
        dicts = {"layout": [f for d in docs for f in layout_features(d)]}
        if "cue" in self._names:
            dicts["cue"] = self._cue_features(docs, texts)
        if "rule" in self._names and any(s.offsets.get("rule") for s in self.estimators.values()):
            dicts["rule"] = [f for d in docs for f in rule_features(d)]
        mapped = {part: _dict_columns(rows, self._names[part]) for part, rows in dicts.items()}
        feats = BlockFeatures(
            sizes=[len(d.blocks) for d in docs],
            text=[vec.rows(texts) for vec in self._vectorizers],
            dicts=mapped,
        )
        return feats, feats

    def save(self, path: str | Path) -> None:
        """Copy the files this model was read from (it holds no scikit-learn objects to pickle)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in (MODEL_FILE, META_FILE, ARRAYS_FILE):
            if (self.source / name).exists():
                tmp = path / f".{name}.tmp"
                shutil.copyfile(self.source / name, tmp)
                tmp.replace(path / name)

    @classmethod
    def read(cls, path: Path) -> ArraySectionModel:
        """The model of `path/arrays.npz` (the caller checked it is current)."""
        import numpy as np

        with np.load(path / ARRAYS_FILE, allow_pickle=False) as npz:
            spec = json.loads(npz["spec"].tobytes().decode("utf-8"))
            arrays = {name: npz[name] for name in npz.files if name != "spec"}
        meta_path = path / META_FILE
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        model = cls(
            params=spec["params"],
            labels=spec["labels"],
            cue_rules=spec["cue_rules"],
            log_trans=arrays["log_trans"],
            log_start=arrays["log_start"],
            log_trans_by_kind={
                kind: arrays[f"log_trans_by_kind.{kind}"] for kind in spec["transition_kinds"]
            },
            meta=meta,
        )
        model.arrays_spec, model.source = spec, path
        model._vectorizers = [
            TfidfArrays(
                analyzer=v["analyzer"],
                ngram_range=tuple(v["ngram_range"]),
                vocabulary={term: i for i, term in enumerate(v["terms"])},
                idf=arrays.get(f"idf.{v['name']}"),
                sublinear_tf=v["sublinear_tf"],
                norm=v["norm"],
                token_pattern=v["token_pattern"],
            )
            for v in spec["vectorizers"]
        ]
        model._names = {
            part: {name: i for i, name in enumerate(names)}
            for part, names in spec["dict_features"].items()
        }
        model.estimators = {name: _scorer(model, spec, arrays, name) for name in spec["estimators"]}
        return model


def _scorer(model: ArraySectionModel, spec: dict[str, Any], arrays: dict[str, Any], name: str):
    """The scorer of estimator `name`: its columns are the text parts, layout, cues (and rules)."""
    params = model.params
    widths = [len(v.vocabulary) for v in model._vectorizers]
    offset = 3 * sum(widths)
    weights = {
        "layout": 1.0,
        "cue": float(params.get("cue_weight", DEFAULT_PARAMS["cue_weight"])),
        "rule": 1.0,
    }
    offsets = {}
    for part in spec["estimators"][name]["parts"]:
        offsets[part] = (offset, weights[part])
        offset += len(model._names[part])
    return LinearScorer(
        coef=arrays[f"coef.{name}"],
        intercept=arrays[f"intercept.{name}"],
        classes_=arrays[f"classes.{name}"],
        widths=widths,
        offsets=offsets,
        context_weight=float(params["context_weight"]),
    )


def _dict_columns(rows: list[dict[str, Any]], index: dict[str, int]) -> tuple[Any, Any, Any]:
    """(row, column, value) arrays of the features `index` knows, as `DictVectorizer` reads
    rows (a string value is one-hot: `name=value`, 1.0): every row's keys looked up at once
    (speed, issue 16), one by one only when a value is a string."""
    import numpy as np

    values = list(chain.from_iterable(map(dict.values, rows)))
    if not set(map(type, values)) <= {float, int, bool}:  # a string, or something else
        return _dict_columns_one_by_one(rows, index)
    keys = chain.from_iterable(rows)
    cols = np.fromiter(map(index.get, keys, repeat(-1)), dtype=int, count=len(values))
    where = np.repeat(np.arange(len(rows)), count_lengths(rows))
    keep = cols >= 0
    return where[keep], cols[keep], np.asarray(values, dtype=float)[keep]


def _dict_columns_one_by_one(
    rows: list[dict[str, Any]], index: dict[str, int]
) -> tuple[Any, Any, Any]:
    """`_dict_columns` of rows with string values (`name=value`)."""
    import numpy as np

    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    for i, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, str):
                key, value = f"{key}={value}", 1.0
            j = index.get(key)
            if j is not None:
                r.append(i)
                c.append(j)
                v.append(value)
    return np.asarray(r, dtype=int), np.asarray(c, dtype=int), np.asarray(v, dtype=float)


def load_section_model(path: str | Path) -> SectionModel:
    """The model saved in `path`: from its arrays when they are current, else scikit-learn's."""
    path = Path(path)
    arrays, joblib_file = path / ARRAYS_FILE, path / MODEL_FILE
    if arrays.exists() and joblib_file.exists():
        try:
            model = ArraySectionModel.read(path)
        except (OSError, ValueError, KeyError) as err:
            warnings.warn(
                f"{arrays}: unreadable ({err}); predicting with scikit-learn", stacklevel=2
            )
        else:
            spec = model.arrays_spec
            if spec.get("format") == ARRAYS_FORMAT and spec["model_sha256"] == model_digest(
                joblib_file
            ):
                return model
            warnings.warn(
                f"{arrays} was not exported from {joblib_file} (retrain or re-save the model); "
                "predicting with scikit-learn",
                UserWarning,
                stacklevel=2,
            )
    return SectionModel.load(path)


__all__ = ["ARRAYS_FILE", "ArraySectionModel", "LinearScorer", "TfidfArrays", "load_section_model"]
