"""The section classifier: fit, predict, decode, save and load.

Heading rules label most of a ficha, but circulars and letters have no headings,
rules can disagree (`Análisis de la Cobertura y Presupuesto`), and two-column
extraction puts text under the wrong heading. The classifier labels every block
from its words (TF-IDF word and character n-grams), its neighbours' words, its
layout and the content cues of `rules/sections/cues.jsonl` (`nlp.section_cues`:
phrases such as `sugerimos` or `sin embargo` grouped by section, and the genre of
the document), which carry letters and oficios where no heading helps. In the
combined mode the label(s) of the heading above a block get a fixed log-score
bonus (`rule_weight`), and heading blocks are constrained to the labels of the
rules that matched them: the rules keep the structure, the content decides where
they are silent or ambiguous. Transitions learned from the gold, by the
kind of block entered (a paragraph's second sentence almost never changes
section, a heading usually does), decoded with Viterbi, keep sections from
flickering block by block.

Block features live in `nlp.section_features`, decoding in `nlp.section_decoding`.
`combine: "model"` instead trains a second estimator with the rule outputs as
features (measured worse, kept for comparison). scikit-learn, scipy and numpy are
imported inside functions: the component module that uses this one must stay
cheap to import.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.records import write_atomic
from nlp.section_cues import CueMatcher, default_cues, parse_cue
from nlp.section_decoding import (
    constrain_to_headings,
    kind_transitions,
    list_stays,
    make_estimator,
    probabilities,
    shift_rows,
    transitions,
    viterbi,
)
from nlp.section_export import export_arrays  # speed (issue 16): predict without sklearn
from nlp.section_features import (  # re-exported: the model's public vocabulary
    DEFAULT_MAX_CHARS,
    OTHER,
    DocBlocks,
    analyze,
    block_bounds,
    block_texts,
    cue_features,
    heading_context,
    layout_features,
    rule_features,
    rules_labels,
    without_front_matter,
)
from nlp.section_vectors import tfidf_transform  # speed (issue 16): same numbers as sklearn
from nlp.settings import SECTION_LABELS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from nlp.section_cues import CueRule

MODES = ("rules", "classifier", "combined")
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
FORMAT_VERSION = 1

#: Parameters and, beside each, what was measured (5-fold CV by document on annotations/).
DEFAULT_PARAMS: dict[str, Any] = {
    # LinearSVC (softmax of its scores), or "logreg" (LogisticRegression; slower, see docs)
    "estimator": "svm",
    "C": 0.5,
    # None scored 0.865, "balanced" (with the two below) 0.891 (34 docs)
    "class_weight": "balanced",
    "word_ngrams": [1, 2],
    "char_ngrams": [3, 4],  # 2-5 scored 0.925, 3-4 0.926 at half the cost (2026-11-25)
    "min_df": 1,
    "max_features": 20000,
    "context_weight": 0.5,  # weight of the previous/next block's text vectors
    # sample weight = non-blank chars ** power (0 = every block counts once); 0.5 before 11-25
    "weight_power": 1.0,
    "max_chars": DEFAULT_MAX_CHARS,  # long paragraphs are cut at sentence ends
    "transition_weight": 0.25,  # 0 disables Viterbi (argmax per block); 0.5 before 2026-11-25
    "transition_alpha": 0.5,  # add-alpha smoothing of the transition counts
    # combined mode: "bonus" = text model + rule_weight for the heading above;
    # "model" = an estimator trained with rule features (measured worse)
    "combine": "bonus",
    "rule_weight": 3.0,  # log-score bonus of the label of the heading above a block
    "rule_decay": 1.0,  # the bonus is multiplied by this for every block since the heading
    # stay-or-change probability by the kind of the block entered (see kind_transitions):
    # True kept a cut paragraph's sentences together (annotations/ CV 0.919) but held
    # real documents' turns inside run-on text (realdev CV macro 0.306 vs 0.348 without)
    "transition_by_kind": False,
    # content-cue features (rules/sections/cues.jsonl); 0 = none. 0.3-0.7: 0.915-0.919
    "cue_weight": 0.5,
    # weight of the neighbours' cue features (0.25 scored the same as 0, 0.5 worse)
    "cue_context": 0.0,
    # log bonus for staying in the section across a list a colon opens (`… como sigue:`)
    "list_stay": 2.0,
}


@dataclass
class SectionModel:
    """Fitted vectorizers and estimators plus the transition matrix and metadata."""

    params: dict[str, Any]
    labels: list[str]
    word_vec: Any = None
    char_vec: Any = None
    layout_vec: Any = None
    rule_vec: Any = None
    cue_rules: list[dict[str, Any]] = field(
        default_factory=list
    )  # raw cues the model was trained with
    cue_vec: Any = None
    estimators: dict[str, Any] = field(default_factory=dict)
    log_trans: Any = None  # (n_labels, n_labels) log P(next | previous)
    log_start: Any = None
    log_trans_by_kind: dict[str, Any] = field(
        default_factory=dict
    )  # kind of the block entered -> (n, n)
    meta: dict[str, Any] = field(default_factory=dict)

    # -------------------------------------------------------- features

    def _matrices(self, docs: Sequence[DocBlocks]) -> tuple[Any, Any]:
        """Feature matrices (text-only, full) of every block of `docs`, vectorized once."""
        import numpy as np
        from scipy import sparse

        texts = block_texts(docs)
        x_text = sparse.hstack(
            [self.word_vec.transform(texts), tfidf_transform(self.char_vec, texts)]
        ).tocsr()
        x_prev, x_next = shift_rows(x_text, [len(d.blocks) for d in docs])
        w = float(self.params["context_weight"])
        layout = [f for d in docs for f in layout_features(d)]
        rules = [f for d in docs for f in rule_features(d)]
        x_layout = self.layout_vec.transform(layout)
        parts = [x_text, w * x_prev, w * x_next, x_layout]
        if self.cue_vec is not None:
            parts.append(
                float(self.params.get("cue_weight", DEFAULT_PARAMS["cue_weight"]))
                * self.cue_vec.transform(self._cue_features(docs, texts))
            )
        base = sparse.hstack(parts).tocsr()
        full = sparse.hstack([base, self.rule_vec.transform(rules)]).tocsr()
        del np
        return base, full

    def _cue_features(self, docs: Sequence[DocBlocks], texts: Any = None) -> list[dict[str, float]]:
        """Cue features of every block of `docs` (`cue_features`; `texts`: their `block_texts`)."""
        matcher = getattr(self, "_cue_matcher", None)
        if matcher is None:
            matcher = CueMatcher(
                [parse_cue(raw, f"section model cue {k}") for k, raw in enumerate(self.cue_rules)]
            )
            self._cue_matcher = matcher
        context = float(self.params.get("cue_context", DEFAULT_PARAMS["cue_context"]))
        texts = block_texts(docs) if texts is None else texts
        out, pos = [], 0
        for d in docs:
            out += cue_features(d, matcher, context, texts[pos : pos + len(d.blocks)])
            pos += len(d.blocks)
        return out

    # -------------------------------------------------------- fit

    @classmethod
    def fit(
        cls,
        docs: Sequence[DocBlocks],
        labels: Sequence[Sequence[str]],
        seed: int = 0,
        cues: Sequence[CueRule] | None = None,
        **params: Any,
    ) -> SectionModel:
        """Train on analysed documents and their gold block labels.

        `cues` are `CueRule`s (default: the configured rules folder's); the model keeps
        them, so its features stay the ones it was trained with.
        """
        unknown = set(params) - set(DEFAULT_PARAMS)
        if unknown:
            raise ValueError(f"unknown section model parameters: {sorted(unknown)}")
        merged = {**DEFAULT_PARAMS, **params}
        flat = [lab for seq in labels for lab in seq]
        model = cls(params=merged, labels=[lab for lab in SECTION_LABELS if lab in set(flat)])
        model._fit_vectorizers(docs, cues)
        model._fit_estimators(docs, flat, seed)
        alpha = float(merged["transition_alpha"])
        model.log_start, model.log_trans = transitions(labels, model.labels, alpha)
        if merged["transition_by_kind"]:
            kinds = [[b.kind for b in d.blocks] for d in docs]
            model.log_trans_by_kind = kind_transitions(labels, kinds, model.labels, alpha)
        return model

    def _fit_vectorizers(self, docs: Sequence[DocBlocks], cues: Sequence[CueRule] | None) -> None:
        """Word and character TF-IDF, layout, rule and cue vocabularies of the training blocks."""
        import numpy as np  # heavy: loaded on first training only
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer

        p = self.params
        texts = block_texts(docs)
        common = {"min_df": p["min_df"], "max_features": p["max_features"], "dtype": np.float64}
        self.word_vec = TfidfVectorizer(
            analyzer="word",
            ngram_range=tuple(p["word_ngrams"]),
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            **common,
        )
        self.char_vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(p["char_ngrams"]), sublinear_tf=True, **common
        )
        for vectorizer in (self.word_vec, self.char_vec):
            vectorizer.fit(texts)
            vectorizer.stop_words_ = None  # pruned terms: only for introspection, large on disk
        self.layout_vec = DictVectorizer().fit([f for d in docs for f in layout_features(d)])
        self.rule_vec = DictVectorizer().fit([f for d in docs for f in rule_features(d)])
        if float(p["cue_weight"]) > 0:
            self.cue_rules = [dict(c.raw) for c in (default_cues() if cues is None else cues)]
            self.cue_vec = DictVectorizer().fit(self._cue_features(docs))

    def _fit_estimators(self, docs: Sequence[DocBlocks], flat: Sequence[str], seed: int) -> None:
        """The estimator(s) over the feature matrices, blocks weighted by their size."""
        import numpy as np  # heavy: loaded on first training only

        base, full = self._matrices(docs)
        y = np.array([self.labels.index(lab) for lab in flat])
        sizes = np.array(
            [max(1, sum(not c.isspace() for c in b.text)) for d in docs for b in d.blocks],
            dtype=float,
        )
        weights = sizes ** float(self.params["weight_power"])
        weights = weights / weights.mean()
        wanted = [("text", base)] + ([("full", full)] if self.params["combine"] == "model" else [])
        for name, matrix in wanted:
            est = make_estimator(self.params, seed)
            est.fit(matrix, y, sample_weight=weights)
            self.estimators[name] = est

    # -------------------------------------------------------- predict

    def predict_proba(self, docs: Sequence[DocBlocks], mode: str = "combined") -> list[np.ndarray]:
        """Label probabilities of every block, one (n_blocks, n_labels) array per document."""
        import numpy as np

        sizes = [len(d.blocks) for d in docs]
        if not sum(sizes):
            return [np.zeros((0, len(self.labels))) for _ in docs]
        base, full = self._matrices(docs)
        name = "full" if mode == "combined" and self.params.get("combine") == "model" else "text"
        matrix = full if name == "full" else base
        probs = probabilities(self.estimators[name], matrix)
        out, pos = [], 0
        for n in sizes:
            out.append(probs[pos : pos + n])
            pos += n
        return out

    def decode(self, doc: DocBlocks, probs: np.ndarray, mode: str = "combined") -> list[str]:
        """Block labels: Viterbi over probabilities and transitions (headings constrained in
        combined mode)."""
        import numpy as np

        n = len(doc.blocks)
        if n == 0:
            return []
        emit = np.log(np.clip(probs, 1e-9, 1.0))
        if mode == "combined" and self.params.get("combine") == "bonus":
            weight, decay = float(self.params["rule_weight"]), float(self.params["rule_decay"])
            for i, (candidates, since) in enumerate(heading_context(doc)):
                for label in candidates:
                    if label in self.labels:
                        emit[i, self.labels.index(label)] += weight * decay**since
        if mode == "combined":
            constrain_to_headings(emit, doc, self.labels)
        tw = float(self.params["transition_weight"])
        if tw <= 0:
            return [self.labels[k] for k in emit.argmax(axis=1)]
        trans = tw * self.log_trans
        if self.log_trans_by_kind and self.params.get("transition_by_kind"):
            trans = np.stack(
                [tw * self.log_trans_by_kind.get(b.kind, self.log_trans) for b in doc.blocks]
            )
        trans = list_stays(trans, doc.blocks, float(self.params.get("list_stay", 0.0)))
        start = 0.0 * self.log_start if without_front_matter(doc) else tw * self.log_start
        path = viterbi(emit, trans, start)
        return [self.labels[k] for k in path]

    def predict(self, docs: Sequence[DocBlocks], mode: str = "combined") -> list[list[str]]:
        """Block labels of every document (one batched `predict_proba`)."""
        if mode == "rules":
            return [rules_labels(d) for d in docs]
        return [self.decode(d, p, mode) for d, p in zip(docs, self.predict_proba(docs, mode))]

    # -------------------------------------------------------- persistence

    def save(self, path: str | Path) -> None:
        """Write `model.joblib`, `meta.json` (sklearn version, data hash, params, scores) and
        `arrays.npz` (`nlp.section_export`)."""
        import joblib
        import sklearn

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for vectorizer in (
            self.word_vec,
            self.char_vec,
        ):  # a memory address cached by sklearn: not reproducible
            vectorizer.__dict__.pop("_stop_words_id", None)
        state = {
            k: getattr(self, k)
            for k in (
                "params",
                "labels",
                "word_vec",
                "char_vec",
                "layout_vec",
                "rule_vec",
                "cue_rules",
                "cue_vec",
                "estimators",
                "log_trans",
                "log_start",
                "log_trans_by_kind",
            )
        }
        tmp = path / f".{MODEL_FILE}.tmp"
        joblib.dump(state, tmp, compress=3)
        os.replace(tmp, path / MODEL_FILE)  # a reader never sees half a model
        export_arrays(self, path / MODEL_FILE)
        meta = {
            **self.meta,
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "params": self.params,
            "labels": self.labels,
        }
        write_atomic(
            path / META_FILE, json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )

    @classmethod
    def load(cls, path: str | Path) -> SectionModel:
        """Read a saved model; warn when it was trained with another scikit-learn version."""
        import joblib
        import sklearn

        path = Path(path)
        meta_path, model_path = path / META_FILE, path / MODEL_FILE
        if not model_path.exists():
            raise FileNotFoundError(f"no section model in {path} (run `fichas train`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        trained = meta.get("sklearn_version")
        if trained and trained != sklearn.__version__:
            warnings.warn(
                f"section model {path} was trained with scikit-learn {trained}, running "
                f"{sklearn.__version__}: retrain with `fichas train` if predictions look wrong",
                UserWarning,
                stacklevel=2,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*InconsistentVersionWarning.*")
            try:
                from sklearn.exceptions import InconsistentVersionWarning

                warnings.simplefilter("ignore", InconsistentVersionWarning)
            except ImportError:  # pragma: no cover
                pass
            state = joblib.load(model_path)
        model = cls(**state)
        model.meta = meta
        return model


__all__ = [
    "DEFAULT_PARAMS",
    "MODES",
    "OTHER",
    "DocBlocks",
    "SectionModel",
    "analyze",
    "block_bounds",
    "cue_features",
    "heading_context",
    "rules_labels",
    "viterbi",
]
