"""The section classifier: block features, fit, predict, and Viterbi decoding.

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

`combine: "model"` instead trains a second estimator with the rule outputs as
features (measured worse, kept for comparison). scikit-learn, scipy and numpy are
imported inside functions: the component module that uses this one must stay
cheap to import.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlp.blocks import Block, split_blocks, split_lines
from nlp.reflow import reflow
from nlp.settings import SECTION_LABELS
from nlp.textmap import TextMap, fold, normalize

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from nlp.headings import HeadingMatch, HeadingMatcher
    from nlp.section_cues import CueMatcher, CueRule

MODES = ("rules", "classifier", "combined")
OTHER = "other"
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"
FORMAT_VERSION = 1

DEFAULT_PARAMS: dict[str, Any] = {
    "estimator": "svm",  # LinearSVC (softmax of its scores), or "logreg" (LogisticRegression; slower, see docs)
    "C": 0.5,
    "class_weight": "balanced",  # None scored 0.865, "balanced" (with the two below) 0.891 (34 docs, 5-fold CV)
    "word_ngrams": [1, 2],
    "char_ngrams": [
        3,
        4,
    ],  # 2-5 scored 0.925 cross-validated, 3-4 0.926 at half the cost (2026-11-25)
    "min_df": 1,
    "max_features": 20000,
    "context_weight": 0.5,  # weight of the previous/next block's text vectors
    "weight_power": 1.0,  # sample weight = non-blank chars ** power (0 = every block counts once); 0.5 before 2026-11-25
    "max_chars": 300,  # long paragraphs are cut at sentence ends into pieces of about this size
    "transition_weight": 0.25,  # 0 disables Viterbi (argmax per block); 0.5 before 2026-11-25
    "transition_alpha": 0.5,  # add-alpha smoothing of the transition counts
    "combine": "bonus",  # combined mode: "bonus" = text model + rule_weight for the heading above; "model" = estimator trained with rule features
    "rule_weight": 3.0,  # log-score bonus of the label of the heading above a block
    "rule_decay": 1.0,  # the bonus is multiplied by this for every block since the heading
    "transition_by_kind": True,  # stay-or-change probability by the kind of the block entered (see _kind_transitions)
    "cue_weight": 0.5,  # content-cue features (rules/sections/cues.jsonl); 0 = none. 0.3-0.7 all scored 0.915-0.919 (3 fold seeds)
    "cue_context": 0.0,  # weight of the previous/next block's cue features (0.25 scored the same as 0, 0.5 worse)
}


@dataclass
class DocBlocks:
    """One document's analysis: normalized view, heading matches and blocks."""

    tm: TextMap
    headings: list[HeadingMatch]
    blocks: list[Block]


def analyze(
    text: str,
    matcher: HeadingMatcher,
    tm: TextMap | None = None,
    max_chars: int | None = DEFAULT_PARAMS["max_chars"],
) -> DocBlocks:
    """Headings and blocks of a text (the same analysis for training and prediction)."""
    tm = reflow(tm if tm is not None else normalize(text), matcher.phrases)
    lines = split_lines(tm.norm)
    headings = matcher.find(tm.norm, lines)
    return DocBlocks(tm, headings, split_blocks(tm, headings, lines, max_chars=max_chars))


def block_bounds(blocks: Sequence[Block], n: int) -> list[tuple[int, int]]:
    """Character range each block governs: from its start to the next block's start."""
    starts = [0] + [b.start for b in blocks[1:]]
    ends = [b.start for b in blocks[1:]] + [n]
    return [(s, max(s, e)) for s, e in zip(starts, ends)]


def rules_labels(doc: DocBlocks) -> list[str]:
    """Rules alone: every block takes the label of the heading above it (`other` before any).

    Below a line of headings run together (two-column extraction), the text is
    given to the first of them: extraction reads the left column first.
    """
    current = OTHER
    out = []
    row, first_of_row = -1, OTHER
    for block in doc.blocks:
        if block.heading >= 0:
            match = doc.headings[block.heading]
            if not match.opens:
                out.append(match.label)
                continue
            if block.line != row:
                row, first_of_row = block.line, match.label
            out.append(match.label)
            current = first_of_row
            continue
        out.append(current)
    return out


# ---------------------------------------------------------------- features


def _bin(value: float, edges: Sequence[float]) -> int:
    for k, edge in enumerate(edges):
        if value < edge:
            return k
    return len(edges)


