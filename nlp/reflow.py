"""Virtual line breaks: give run-on text the lines that segmentation works on.

Text copied from PDF viewers and web pages often arrives without its line breaks (a
whole ficha as one paragraph, `… 2. Fortalezas: El programa …`), or with a blank line
after every wrapped line. Headings, list items and paragraphs are found line by line
(`nlp.blocks`, `nlp.components.headings`), so this module rewrites the normalized view
with *same-length* edits only: a space becomes a line break where a heading phrase
starts (or ends) inside a prose line, or where a numbered item starts after a sentence
end; a line break that cuts a sentence across a blank line becomes a space. The
original text and the offset map are untouched (`TextMap.norm` changes, its segments do
not), so every span still indexes the original text.

A heading phrase inside a line becomes a line of its own only where a heading can
stand: it is capitalized, and it begins the line, follows a sentence end, a colon, a
closing bracket, another heading, an item number or a title in capitals, or is written
in capitals.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from itertools import accumulate

from nlp.blocks import SENTENCE_END_RE
from nlp.textmap import TextMap, fold_same_length, with_breaks

#: Lines shorter than this are left as they are: a paragraph written on one line, with
#: its numbered items run together, is how clean documents are written too (breaking
#: those lowered cross-validated section F1 on annotations/ from 0.921 to 0.911).
RUNON_MIN = 400
#: A blank line after a line at least this long that stops mid-sentence is a wrapped line.
WRAPPED_LINE_MIN = 38
#: Longest heading phrase looked for, in words.
MAX_PHRASE_WORDS = 20

_WORD_RE = re.compile(r"[^\W_]+")
_WORD_PIECES_RE = re.compile(r"([^\W_]+)")  # `_WORD_RE` as a split: words at odd positions
# What may stand right before a heading inside a line (after trailing spaces are removed).
_BOUNDARY_BEFORE_RE = re.compile(r"(?:[.:;?!)\]|\"]|^)$")
# The end of a title in capitals right before a heading: `… FEDERATIVA Y MUNICIPIO Cobertura`.
_CAPS_TITLE_BEFORE_RE = re.compile(r"(?:^|\s)[A-ZÁÉÍÓÚÑÜ]+[ ,]+[A-ZÁÉÍÓÚÑÜ]{3,}$")
# Blanks and markdown between a heading and what precedes it.
_DECOR_TAIL_RE = re.compile(r"[\s¿*#>]*$")
# An item number right before a heading: `2.`, `II.`, `a)`, `3)`.
_ENUM_BEFORE_RE = re.compile(r"(?:^|(?<=\s))(?:\d{1,2}(?:\.\d{1,2})*|[IVXivx]{1,4}|[a-z])[.)]\s*$")
# A numbered item that starts after a sentence end: `… metas. 2. El programa …`.
_ITEM_START_RE = re.compile(
    r"(?<=[.;:])[ \t]+(?=(?:\d{1,2}|[IVX]{1,4}|[a-z])[.)][ \t]+[¿\"(]?[A-ZÁÉÍÓÚÑ])"
)
# A line cut mid-sentence, a blank line, and its continuation in lowercase.
_SPLIT_PARAGRAPH_RE = re.compile(
    rf"(?m)^([^\n]{{{WRAPPED_LINE_MIN},}}?[^\s.:;?!])[ \t]*\n[ \t]*\n(?=[ \t]*[a-záéíóúñü(])"
)
# What every such match holds, found in one quick scan: most texts have none (speed, issue 16).
_BLANK_THEN_LOWER_RE = re.compile(r"\n[ \t]*\n(?=[ \t]*[a-záéíóúñü(])")


def reflow(tm: TextMap, phrases: Collection[tuple[str, ...]]) -> TextMap:
    """`tm` with virtual line breaks in its normalized view (same length, same map)."""
    norm = _join_split_paragraphs(tm.norm)
    folded = ""  # folded only when a line is long enough to be run-on (most texts: none)
    cuts: list[int] = []
    pos = 0
    for line in norm.split("\n"):
        end = pos + len(line)
        if len(line) >= RUNON_MIN and len(line.strip()) >= RUNON_MIN:
            folded = folded or fold_same_length(norm)
            cuts += _line_breaks(norm, folded, pos, end, _by_first_of(phrases))
        pos = end + 1
    new_norm = with_breaks(norm, cuts)
    if new_norm == tm.norm:
        return tm
    return dataclasses.replace(tm, norm=new_norm)


#: First word -> (phrase length, the phrases of that length), longest first.
_ByFirst = dict[str, list[tuple[int, frozenset[tuple[str, ...]]]]]


@lru_cache(maxsize=8)
def _by_first(phrases: tuple[tuple[str, ...], ...]) -> _ByFirst:
    """Phrases by first word and length, longest first: built once per phrase list, not per
    document (speed, issue 16: sorting ~2,000 phrases was ~2% of the pipeline). Read only."""
    grouped: dict[str, dict[int, set[tuple[str, ...]]]] = {}
    for phrase in phrases:
        if phrase and len(phrase) <= MAX_PHRASE_WORDS:
            grouped.setdefault(phrase[0], {}).setdefault(len(phrase), set()).add(phrase)
    return {
        first: [(n, frozenset(by_length[n])) for n in sorted(by_length, reverse=True)]
        for first, by_length in grouped.items()
    }


#: id(phrases) -> (phrases, their `_by_first`): a matcher passes the same tuple every time,
#: and hashing ~2,000 phrases for `lru_cache` on every run-on line cost more than the line.
_BY_FIRST_OF: dict[int, tuple[Collection[tuple[str, ...]], _ByFirst]] = {}


def _by_first_of(phrases: Collection[tuple[str, ...]]) -> _ByFirst:
    """`_by_first` of `phrases`, found by the object's identity when it was seen before."""
    seen = _BY_FIRST_OF.get(id(phrases))
    if seen is not None and seen[0] is phrases:
        return seen[1]
    if len(_BY_FIRST_OF) >= 8:
        _BY_FIRST_OF.clear()
    found = _by_first(tuple(phrases))
    _BY_FIRST_OF[id(phrases)] = (phrases, found)  # holding `phrases` keeps its id unique
    return found


