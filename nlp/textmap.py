"""Text normalization for matching, with a map back to the original offsets.

Rules match on a cleaned view of the text (no markdown emphasis, letter-spaced
words joined, line-end hyphenation undone, NBSP and curly quotes and ligatures
replaced), but every span must be reported on the original text. `normalize`
returns both the view and a `TextMap` that maps offsets back. Pure Python, no spaCy.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import regex

# Single characters replaced by one or more characters (length may change).
_CHAR_MAP: dict[str, str] = {
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\ufeff": "",  # BOM / zero-width no-break space
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2212": "-",  # minus sign
    "\u2010": "-",
    "\u2011": "-",
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
}

#: Every edit but the decomposed accents, in one scan. Each alternative tests its first
#: character before any lookbehind (`-(?<=\d-)` rather than `(?<=\d)-`): the same matches,
#: but most positions fail at once instead of running a lookbehind.
_EDIT_RE = regex.compile(
    r"""
    (?P<emph>\*\*+|__(?=\w)|(?<=\w)__)             # markdown bold markers
  | (?P<esc>\\(?=[*_#\[\]]))                        # markdown escapes: \*
  | (?P<hyph>-(?<=\d-)[ \t]*\r?\n[ \t]*(?=\d))       # 2019-\n2024 -> 2019-2024
  | (?P<wordhyph>-(?<=\p{Ll}-)[ \t]*\r?\n[ \t]*(?=\p{Ll}))  # contin-\nuar -> continuar
  | (?P<char>[\u00a0\u202f\u2007\u2009\u00ad\u200b\ufeff]      # spaces, soft hyphen, BOM
      | [\u201c\u201d\u201e\u00ab\u00bb\u2018\u2019]            # curly quotes
      | [\u2013\u2014\u2212\u2010\u2011\ufb00-\ufb04])          # dashes, ligatures
    """,
    regex.VERBOSE,
)
#: `R ural`: no Spanish word is one consonant. A scan of its own: in `_EDIT_RE` its space
#: made the engine try every alternative at every space (speed, issue 16: 17 -> 10 ms on 98
#: texts). No other edit holds such a space (they take `*`, `_`, `\\`, `-`, line ends and
#: the spaces around them, and special characters), so the two scans give the same edits.
_BROKEN_RE = regex.compile(
    r" (?<=(?<![\p{L}\p{N}])[B-DF-HJ-NP-TV-XZb-df-hj-np-tv-xzÑñ] )(?=\p{Ll}{2})"
)
#: Decomposed accents (a letter and its combining marks) -> composed. Found from the marks,
#: which are rare, instead of testing every letter; a ligature takes no marks (it is an edit
#: of `_EDIT_RE`), and no other edit starts at a letter or a mark, so none overlaps these.
_MARKS_RE = regex.compile(r"\p{M}+")
_COMB_RE = regex.compile(r"(?![\ufb00-\ufb04])\p{L}\p{M}+")

# A line of letter-spaced text: at least five one-letter "words" separated by single spaces.
_SPACED_LINE_RE = regex.compile(r"(?m)^.*(?:(?<![\p{L}\p{N}])[\p{L}\p{N}] ){4,}.*$")
_SPACE_RUN_RE = regex.compile(r" +")
#: What every letter-spaced line holds, found without trying each line's every end (`^.*`):
#: a text without it has no such line (speed, issue 16: most texts).
_SPACED_UNITS_RE = regex.compile(r"(?:(?<![\p{L}\p{N}])[\p{L}\p{N}] ){4}")
#: What `_SPACED_UNITS_RE` needs after its first unit (` a b c `), found faster: a search that
#: starts with a space skips to the spaces at once (10 -> 3 ms on 98 texts).
_SPACED_HINT_RE = regex.compile(r" [\p{L}\p{N}] [\p{L}\p{N}] [\p{L}\p{N}] ")


@dataclass(frozen=True)
class TextMap:
    """Offsets of a normalized text back to its original.

    `segments` are (norm_start, norm_end, orig_start, orig_end, identity): runs of
    the normalized text copied unchanged (identity) or produced by a replacement.
    Deleted original characters lie in the gaps between segments.
    """

    original: str
    norm: str
    segments: tuple[tuple[int, int, int, int, bool], ...]

    @property
    def is_identity(self) -> bool:
        return len(self.segments) == 1 and self.segments[0][4] and self.norm == self.original

    def _segment(self, norm_index: int) -> tuple[int, int, int, int, bool]:
        pos = bisect_right(self._starts, norm_index) - 1
        return self.segments[max(pos, 0)]

    @property
    def _starts(self) -> list[int]:
        starts = self.__dict__.get("_starts_cache")
        if starts is None:
            starts = [seg[0] for seg in self.segments]
            object.__setattr__(self, "_starts_cache", starts)
        return starts

    def start(self, norm_index: int) -> int:
        """Original offset of the character at `norm_index` (a span start)."""
        if not self.segments:
            return 0
        if norm_index >= len(self.norm):
            return len(self.original)
        n0, _n1, o0, _o1, identity = self._segment(norm_index)
        return o0 + (norm_index - n0) if identity else o0

    def end(self, norm_index: int) -> int:
        """Original offset just after the character at `norm_index - 1` (a span end)."""
        if norm_index <= 0 or not self.segments:
            return 0
        n0, _n1, o0, o1, identity = self._segment(norm_index - 1)
        return o0 + (norm_index - n0) if identity else o1

    def span(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """Original (start, end) of a normalized span."""
        return self.start(norm_start), self.end(norm_end)


def _spaced_line_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits that join letter-spaced words (`p r e s t a c i o n e s  i n s t`).

    In a line where most "words" are single letters, a single space next to a
    single letter is extraction noise and goes; a wider gap was a real space and
    becomes one. A letter next to a digit is never joined (`c i ó n 2020-2024`).
    """
    edits: list[tuple[int, int, str]] = []
    if not _SPACED_HINT_RE.search(text) or not _SPACED_UNITS_RE.search(text):
        return edits
    for line in _SPACED_LINE_RE.finditer(text):
        words = line.group().split()
        singles = sum(1 for w in words if len(w) == 1 and w.isalnum())
        if singles < 5 or singles < 0.4 * len(words):
            continue
        base, body = line.start(), line.group()
        for run in _SPACE_RUN_RE.finditer(body):
            if len(run.group()) > 1:
                edits.append((base + run.start(), base + run.end(), " "))
                continue
            left = body[: run.start()].rsplit(" ", 1)[-1]
            right = body[run.end() :].split(" ", 1)[0]
            if not left or not right or (len(left) != 1 and len(right) != 1):
                continue
            if left[-1].isdigit() != right[0].isdigit() or not (
                left[-1].isalnum() and right[0].isalnum()
            ):
                continue
            if len(left) > 1 and right[0].isupper():
                continue  # `El P r o g r a m a`: a capital after a real word starts a new word
            edits.append((base + run.start(), base + run.end(), ""))
    return edits


def normalize(text: str) -> TextMap:
    """Normalized view of `text` for matching, with its map back to `text`."""
    edits: list[tuple[int, int, str]] = []
    for match in _EDIT_RE.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind in ("emph", "esc"):
            edits.append((start, end, ""))
        elif kind == "hyph":
            edits.append((start, end, "-"))
        elif kind == "wordhyph":
            edits.append((start, end, ""))
        elif kind == "char":
            edits.append((start, end, _CHAR_MAP[match.group()]))
    broken = [(m.start(), m.end(), "") for m in _BROKEN_RE.finditer(text)]
    if broken:
        edits = sorted(edits + broken)
    combined = _combined_accents(text)
    if combined:
        edits = sorted(edits + combined)
    if "  " in text or " " in text:
        spaced = _spaced_line_edits(text)
        if spaced:
            edits = _merge_edits(edits, spaced)
    if not edits:
        return TextMap(text, text, ((0, len(text), 0, len(text), True),) if text else ())
    return _apply(text, edits)


def _combined_accents(text: str) -> list[tuple[int, int, str]]:
    """Edits that compose a letter and its combining marks (`a` + U+0301 -> `á`)."""
    edits: list[tuple[int, int, str]] = []
    for marks in _MARKS_RE.finditer(text):
        found = _COMB_RE.match(text, marks.start() - 1) if marks.start() else None
        if found is not None:
            composed = unicodedata.normalize("NFC", found.group())
            if composed != found.group():
                edits.append((found.start(), found.end(), composed))
    return edits


def _merge_edits(
    a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Sorted union of two edit lists; where two overlap, the first one wins."""
    out: list[tuple[int, int, str]] = []
    last_end = -1
    for edit in sorted(a + b, key=lambda e: (e[0], e[1])):
        if edit[0] < last_end or (edit[0] == edit[1] and edit[0] < last_end):
            continue
        out.append(edit)
        last_end = edit[1]
    return out


def _apply(text: str, edits: list[tuple[int, int, str]]) -> TextMap:
    parts: list[str] = []
    segments: list[tuple[int, int, int, int, bool]] = []
    norm_pos = 0
    orig_pos = 0
    for start, end, replacement in edits:
        if start > orig_pos:
            length = start - orig_pos
            parts.append(text[orig_pos:start])
            segments.append((norm_pos, norm_pos + length, orig_pos, start, True))
            norm_pos += length
        if replacement:
            parts.append(replacement)
            identity = len(replacement) == end - start and replacement == text[start:end]
            segments.append((norm_pos, norm_pos + len(replacement), start, end, identity))
            norm_pos += len(replacement)
        orig_pos = end
    if orig_pos < len(text):
        parts.append(text[orig_pos:])
        segments.append((norm_pos, norm_pos + len(text) - orig_pos, orig_pos, len(text), True))
    return TextMap(text, "".join(parts), tuple(segments))


_ACCENTS = str.maketrans("áéíóúüñÁÉÍÓÚÜÑàèìòùÀÈÌÒÙâêîôûÂÊÎÔÛ", "aeiouunAEIOUUNaeiouAEIOUaeiouAEIOU")
_QUOTES_EMPH = str.maketrans({'"': None, "“": None, "”": None, "*": None, "«": None, "»": None})
_FOLD = {**_QUOTES_EMPH, **_ACCENTS}  # both tables in one pass (no character is in both)


class _Table:
    """A `str.translate` table that a long text goes through with one regex scan: the
    characters it changes are rare, and `translate` looks up every character (about
    seven times slower on a whole document)."""

    LONG = 200  # shorter texts go through `translate`

    def __init__(self, table: dict[int, int | None]) -> None:
        self.table = table
        self.replace = {chr(k): chr(v) if v is not None else "" for k, v in table.items()}
        self.chars = re.compile("[" + re.escape("".join(self.replace)) + "]")

    def __call__(self, value: str) -> str:
        if len(value) < self.LONG:
            return value.translate(self.table)
        return self.chars.sub(lambda found: self.replace[found.group()], value)


_FOLD_TABLE = _Table(_FOLD)
_ACCENTS_TABLE = _Table(_ACCENTS)


def fold(value: str) -> str:
    """Key for case-, accent-, quote- and spacing-insensitive lookups (not offset-preserving)."""
    if value.isascii():  # no accent, curly quote or dash to replace: only `"` and `*` go
        return " ".join(value.replace('"', "").replace("*", "").lower().split())
    value = _FOLD_TABLE(unicodedata.normalize("NFC", value)).lower()
    value = value.replace("\u2013", "-").replace("\u2014", "-")
    return " ".join(value.split())


#: What `fold_many` joins its values with: not whitespace, left alone by every step of
#: `fold`, and a stable starter (no canonical composition or reordering reaches across it,
#: no cased letter for a final sigma to see).
_FOLD_JOIN = "\x00"


def fold_many(values: Sequence[str]) -> list[str]:
    """`[fold(value) for value in values]` in one call on the values joined by `_FOLD_JOIN`
    (speed, issue 16: a document's blocks are folded at once); a value that holds the
    separator itself is folded alone, like all of them."""
    joined = _FOLD_JOIN.join(values)
    if not values or joined.count(_FOLD_JOIN) != len(values) - 1:
        return [fold(value) for value in values]
    # the separator stays a word of its own: the spaces `fold` puts around it go
    return [piece.strip() for piece in fold(joined).split(_FOLD_JOIN)]


def fold_same_length(value: str) -> str:
    """Lowercase and accent-free copy of `value` with the same length (offsets unchanged)."""
    if value.isascii():
        return value.lower()
    folded = _ACCENTS_TABLE(value)
    lowered = folded.lower()
    return (
        lowered
        if len(lowered) == len(folded)
        else "".join(c.lower() if len(c.lower()) == 1 else c for c in folded)
    )


def with_breaks(text: str, cuts: list[int]) -> str:
    """`text` with a line break at each of `cuts` (same length): joined from slices, not
    from a list of every character (speed, issue 16)."""
    if not cuts:
        return text
    pieces, last = [], 0
    for cut in sorted(set(cuts)):
        pieces += (text[last:cut], "\n")
        last = cut + 1
    pieces.append(text[last:])
    return "".join(pieces)