#: A block at least this long is prose, not a title, a name or a date line.
PROSE_MIN = 150


def starts_mid_sentence(doc: DocBlocks) -> bool:
    """An excerpt cut inside a sentence (`de Egresos de la Federación…`): no front matter."""
    head = doc.tm.norm.lstrip(" \t\n*#>-•")
    return bool(head) and (head[0].islower() or head[0] in ",;:)")


def layout_features(doc: DocBlocks) -> list[dict[str, float]]:
    """Layout of each block and its neighbours (no rule output).

    Where the text starts mid-sentence, the position from the start says nothing (an
    excerpt has no front matter), so those features are left out.
    """
    n = len(doc.blocks)
    excerpt = starts_mid_sentence(doc)
    out = []
    for i, block in enumerate(doc.blocks):
        text = block.text.strip()
        letters = [c for c in text if c.isalpha()]
        feats = {
            f"kind={block.kind}": 1.0,
            f"len={_bin(len(text), (20, 60, 150, 400, 1000))}": 1.0,
            f"ridx={min(n - 1 - i, 4)}": 1.0,
        }
        if not excerpt:
            # the first blocks are front matter when short; long prose there is content
            shape = "prose" if len(text) >= PROSE_MIN else "short"
            feats[f"pos={min(int(10 * i / max(n, 1)), 9)}"] = 1.0
            feats[f"idx={min(i, 4)}:{shape}"] = 1.0
        if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(letters) > 3:
            feats["caps"] = 1.0
        if len(text) < 90 and not text.endswith((".", ";", ",")):
            feats["titlelike"] = 1.0
        if text.endswith(":"):
            feats["colon_end"] = 1.0
        digits = sum(c.isdigit() for c in text)
        feats[f"digits={_bin(digits / max(len(text), 1), (0.01, 0.1, 0.3))}"] = 1.0
        if i or not excerpt:
            feats[f"prev_kind={doc.blocks[i - 1].kind if i else 'START'}"] = 1.0
        feats[f"next_kind={doc.blocks[i + 1].kind if i + 1 < n else 'END'}"] = 1.0
        out.append(feats)
    return out


def rule_features(doc: DocBlocks) -> list[dict[str, float]]:
    """What the heading rules say about each block: its own candidates, the heading above."""
    out = []
    current: str | None = None
    since = 0
    has_headings = bool(doc.headings)
    for block in doc.blocks:
        feats: dict[str, float] = {"doc_has_headings": float(has_headings)}
        if block.heading >= 0:
            match = doc.headings[block.heading]
            for label in match.labels:
                feats[f"head={label}"] = 1.0
            if len(match.labels) > 1:
                feats["head_ambiguous"] = 1.0
            if match.opens:
                current, since = match.label, 0
        else:
            since += 1
        feats[f"under={current or 'NONE'}"] = 1.0
        feats[f"since={_bin(since, (1, 2, 3, 6, 12))}"] = 1.0
        if current is not None:
            feats[f"under_since={current}:{_bin(since, (1, 3, 8))}"] = 1.0
        out.append(feats)
    return out


def heading_context(doc: DocBlocks) -> list[tuple[tuple[str, ...], int]]:
    """For each block: candidate labels of the heading above it (empty before any) and blocks since it.

    A heading of scope "line" (page furniture) labels itself only: the blocks after
    it stay under the heading before it.
    """
    out: list[tuple[tuple[str, ...], int]] = []
    current: tuple[str, ...] = ()
    since = 0
    row = -1  # line of the last heading, to collect headings run together on one line
    for block in doc.blocks:
        if block.heading >= 0 and doc.headings[block.heading].opens:
            labels = doc.headings[block.heading].labels
            if (
                since == 0 and block.line == row
            ):  # two-column: the text below belongs to one of the boxes
                labels = tuple(dict.fromkeys(current + labels))
            current, since, row = labels, 0, block.line
        else:
            since += 1
        if block.heading >= 0 and not doc.headings[block.heading].opens:
            out.append((doc.headings[block.heading].labels, 0))
        else:
            out.append((current, since))
    return out