def _join_split_paragraphs(norm: str) -> str:
    """`sentence cut\\n\\ncontinued` → `sentence cut \\ncontinued` (one blank line removed)."""

    if not _BLANK_THEN_LOWER_RE.search(norm):
        return norm

    def join(m: re.Match[str]) -> str:
        return m.group(1) + m.group()[len(m.group(1)) :].replace("\n", " ", 1)

    return _SPLIT_PARAGRAPH_RE.sub(join, norm)


def _line_breaks(norm: str, folded: str, start: int, end: int, by_first: _ByFirst) -> list[int]:
    """Positions (spaces) of one prose line that become line breaks."""
    # the words from one split and their offsets from a running sum (speed, issue 16)
    pieces = _WORD_PIECES_RE.split(folded[start:end])
    bounds = list(accumulate(map(len, pieces), initial=start))  # piece k spans k..k+1
    keys = pieces[1::2]
    words = list(zip(keys, bounds[1::2], bounds[2::2]))
    cuts = [m.start() for m in _ITEM_START_RE.finditer(norm, start, end)]
    # every sentence its own line: a run-on line is not one table or one paragraph
    cuts += [
        m.start()
        for m in SENTENCE_END_RE.finditer(norm, start, end)
        if not _ENUM_BEFORE_RE.search(norm[max(start, m.start() - 6) : m.start()])
    ]
    previous_heading_end = -1
    free = 0  # the first word not inside a heading found before
    for i in [k for k, key in enumerate(keys) if key in by_first]:  # words a phrase starts with
        if i < free:
            continue
        n = _phrase_at(keys, i, by_first)
        if n and _can_head(norm, start, words, i, n, previous_heading_end):
            head_start, head_end = words[i][1], words[i + n - 1][2]
            cuts.append(_break_before(norm, start, head_start))
            cuts.append(_break_after(norm, head_end, end))
            previous_heading_end = head_end
            free = i + n
    return sorted({c for c in cuts if start < c < end and norm[c] == " "})


def _phrase_at(keys: Sequence[str], i: int, by_first: _ByFirst) -> int:
    """Number of words of the longest heading phrase starting at word `i` (0 if none)."""
    for n, phrases in by_first.get(keys[i], ()):
        if i + n <= len(keys) and tuple(keys[i : i + n]) in phrases:
            return n
    return 0


def _can_head(
    norm: str,
    line_start: int,
    words: Sequence[tuple[str, int, int]],
    i: int,
    n: int,
    previous_heading_end: int,
) -> bool:
    """A capitalized phrase where a heading can stand (see the module docstring)."""
    first = norm[words[i][1]]
    if not first.isupper():
        return False
    head = norm[words[i][1] : words[i + n - 1][2]]
    letters = [c for c in head if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    seg = norm[line_start : words[i][1]]
    tail = _DECOR_TAIL_RE.search(seg)
    if "  " in tail.group():  # a lost line break often leaves a run of spaces
        return _not_running_on(norm, words[i + n - 1][2])
    if "\t" in tail.group():
        return False  # a table cell, not a heading
    before = seg[: tail.start()]
    if previous_heading_end >= 0 and not norm[previous_heading_end : words[i][1]].strip(" \t*:"):
        return True
    if _ENUM_BEFORE_RE.search(before):
        before = _ENUM_BEFORE_RE.sub("", before).rstrip()
    if not (_BOUNDARY_BEFORE_RE.search(before) or _CAPS_TITLE_BEFORE_RE.search(before)):
        return False
    return _not_running_on(norm, words[i + n - 1][2])


def _not_running_on(norm: str, head_end: int) -> bool:
    """A phrase that runs on in lowercase is the subject of a sentence, not a heading."""
    nxt = norm[head_end : head_end + 3].lstrip(" \t*")
    return not nxt[:1].islower()


def _break_before(norm: str, line_start: int, head_start: int) -> int:
    """The space where the heading's line starts (before its item number, if any)."""
    before = norm[line_start:head_start]
    enum = _ENUM_BEFORE_RE.search(before.rstrip(" \t¿*#") + " ")
    k = line_start + enum.start() if enum else head_start
    while (
        k > line_start + 1
        and norm[k - 1] in "¿*#> "
        and not (norm[k - 1] == " " and norm[k - 2] not in "¿*#>")
    ):
        k -= 1  # markdown before the heading (`## `, `**`) goes with it
    return k - 1


def _break_after(norm: str, head_end: int, line_end: int) -> int:
    """The space where the heading's line ends: after its colon or `?`, or right after it."""
    k = head_end
    while k < line_end and norm[k] in "*:?)":
        k += 1
    nxt = norm[k:line_end].lstrip(" \t")
    if not nxt.strip(" \t*:?)"):
        return -1  # only decoration (`Presupuesto Ejercido *`) follows: it stays with the heading
    if nxt[:1].islower():
        return -1  # `Resultados: los indicadores…` keeps its text on the heading's line
    return k
