"""From features to a label sequence: the estimator, calibrated probabilities, the
neighbours' feature rows, transition matrices learned from the gold, and Viterbi decoding.

numpy and scipy are imported inside the functions (heavy; the component that uses this
module must stay cheap to import).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from nlp.blocks import Block
    from nlp.section_features import DocBlocks


def probabilities(estimator: Any, matrix: Any) -> np.ndarray:
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


def shift_rows(matrix: Any, sizes: Sequence[int]) -> tuple[Any, Any]:
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


def transitions(
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


def kind_transitions(
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


def constrain_to_headings(emit: np.ndarray, doc: DocBlocks, labels: Sequence[str]) -> None:
    """A heading block can only take one of its rule's labels (in place: -1e6 elsewhere)."""
    import numpy as np

    for i, block in enumerate(doc.blocks):
        if block.heading < 0:
            continue
        allowed = [labels.index(lab) for lab in doc.headings[block.heading].labels if lab in labels]
        if allowed:
            mask = np.full(len(labels), -1e6)
            mask[allowed] = 0.0
            emit[i] = emit[i] + mask


def list_stays(trans: np.ndarray, blocks: Sequence[Block], bonus: float) -> np.ndarray:
    """Transitions with `bonus` added to staying in the section for the items of a list that
    a block ending in a colon opens (`… se distribuye como sigue:` then `• …`): a lead-in
    and its list are one passage, whatever each short item's words say on their own."""
    import numpy as np

    n = len(blocks)
    if bonus <= 0 or n < 2:
        return trans
    out = np.array(trans if trans.ndim == 3 else np.broadcast_to(trans, (n, *trans.shape)))
    in_list = False
    for i in range(1, n):
        previous, block = blocks[i - 1], blocks[i]
        opens = previous.text.rstrip().endswith(":")
        in_list = block.kind == "item" and (opens or (in_list and previous.kind == "item"))
        if in_list:
            out[i] = out[i] + bonus * np.eye(out.shape[1])
    return out


def viterbi(emit: np.ndarray, log_trans: np.ndarray, log_start: np.ndarray) -> list[int]:
    """Most likely label path given per-block log scores and log transition scores.

    `log_trans` is one (k, k) matrix, or one per block, (n, k, k), entry i scoring
    the transition into block i.
    """
    import numpy as np

    n, k = emit.shape
    score = log_start + emit[0]
    back = np.zeros((n, k), dtype=np.intp)
    per_block = log_trans.ndim == 3
    largest = np.maximum.reduce  # `ndarray.max` without its Python wrapper (speed, issue 16)
    for i in range(1, n):
        cand = score[:, None] + (log_trans[i] if per_block else log_trans)  # (previous, next)
        cand.argmax(axis=0, out=back[i])
        score = largest(cand, axis=0) + emit[i]
    path = [int(score.argmax())]
    for i in range(n - 1, 0, -1):
        path.append(int(back[i, path[-1]]))
    return path[::-1]


def make_estimator(params: dict[str, Any], seed: int) -> Any:
    """The configured scikit-learn estimator (imported here: heavy)."""
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