def cue_features(
    doc: DocBlocks, matcher: CueMatcher, context: float = 0.0
) -> list[dict[str, float]]:
    """Content cues of each block and, weighted by `context`, of its neighbours.

    Document cues (the genre: a DOF agreement, a circular) are features of every block.
    In a document without section headings (closing formulas such as `Atentamente`,
    labelled `other`, do not count) the cues are all the classifier has besides the
    words, so each cue feature also has a `nohead:` copy the model can weigh apart.
    """
    own = [matcher.features(b.text) for b in doc.blocks]
    genre = matcher.document_features(doc.tm.norm)
    nohead = all(
        set(h.labels) == {"other"} for h in doc.headings
    )  # closings such as `Atentamente` do not count
    out = []
    for i, feats in enumerate(own):
        row = {**genre, **feats}
        if nohead:
            row.update({f"nohead:{k}": v for k, v in feats.items()})
        if context > 0:
            if i > 0:
                row.update({f"prev:{k}": context * v for k, v in own[i - 1].items()})
            if i + 1 < len(own):
                row.update({f"next:{k}": context * v for k, v in own[i + 1].items()})
        out.append(row)
    return out


def block_text(block: Block) -> str:
    """Text a block is vectorized from (folded: accents, case and spacing removed)."""
    return fold(block.text)


# ---------------------------------------------------------------- model


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

        texts = [block_text(b) for d in docs for b in d.blocks]
        x_text = sparse.hstack(
            [self.word_vec.transform(texts), self.char_vec.transform(texts)]
        ).tocsr()
        x_prev, x_next = _shift_rows(x_text, [len(d.blocks) for d in docs])
        w = float(self.params["context_weight"])
        layout = [f for d in docs for f in layout_features(d)]
        rules = [f for d in docs for f in rule_features(d)]
        x_layout = self.layout_vec.transform(layout)
        parts = [x_text, w * x_prev, w * x_next, x_layout]
        if self.cue_vec is not None:
            parts.append(
                float(self.params.get("cue_weight", DEFAULT_PARAMS["cue_weight"]))
                * self.cue_vec.transform(self._cue_features(docs))
            )
        base = sparse.hstack(parts).tocsr()
        full = sparse.hstack([base, self.rule_vec.transform(rules)]).tocsr()
        del np
        return base, full

    def _cue_features(self, docs: Sequence[DocBlocks]) -> list[dict[str, float]]:
        """Cue features of every block of `docs` (see `cue_features`)."""
        from nlp.section_cues import CueMatcher, parse_cue

        matcher = getattr(self, "_cue_matcher", None)
        if matcher is None:
            matcher = CueMatcher(
                [parse_cue(raw, f"section model cue {k}") for k, raw in enumerate(self.cue_rules)]
            )
            self._cue_matcher = matcher
        context = float(self.params.get("cue_context", DEFAULT_PARAMS["cue_context"]))
        return [f for d in docs for f in cue_features(d, matcher, context)]

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
        import numpy as np
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer

        unknown = set(params) - set(DEFAULT_PARAMS)
        if unknown:
            raise ValueError(f"unknown section model parameters: {sorted(unknown)}")
        merged = {**DEFAULT_PARAMS, **params}
        flat = [lab for seq in labels for lab in seq]
        present = [lab for lab in SECTION_LABELS if lab in set(flat)]
        model = cls(params=merged, labels=present)
        texts = [block_text(b) for d in docs for b in d.blocks]
        model.word_vec = TfidfVectorizer(
            analyzer="word",
            ngram_range=tuple(merged["word_ngrams"]),
            min_df=merged["min_df"],
            max_features=merged["max_features"],
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float64,
        )
        model.char_vec = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(merged["char_ngrams"]),
            min_df=merged["min_df"],
            max_features=merged["max_features"],
            sublinear_tf=True,
            dtype=np.float64,
        )
        for vectorizer in (model.word_vec, model.char_vec):
            vectorizer.fit(texts)
            vectorizer.stop_words_ = (
                None  # pruned terms: only needed for introspection, large on disk
            )
        model.layout_vec = DictVectorizer().fit([f for d in docs for f in layout_features(d)])
        model.rule_vec = DictVectorizer().fit([f for d in docs for f in rule_features(d)])
        if float(merged["cue_weight"]) > 0:
            from nlp.section_cues import default_cues

            model.cue_rules = [dict(c.raw) for c in (default_cues() if cues is None else cues)]
            model.cue_vec = DictVectorizer().fit(model._cue_features(docs))
        base, full = model._matrices(docs)
        y = np.array([model.labels.index(lab) for lab in flat])
        sizes = np.array(
            [max(1, sum(not c.isspace() for c in b.text)) for d in docs for b in d.blocks],
            dtype=float,
        )
        weights = sizes ** float(merged["weight_power"])
        weights = weights / weights.mean()
        wanted = (
            (("text", base), ("full", full)) if merged["combine"] == "model" else (("text", base),)
        )
        for name, matrix in wanted:
            est = _make_estimator(merged, seed)
            est.fit(matrix, y, sample_weight=weights)
            model.estimators[name] = est
        model.log_start, model.log_trans = _transitions(
            labels, model.labels, float(merged["transition_alpha"])
        )
        if merged["transition_by_kind"]:
            kinds = [[b.kind for b in d.blocks] for d in docs]
            model.log_trans_by_kind = _kind_transitions(
                labels, kinds, model.labels, float(merged["transition_alpha"])
            )
        return model

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
        probs = _probabilities(self.estimators[name], matrix)
        out, pos = [], 0
        for n in sizes:
            out.append(probs[pos : pos + n])
            pos += n
        return out

    def decode(self, doc: DocBlocks, probs: np.ndarray, mode: str = "combined") -> list[str]:
        """Block labels: Viterbi over probabilities and transitions; headings constrained in combined mode."""
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
            for i, block in enumerate(doc.blocks):
                if block.heading >= 0:
                    allowed = [
                        self.labels.index(lab)
                        for lab in doc.headings[block.heading].labels
                        if lab in self.labels
                    ]
                    if allowed:
                        mask = np.full(len(self.labels), -1e6)
                        mask[allowed] = 0.0
                        emit[i] = emit[i] + mask
        tw = float(self.params["transition_weight"])
        if tw <= 0:
            return [self.labels[k] for k in emit.argmax(axis=1)]
        trans = tw * self.log_trans
        if self.log_trans_by_kind and self.params.get("transition_by_kind"):
            trans = np.stack(
                [tw * self.log_trans_by_kind.get(b.kind, self.log_trans) for b in doc.blocks]
            )
        start = 0.0 * self.log_start if starts_mid_sentence(doc) else tw * self.log_start
        path = viterbi(emit, trans, start)
        return [self.labels[k] for k in path]

    def predict(self, docs: Sequence[DocBlocks], mode: str = "combined") -> list[list[str]]:
        """Block labels of every document (one batched `predict_proba`)."""
        if mode == "rules":
            return [rules_labels(d) for d in docs]
        return [self.decode(d, p, mode) for d, p in zip(docs, self.predict_proba(docs, mode))]

    # -------------------------------------------------------- persistence

    def save(self, path: str | Path) -> None:
        """Write `model.joblib` and `meta.json` (sklearn version, data hash, params, scores)."""
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
        from nlp.records import write_atomic

        tmp = path / f".{MODEL_FILE}.tmp"
        joblib.dump(state, tmp, compress=3)
        os.replace(tmp, path / MODEL_FILE)  # a reader never sees half a model
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


