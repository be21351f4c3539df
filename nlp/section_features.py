"""What the section classifier sees of a document: its blocks, and each block's features.

`analyze` is the one analysis shared by training and prediction: the normalized view
with virtual line breaks for run-on text (`nlp.reflow`), the heading matches and the
blocks (`nlp.blocks`). The feature functions describe each block by its layout, what
the heading rules say about it, and the content cues it holds (`nlp.section_cues`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nlp.blocks import SENTENCE_END_RE, Block, split_blocks, split_lines
from nlp.reflow import reflow
from nlp.textmap import TextMap, fold, fold_many, fold_same_length, normalize

if TYPE_CHECKING:  # pragma: no cover
    from nlp.headings import HeadingMatch, HeadingMatcher
    from nlp.section_cues import CueMatcher

OTHER = "other"
#: Long paragraphs are cut at sentence ends into pieces of about this many characters.
DEFAULT_MAX_CHARS = 300


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
    max_chars: int | None = DEFAULT_MAX_CHARS,
) -> DocBlocks:
    """Headings and blocks of a text (the same analysis for training and prediction)."""
    tm = reflow(tm if tm is not None else normalize(text), matcher.phrases)
    folded = fold_same_length(tm.norm)  # once, for the lines and the headings
    lines = split_lines(tm.norm, folded)
    headings = matcher.find(tm.norm, lines, folded)
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


def _reads_as_prose(text: str) -> bool:
    """Long and made of sentences: a paragraph, not a title wrapped over several lines."""
    return len(text) >= PROSE_MIN and (text.endswith(".") or bool(SENTENCE_END_RE.search(text)))


def without_front_matter(doc: DocBlocks) -> bool:
    """No front matter: an excerpt cut inside a sentence (`de Egresos de la Federación…`),
    or a text whose first block is already prose (a press body, a copied paragraph)."""
    head = doc.tm.norm.lstrip(" \t\n*#>-•")
    if head and (head[0].islower() or head[0] in ",;:)"):
        return True
    return bool(doc.blocks) and _reads_as_prose(doc.blocks[0].text.strip())


def without_back_matter(doc: DocBlocks) -> bool:
    """No back matter: the text ends inside a sentence or with a paragraph of prose (an
    excerpt), not with signatures, contact data or a colophon."""
    last = doc.blocks[-1].text.strip() if doc.blocks else ""
    cut = last[-1:].isalnum() and not last[-1:].isupper()
    return (cut and len(last) >= PROSE_MIN) or _reads_as_prose(last)


#: ASCII bytes that are not letters, not uppercase, not digits (`bytes.translate` deletes them).
_NOT_ALPHA = bytes(b for b in range(128) if not chr(b).isalpha())
_NOT_UPPER = bytes(b for b in range(128) if not chr(b).isupper())
_NOT_DIGIT = bytes(b for b in range(128) if not chr(b).isdigit())
_NON_ASCII_RE = re.compile(r"[^\x00-\x7f]")


def char_counts(text: str) -> tuple[int, int, int]:
    """Letters, uppercase letters and digits of `text` (`str.isalpha`, `isupper`, `isdigit`):
    the ASCII part counted by `bytes.translate`, only the few other characters one by one
    (speed, issue 16: three calls per character were most of the layout features)."""
    ascii_part = text.encode("ascii", "ignore")
    letters = len(ascii_part.translate(None, _NOT_ALPHA))
    upper = len(ascii_part.translate(None, _NOT_UPPER))
    digits = len(ascii_part.translate(None, _NOT_DIGIT))
    if len(ascii_part) != len(text):
        for char in _NON_ASCII_RE.findall(text):
            if char.isalpha():
                letters += 1
                upper += char.isupper()
            elif char.isdigit():
                digits += 1
    return letters, upper, digits


def layout_features(doc: DocBlocks) -> list[dict[str, float]]:
    """Layout of each block and its neighbours (no rule output).

    Where the text has no front matter (it starts mid-sentence, or with a paragraph of
    prose), the position from the start says nothing, so those features are left out.
    """
    n = len(doc.blocks)
    excerpt = without_front_matter(doc)
    cut_end = without_back_matter(doc)
    out = []
    for i, block in enumerate(doc.blocks):
        text = block.text.strip()
        letters, upper, digits = char_counts(text)
        feats = {
            f"kind={block.kind}": 1.0,
            f"len={_bin(len(text), (20, 60, 150, 400, 1000))}": 1.0,
        }
        if not cut_end:
            feats[f"ridx={min(n - 1 - i, 4)}"] = 1.0
        if not excerpt:
            # the first blocks are front matter when short; long prose there is content
            shape = "prose" if len(text) >= PROSE_MIN else "short"
            feats[f"pos={min(int(10 * i / max(n, 1)), 9)}"] = 1.0
            feats[f"idx={min(i, 4)}:{shape}"] = 1.0
        if letters and upper / letters > 0.8 and letters > 3:
            feats["caps"] = 1.0
        if len(text) < 90 and not text.endswith((".", ";", ",")):
            feats["titlelike"] = 1.0
        if text.endswith(":"):
            feats["colon_end"] = 1.0
        feats[f"digits={_bin(digits / max(len(text), 1), (0.01, 0.1, 0.3))}"] = 1.0
        if i or not excerpt:
            feats[f"prev_kind={doc.blocks[i - 1].kind if i else 'START'}"] = 1.0
        if i + 1 < n or not cut_end:
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
    """For each block: candidate labels of the heading above it (empty before any) and the
    number of blocks since it.

    A heading of scope "line" (page furniture) labels itself only: the blocks after
    it stay under the heading before it. A heading with a `reach` (an executive summary
    mixes every topic) is a candidate for that many blocks after it only.
    """
    out: list[tuple[tuple[str, ...], int]] = []
    current: tuple[str, ...] = ()
    since, reach = 0, None
    row = -1  # line of the last heading, to collect headings run together on one line
    for block in doc.blocks:
        if block.heading >= 0 and doc.headings[block.heading].opens:
            labels = doc.headings[block.heading].labels
            if (
                since == 0 and block.line == row
            ):  # two-column: the text below belongs to one of the boxes
                labels = tuple(dict.fromkeys(current + labels))
            current, since, row = labels, 0, block.line
            reach = doc.headings[block.heading].reach
        else:
            since += 1
        if block.heading >= 0 and not doc.headings[block.heading].opens:
            out.append((doc.headings[block.heading].labels, 0))
        elif reach is not None and since > reach:
            out.append(((), since))  # past its reach the heading says nothing: content decides
        else:
            out.append((current, since))
    return out


def cue_features(
    doc: DocBlocks,
    matcher: CueMatcher,
    context: float = 0.0,
    folded: Sequence[str] | None = None,
) -> list[dict[str, float]]:
    """Content cues of each block and, weighted by `context`, of its neighbours.

    Document cues (the genre: a DOF agreement, a circular) are features of every block.
    In a document without section headings (closing formulas such as `Atentamente`,
    labelled `other`, do not count) the cues are all the classifier has besides the
    words, so each cue feature also has a `nohead:` copy the model can weigh apart.
    """
    if folded is None:  # the blocks' `block_text`, when the caller has them (speed, issue 16)
        folded = block_texts([doc])
    own = [matcher.features(b.text, folded=f) for b, f in zip(doc.blocks, folded)]
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


def block_texts(docs: Sequence[DocBlocks]) -> list[str]:
    """`block_text` of every block of `docs`, folded in one call (`fold_many`)."""
    return fold_many([b.text for d in docs for b in d.blocks])


# ---------------------------------------------------------------- model
