"""The section classifier's character n-gram TF-IDF, computed word by word with a memo.

scikit-learn's `char_wb` analyzer cuts every block into n-grams, one Python string and
one vocabulary lookup per n-gram: about a tenth of the `--base blank` pipeline. Its
n-grams never cross a word (each word is padded with spaces), so a word's in-vocabulary
n-grams are the same wherever it occurs: `char_wb_tfidf` looks them up once per distinct
word and sums them per block, then builds the count matrix exactly as scikit-learn does
(same indices, same counts, same dtype) and applies the vectorizer's own TF-IDF, so the
features, and the predictions, are the same numbers. A vectorizer with other settings
goes through scikit-learn unchanged. scikit-learn is imported inside the functions, like
`nlp.section_model` does, so the components stay cheap to import.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from itertools import chain, repeat
from typing import Any

#: Distinct words whose n-grams are kept between calls (~10 MB at most).
MEMO_WORDS = 50_000

#: vectorizer -> (its vocabulary, word -> indices); kept outside it, so a saved model never
#: carries the memo.
_MEMOS: weakref.WeakKeyDictionary[Any, tuple[Any, dict[str, bytes]]] = weakref.WeakKeyDictionary()


def tfidf_transform(vectorizer: Any, texts: Sequence[str]) -> Any:
    """`vectorizer.transform(texts)`, faster for a plain `char_wb` TfidfVectorizer."""
    if not _plain_char_wb(vectorizer):
        return vectorizer.transform(texts)
    try:
        from sklearn.utils._sparse import _align_api_if_sparse
    except ImportError:  # another scikit-learn: its own path
        return vectorizer.transform(texts)
    counts = _align_api_if_sparse(_count_matrix(vectorizer, texts))
    return vectorizer._tfidf.transform(counts, copy=False)


def _plain_char_wb(vectorizer: Any) -> bool:
    """A fitted TfidfVectorizer whose analyzer is scikit-learn's own `char_wb` on lowercase text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (
        type(vectorizer) is TfidfVectorizer
        and vectorizer.analyzer == "char_wb"
        and vectorizer.input == "content"
        and vectorizer.lowercase
        and vectorizer.preprocessor is None
        and vectorizer.strip_accents is None
        and not vectorizer.binary
        and hasattr(vectorizer, "vocabulary_")
        and hasattr(vectorizer, "_tfidf")
    )


def _count_matrix(vectorizer: Any, texts: Sequence[str]) -> Any:
    """The counts of `CountVectorizer._count_vocab(texts, fixed_vocab=True)`."""
    import numpy as np
    import scipy.sparse as sp

    vocabulary = vectorizer.vocabulary_
    j_indices, values, indptr = char_wb_counts(
        texts, vocabulary, vectorizer.ngram_range, _memo(vectorizer)
    )
    dtype = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_array(
        (
            np.asarray(values, dtype=np.intc),
            np.asarray(j_indices, dtype=dtype),
            np.asarray(indptr, dtype=dtype),
        ),
        shape=(len(indptr) - 1, len(vocabulary)),
        dtype=vectorizer.dtype,
    )
    matrix.sort_indices()
    return matrix


def char_wb_counts(
    texts: Sequence[str],
    vocabulary: dict[str, int],
    ngram_range: tuple[int, int],
    memo: dict[str, bytes],
) -> tuple[Any, Any, Any]:
    """CSR parts (column indices, counts, row pointers) of the `char_wb` n-gram counts of
    `texts`, rows in text order and columns sorted; `memo` keeps each distinct word's indices
    as the bytes of an int64 array, so a batch's are joined in one call (shared by the
    scikit-learn path and `nlp.section_arrays`).

    The words of all texts are looked up at once and the (row, column) pairs counted with
    one numpy sort (speed, issue 16: no Counter per text). `str.split()` cuts at the same
    whitespace as scikit-learn's `_white_spaces` (both `Py_UNICODE_ISSPACE`), so its
    substitution before the split changes nothing and is left out.
    """
    import numpy as np

    min_n, max_n = ngram_range
    words = [text.lower().split() for text in texts]
    flat = list(chain.from_iterable(words))
    found = list(map(memo.get, flat))
    if None in found:
        missing = list(dict.fromkeys(w for w, f in zip(flat, found) if f is None))
        new = dict(zip(missing, _words_ngrams(missing, min_n, max_n, vocabulary)))
        found = [new[w] if f is None else f for w, f in zip(flat, found)]
        for word in missing[: max(0, MEMO_WORDS - len(memo))]:
            memo[word] = new[word]
    per_word = count_lengths(found) // 8  # int64: 8 bytes an index
    cols = np.frombuffer(b"".join(found), dtype=np.int64)
    rows = np.repeat(np.repeat(np.arange(len(texts)), count_lengths(words)), per_word)
    return count_pairs(rows, cols, len(texts), len(vocabulary))


def count_lengths(items: Sequence[Sequence[Any]]) -> Any:
    """`len` of every item, as an int64 array."""
    import numpy as np

    return np.fromiter(map(len, items), dtype=np.int64, count=len(items))


def count_pairs(rows: Any, cols: Any, n_rows: int, width: int) -> tuple[Any, Any, Any]:
    """How often each (row, column) pair occurs: CSR (columns, counts, row pointers), columns
    sorted within each row (the order scikit-learn's `sort_indices` gives)."""
    import numpy as np

    key, counts = np.unique(rows * width + cols, return_counts=True)
    row = key // width
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])
    return key - row * width, counts, indptr


def _words_ngrams(
    words: Sequence[str], min_n: int, max_n: int, vocabulary: dict[str, int]
) -> list[bytes]:
    """Vocabulary indices (int64 bytes) of the n-grams of each space-padded word, as
    `_char_wb_ngrams` cuts them (a word shorter than `n` gives itself once): the n-grams of
    all words looked up in one pass (speed, issue 16: a new word cost ~6 µs one by one)."""
    import numpy as np

    grams: list[str] = []
    per_word: list[int] = []
    for word in words:
        padded = " " + word + " "
        size = len(padded)
        before = len(grams)
        for n in range(min_n, max_n + 1):
            if size <= n:
                grams.append(padded)
                break
            grams += [padded[offset : offset + n] for offset in range(size - n + 1)]
        per_word.append(len(grams) - before)
    ids = np.fromiter(map(vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
    known = ids >= 0
    word_of = np.repeat(np.arange(len(words)), per_word)[known]
    ends = np.cumsum(np.bincount(word_of, minlength=len(words))) * 8
    data = ids[known].tobytes()
    return [data[a:b] for a, b in zip([0, *ends[:-1].tolist()], ends.tolist())]


def _memo(vectorizer: Any) -> dict[str, bytes]:
    """The word memo of this vectorizer (its vocabulary is fixed once fitted)."""
    memo = _MEMOS.get(vectorizer)
    if memo is None or memo[0] is not vectorizer.vocabulary_:
        memo = _MEMOS[vectorizer] = (vectorizer.vocabulary_, {})
    return memo[1]