# ---------------------------------------------------------------- helpers


def _make_estimator(params: dict[str, Any], seed: int) -> Any:
    if params["estimator"] == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=float(params["C"]),
            max_iter=3000,
            class_weight=params["class_weight"],
            random_state=seed,
        )
    if params["estimator"] == "svm":
        from sklearn.svm import LinearSVC

        return LinearSVC(
            C=float(params["C"]),
            class_weight=params["class_weight"],
            random_state=seed,
            max_iter=20000,
        )
    raise ValueError(f"unknown estimator {params['estimator']!r}: use logreg or svm")


def _probabilities(estimator: Any, matrix: Any) -> np.ndarray:
    """Class probabilities in label order (softmax of the scores for an SVM)."""
    import numpy as np

    if hasattr(estimator, "predict_proba"):
        raw = estimator.predict_proba(matrix)
    else:
        scores = estimator.decision_function(matrix)
        if scores.ndim == 1:
            scores = np.stack([-scores, scores], axis=1)
        scores = 3.0 * (scores - scores.max(axis=1, keepdims=True))
        raw = np.exp(scores)
        raw /= raw.sum(axis=1, keepdims=True)
    # estimator.classes_ are indices into labels; labels absent from training get 0
    n_labels = int(max(estimator.classes_)) + 1
    out = np.zeros((raw.shape[0], max(n_labels, raw.shape[1])))
    out[:, estimator.classes_] = raw
    return out


