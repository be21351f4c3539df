"""Split a document into blocks: the units that get one section label each.

A block is a heading, a paragraph (consecutive wrapped lines of prose), a list
item, a run of table rows, or a short line. Blocks are found on the normalized
view (`nlp.textmap`) and carry offsets into the ORIGINAL text, so sections built
from them index `doc.text`. Headings (found first, see
`nlp.components.headings`) always get blocks of their own, also when two-column
extraction ran them into the middle of a line, so each heading opens its section
exactly where it starts. Long paragraphs can be cut at sentence ends, so that a
paragraph that turns from one topic to another can change label where it turns.
Pure Python (uses `re` only).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, NamedTuple

from nlp.textmap import TextMap, fold_same_length

if TYPE_CHECKING:  # pragma: no cover
    from nlp.headings import HeadingMatch

#: A line at least this long is wrapped prose: the next text line continues it.
WRAP_MIN = 38
KINDS = ("heading", "paragraph", "item", "table", "line", "sentence")

_ITEM_RE = re.compile(
    r"^\s*(?:[-•·▪◦‣–]|\*(?!\*)|\(?\d{1,2}[.)](?!\d)|\(?[a-zA-Z]\)|[ivxIVX]{1,4}\))\s+"
)
_COLUMNS_RE = re.compile(r"\S(?: {3,}|\t)\S")
# A sentence ends after a lowercase word, a number, `)` or `%` (not after `III.` or dot leaders).
SENTENCE_END_RE = re.compile(r"(?<=[a-záéíóúüñ0-9)%\"][.;])\s+(?=[¿\"(]?[A-ZÁÉÍÓÚÑ])")
# Starts only at the first dot of a run, possessive: linear on long runs of dots (issue 14).
_LEADERS_RE = re.compile(r"(?<!\.)(?<!\.\s)(?:\.\s?){4,}+\s*\d+\s*$")
WORD_RE = re.compile(r"[^\W_]+")
_BULLET_RE = re.compile(r"^\s*(?:[-•·▪◦‣–]|\*(?!\*))\s+")
#: What a line's first non-blank character is when `_BULLET_RE` can match it (`lstrip` drops
#: the same blanks as `\s*`; "" lets a blank line reach the regex, which then fails).
_BULLET_FIRSTS = "-•·▪◦‣–*"
#: `WORD_RE` as a split: the words at the odd positions of the pieces.
_WORD_PIECES_RE = re.compile(r"([^\W_]+)")


class Line(NamedTuple):
    """One line of the normalized text: offsets (end excludes the newline) and folded words.

    A named tuple, not a frozen dataclass: a document has thousands of lines, and a tuple is
    built several times faster (speed, issue 16)."""

    index: int
    start: int
    end: int
    words: tuple[tuple[str, int, int], ...]  # (word, norm start, norm end)
    bullet: bool
    table: bool
    keys: tuple[str, ...]  # the words alone: what heading phrases are looked up by

    @property
    def blank(self) -> bool:
        return not self.words


def split_lines(norm: str, folded: str | None = None) -> list[Line]:
    """Lines of `norm` with their folded words (computed once per document).

    The words of the whole text come from one `re.split` and their offsets from the running
    sum of the pieces' lengths (speed, issue 16: no match object per word); a word never
    holds a line break, so each line takes the words that start before its end."""
    folded = folded if folded is not None else fold_same_length(norm)
    pieces = _WORD_PIECES_RE.split(folded)
    bounds = list(accumulate(map(len, pieces)))  # piece 2k + 1 is word k
    starts = bounds[0::2]
    keys = pieces[1::2]
    words = list(zip(keys, starts, bounds[1::2]))
    out: list[Line] = []
    pos = k = 0
    for index, raw in enumerate(norm.split("\n")):
        end = pos + len(raw)
        j = bisect_left(starts, end, k, len(words))
        bullet = raw.lstrip()[:1] in _BULLET_FIRSTS and bool(_BULLET_RE.match(raw))
        table = "\t" in raw.strip()
        out.append(Line(index, pos, end, tuple(words[k:j]), bullet, table, tuple(keys[k:j])))
        pos, k = end + 1, j
    return out


def line_end_offset(tm: TextMap, norm_index: int) -> int:
    """Original end of the line that ends at `norm_index`, trailing blanks excluded.

    Markers deleted by normalization after the last character (`**`) belong to the
    heading or block that ends the line.
    """
    orig = tm.end(norm_index)
    line_end = tm.original.find("\n", orig)
    line_end = len(tm.original) if line_end < 0 else line_end
    virtual = tm.norm.find("\n", norm_index)  # a line break of `nlp.reflow` ends it sooner
    if virtual >= 0:
        line_end = min(line_end, max(orig, tm.start(virtual)))
    k = line_end
    while k > orig and tm.original[k - 1] in " \t\r":
        k -= 1
    return k


def line_start_offset(tm: TextMap, norm_index: int) -> int:
    """Original offset of the first non-blank character of the line holding `norm_index`.

    Markdown markers deleted by normalization (`**`, `##` is kept) lie before the
    mapped offset; a section that opens a line starts at the line's first character.
    """
    orig = tm.start(norm_index)
    line_begin = tm.original.rfind("\n", 0, orig) + 1
    virtual = tm.norm.rfind("\n", 0, norm_index)  # a line break of `nlp.reflow`
    if virtual >= 0:
        line_begin = max(line_begin, min(orig, tm.end(virtual + 1)))
    k = line_begin
    while k < orig and tm.original[k] in " \t\r":
        k += 1
    return k


@dataclass(frozen=True)
class Block:
    """One unit of a document: original offsets, normalized offsets and text, kind, heading.

    `heading` indexes the document's heading matches (-1 when the block is not a heading).
    """

    start: int
    end: int
    norm_start: int
    norm_end: int
    kind: str
    text: str
    heading: int = -1
    line: int = 0


def _is_table(raw: str) -> bool:
    stripped = raw.strip()
    # each regex only where what it needs is there (speed, issue 16): a column gap of three
    # spaces (a tab returned already), dot leaders ending in a digit
    return (
        "\t" in stripped
        or stripped.startswith("|")
        or ("   " in stripped and len(_COLUMNS_RE.findall(stripped)) >= 2)
        or (stripped[-1:].isdecimal() and bool(_LEADERS_RE.search(stripped)))
    )


class _Builder:
    """Accumulates blocks in normalized offsets while lines are read."""

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self.out: list[tuple[int, int, str, int, int]] = []  # (ns, ne, kind, heading, line)
        self.cur: list | None = None  # [ns, ne, kind, heading, line, last_line_len]

    def close(self) -> None:
        if self.cur is not None:
            ns, ne, kind, heading, line, _ = self.cur
            if ne > ns:
                self.out.append((ns, ne, kind, heading, line))
        self.cur = None

    def open(self, ns: int, ne: int, kind: str, line: int, heading: int = -1) -> None:
        self.close()
        self.cur = [ns, ne, kind, heading, line, ne - ns]

    def extend(self, ne: int, length: int) -> None:
        assert self.cur is not None
        self.cur[1] = ne
        self.cur[5] = length


def _text_bounds(norm: str, line: Line) -> tuple[int, int]:
    raw = norm[line.start : line.end]
    return line.start + len(raw) - len(raw.lstrip()), line.start + len(raw.rstrip())


def split_blocks(
    tm: TextMap,
    headings: Sequence[HeadingMatch] = (),
    lines: Sequence[Line] | None = None,
    max_chars: int | None = None,
) -> list[Block]:
    """Blocks of a document in text order (see the module docstring)."""
    norm = tm.norm
    lines = lines if lines is not None else split_lines(norm)
    by_line: dict[int, list[int]] = {}
    line_of = _line_index(lines)
    for k, h in enumerate(headings):
        by_line.setdefault(line_of(h.start), []).append(k)
    b = _Builder(norm)
    skip_to = -1
    for line in lines:
        if line.index <= skip_to:
            continue
        if line.blank:
            b.close()
            continue
        t0, t1 = _text_bounds(norm, line)
        raw = norm[t0:t1]
        hs = by_line.get(line.index, [])
        if hs:
            first = headings[hs[0]]
            if first.start > t0:  # text run into the line before a heading
                _add_text(b, t0, first.start, raw, line)
            b.close()
            for n, k in enumerate(hs):
                h = headings[k]
                if h.whole_lines:
                    end = h.end
                    skip_to = max(skip_to, line_of(max(h.end - 1, h.start)))
                elif n + 1 < len(hs):
                    end = headings[hs[n + 1]].start
                else:
                    end = t1
                end = max(end, h.end)
                b.open(h.start, _rstrip(norm, h.start, end), "heading", line.index, heading=k)
                if h.whole_lines or n + 1 < len(hs):
                    b.close()
            # a heading with text after its colon may continue on the next lines
            if b.cur is not None and t1 - t0 < WRAP_MIN:
                b.close()
            continue
        _add_text(b, t0, t1, raw, line)
    b.close()
    blocks = [
        _make_block(tm, norm, ns, ne, kind, heading, ln, lines)
        for ns, ne, kind, heading, ln in b.out
    ]
    if max_chars:
        blocks = [piece for block in blocks for piece in _split_sentences(tm, block, max_chars)]
    return blocks


def _add_text(b: _Builder, t0: int, t1: int, raw: str, line: Line) -> None:
    """Append a text line: continue the current block or open a new one."""
    if t1 <= t0:
        return
    table = line.table or _is_table(raw)
    item = not table and bool(_ITEM_RE.match(raw))
    cur = b.cur
    if cur is not None:
        kind, last_len = cur[2], cur[5]
        if table and kind == "table":
            b.extend(t1, t1 - t0)
            return
        # a narrow column wraps short lines: a line that starts in lowercase after one
        # that does not end a sentence continues it
        continues = last_len >= WRAP_MIN or (raw[:1].islower() and b.norm[cur[1] - 1] not in ".:;")
        if not table and not item and continues:
            if kind in ("paragraph", "item") or (kind == "heading" and last_len >= WRAP_MIN):
                b.extend(t1, t1 - t0)
                return
            if kind == "line":
                cur[2] = "paragraph"
                b.extend(t1, t1 - t0)
                return
    kind = (
        "table" if table else "item" if item else ("paragraph" if t1 - t0 >= WRAP_MIN else "line")
    )
    b.open(t0, t1, kind, line.index)


def _rstrip(norm: str, start: int, end: int) -> int:
    return start + len(norm[start:end].rstrip())


def _line_index(lines: Sequence[Line]):
    starts = [ln.start for ln in lines]
    from bisect import bisect_right

    def line_of(pos: int) -> int:
        return max(bisect_right(starts, pos) - 1, 0)

    return line_of


def _make_block(
    tm: TextMap,
    norm: str,
    ns: int,
    ne: int,
    kind: str,
    heading: int,
    line: int,
    lines: Sequence[Line],
) -> Block:
    at_line_start = ns == 0 or not norm[lines[line].start : ns].strip()
    start = line_start_offset(tm, ns) if at_line_start else tm.start(ns)
    nl = norm.find("\n", ne)
    at_line_end = not norm[ne : nl if nl >= 0 else len(norm)].strip()
    end = line_end_offset(tm, ne) if at_line_end else tm.end(ne)
    return Block(start, end, ns, ne, kind, norm[ns:ne], heading, line)


def _split_sentences(tm: TextMap, block: Block, max_chars: int) -> list[Block]:
    """Cut a long paragraph at sentence ends into pieces of about `max_chars` or less.

    A heading run into its text (`Equipo evaluador: … Este documento presenta …`, a line
    re-wrapped or flattened) is cut the same way: the heading keeps the first piece, the
    rest reads as the sentences they are, not as one heading block the rules would pin."""
    if block.kind not in ("paragraph", "heading") or len(block.text) <= max_chars:
        return [block]
    cuts = [m.end() for m in SENTENCE_END_RE.finditer(block.text)]
    pieces: list[tuple[int, int]] = []
    begin = 0
    for cut in cuts:
        if cut - begin >= max_chars // 3 and len(block.text) - cut >= max_chars // 3:
            pieces.append((begin, cut))
            begin = cut
    pieces.append((begin, len(block.text)))
    if len(pieces) == 1:
        return [block]
    out = []
    for a, z in pieces:
        ns, ne = block.norm_start + a, block.norm_start + len(block.text[:z].rstrip())
        start = block.start if a == 0 else tm.start(ns)
        out.append(
            Block(
                start,
                tm.end(ne),
                ns,
                ne,
                "sentence" if a else block.kind,
                block.text[a:z].rstrip(),
                -1 if a else block.heading,
                block.line,
            )
        )
    return out
