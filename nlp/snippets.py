"""Snippets: a one-line window of a section around the first hit, hits marked.

Hits are the query's phrases found again in the section text, accent-free or by stem,
so the window shows what matched even when FTS5 matched a word form.
"""

from __future__ import annotations

from functools import lru_cache

from nlp.index_schema import WORD_RE, stems
from nlp.textmap import fold

SNIPPET_WIDTH = 80
MARKS = ("[", "]")


def phrase_hits(
    text: str, phrases: list[list[str]], stemmer: str | None = None
) -> list[tuple[int, int]]:
    """Offsets in `text` of each query phrase (its words in a row, accent-free or by stem).

    Sorted by position; the longest phrase's first hit comes first so the snippet
    window shows it. One-word phrases of under three letters ("de", "la") are not
    marked: they would light up every line.
    """
    if not phrases:
        return []
    tokens = [(m.span(), _fold_word(m.group())) for m in WORD_RE.finditer(text)]
    # each distinct word is folded and stemmed once, and tested once against each phrase word
    unique = list(dict.fromkeys(t[1] for t in tokens))
    stem_of = dict(zip(unique, stems(unique, stemmer), strict=True)) if stemmer else {}
    found: dict[int, list[tuple[int, int]]] = {}
    for index, phrase in enumerate(phrases):
        if len(phrase) == 1 and len(phrase[0]) < 3 and len(phrases) > 1:
            continue
        want = stems(phrase, stemmer) if stemmer else None
        ok = [
            {w for w in unique if w == word or (want and stem_of[w] == want[k])}
            for k, word in enumerate(phrase)
        ]
        n = len(phrase)
        for i in range(len(tokens) - n + 1):
            if tokens[i][1] in ok[0] and all(tokens[i + k][1] in ok[k] for k in range(1, n)):
                found.setdefault(index, []).append((tokens[i][0][0], tokens[i + n - 1][0][1]))
    spans = sorted({span for hits in found.values() for span in hits})
    if not spans:
        return []
    longest = max(found, key=lambda i: sum(map(len, phrases[i])))
    anchor = found[longest][0]
    return [anchor] + [span for span in spans if span != anchor]


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    """`fold` of one word, memoized: a page's sections repeat the same few thousand words."""
    return fold(word)


def snippet(
    text: str,
    hits: list[tuple[int, int]],
    marks: tuple[str, str] = MARKS,
    width: int = SNIPPET_WIDTH,
) -> str:
    """A one-line window of `text` around `hits[0]`, every hit inside it wrapped in `marks`."""
    if hits:
        first_start, first_end = hits[0]
        lo, hi = max(0, first_start - width), min(len(text), first_end + width)
    else:
        lo, hi = 0, min(len(text), 2 * width)
    floor, cap = max(0, lo - 20), min(len(text), hi + 20)  # widen to whole words
    while lo > floor and not text[lo - 1].isspace():
        lo -= 1
    while hi < cap and not text[hi].isspace():
        hi += 1
    parts, pos = [], lo
    for start, end in sorted(hits):
        if start >= pos and end <= hi:
            parts += [text[pos:start], marks[0], text[start:end], marks[1]]
            pos = end
    parts.append(text[pos:hi])
    body = " ".join("".join(parts).split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")