def _shift_rows(matrix: Any, sizes: Sequence[int]) -> tuple[Any, Any]:
    """Rows of the previous and next block of the same document (zero rows at the edges)."""
    import numpy as np
    from scipy import sparse

    n = matrix.shape[0]
    prev_idx, next_idx = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    prev_ok, next_ok = np.zeros(n), np.zeros(n)
    pos = 0
    for size in sizes:
        for i in range(size):
            if i > 0:
                prev_idx[pos + i], prev_ok[pos + i] = pos + i - 1, 1.0
            if i + 1 < size:
                next_idx[pos + i], next_ok[pos + i] = pos + i + 1, 1.0
        pos += size
    prev = sparse.diags(prev_ok) @ matrix[prev_idx]
    nxt = sparse.diags(next_ok) @ matrix[next_idx]
    return prev.tocsr(), nxt.tocsr()


def _transitions(
    sequences: Iterable[Sequence[str]], labels: Sequence[str], alpha: float
) -> tuple[Any, Any]:
    """Log start and transition probabilities from gold block label sequences (add-alpha)."""
    import numpy as np

    k = len(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    start = np.full(k, alpha)
    trans = np.full((k, k), alpha)
    for seq in sequences:
        ids = [index[lab] for lab in seq if lab in index]
        if ids:
            start[ids[0]] += 1
        for a, b in zip(ids, ids[1:]):
            trans[a, b] += 1
    return np.log(start / start.sum()), np.log(trans / trans.sum(axis=1, keepdims=True))


def _kind_transitions(
    sequences: Sequence[Sequence[str]],
    kinds: Sequence[Sequence[str]],
    labels: Sequence[str],
    alpha: float,
) -> dict[str, Any]:
    """Log transition matrices by the kind of the block entered: P(stay | kind), else where to.

    The second sentence of a cut paragraph almost never changes section (4 times in
    236 in the gold of 2026-11-25), a paragraph often does, a heading usually does.
    P(next | previous, kind) = stay[kind] on the diagonal and (1 - stay[kind]) times
    the gold's distribution of changes (previous -> a different next) elsewhere.
    """
    import numpy as np

    k = len(labels)
    index = {lab: i for i, lab in enumerate(labels)}
    change = np.full((k, k), alpha)
    np.fill_diagonal(change, 0.0)
    stays: dict[str, list[float]] = {}
    for seq, kind_seq in zip(sequences, kinds):
        ids = [index.get(lab, -1) for lab in seq]
        for i in range(1, len(ids)):
            a, b = ids[i - 1], ids[i]
            if a < 0 or b < 0:
                continue
            counts = stays.setdefault(kind_seq[i], [1.0, 1.0])  # add-one: (stayed, changed)
            if a == b:
                counts[0] += 1
            else:
                counts[1] += 1
                change[a, b] += 1
    change /= change.sum(axis=1, keepdims=True)
    out = {}
    for kind, (stayed, changed) in stays.items():
        stay = stayed / (stayed + changed)
        matrix = (1.0 - stay) * change
        np.fill_diagonal(matrix, stay)
        out[kind] = np.log(matrix)
    return out


def viterbi(emit: np.ndarray, log_trans: np.ndarray, log_start: np.ndarray) -> list[int]:
    """Most likely label path given per-block log scores and log transition scores.

    `log_trans` is one (k, k) matrix, or one per block, (n, k, k), entry i scoring
    the transition into block i.
    """
    import numpy as np

    n, k = emit.shape
    score = log_start + emit[0]
    back = np.zeros((n, k), dtype=int)
    for i in range(1, n):
        cand = score[:, None] + (
            log_trans[i] if log_trans.ndim == 3 else log_trans
        )  # (previous, next)
        back[i] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emit[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def data_hash(records: Iterable[dict[str, Any]]) -> str:
    """sha256 of the gold ids, texts and sections (what a model was trained on)."""
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda r: r["id"]):
        sections = sorted((s["start"], s["end"], s["label"]) for s in record.get("sections", []))
        digest.update(
            json.dumps([record["id"], record["text"], sections], ensure_ascii=False).encode("utf-8")
        )
    return digest.hexdigest()


__all__ = [
    "MODES",
    "DEFAULT_PARAMS",
    "DocBlocks",
    "SectionModel",
    "analyze",
    "block_bounds",
    "data_hash",
    "heading_context",
    "rules_labels",
    "viterbi",
]
