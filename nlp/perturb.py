"""Text as analysts actually get it: the same document with its shape changed, gold mapped along.

Real text arrives with its line breaks lost (PDF viewers, web pages), without its
markdown, with CRLF line ends, re-wrapped at another width, or cut to an excerpt that
starts mid-document. Each transform here is a list of edits on the original text; one
helper applies them and keeps, for every original character, where it went, so the
gold of a record follows the text (`perturb_record`). Same-length transforms
(`flatten`, `rewrap`) leave every offset unchanged. The robustness tests
(`tests/test_robustness.py`) score the pipeline on each transform against the mapped
gold; anyone can use the same functions to measure (`perturb_records`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import regex

#: An edit on the original text: replace text[start:end] by the string.
Edit = tuple[int, int, str]


@dataclass(frozen=True)
class Perturbed:
    """A transformed text and, for each original character, its new offset (-1: deleted)."""

    text: str
    forward: tuple[int, ...]

    def map_span(self, start: int, end: int) -> tuple[int, int] | None:
        """New (start, end) of an original span: first to last surviving character; None if gone."""
        kept = [self.forward[i] for i in range(start, end) if self.forward[i] >= 0]
        return (kept[0], kept[-1] + 1) if kept else None


def apply_edits(text: str, edits: Iterable[Edit]) -> Perturbed:
    """Apply non-overlapping edits; a replaced character maps to the start of its replacement,
    character by character when the replacement has the same length."""
    out: list[str] = []
    forward = [-1] * len(text)
    pos = new = 0
    for start, end, repl in sorted(edits):
        if start < pos:
            raise ValueError(f"overlapping edits at {start}")
        for i in range(pos, start):
            forward[i] = new + i - pos
        out.append(text[pos:start])
        new += start - pos
        if repl:
            for i in range(start, end):
                offset = i - start if len(repl) == end - start else 0
                forward[i] = new + offset
        out.append(repl)
        new += len(repl)
        pos = end
    for i in range(pos, len(text)):
        forward[i] = new + i - pos
    out.append(text[pos:])
    return Perturbed("".join(out), tuple(forward))


def flatten_edits(text: str) -> list[Edit]:
    """Line breaks turned into spaces (same length): a whole document as one paragraph."""
    return [(m.start(), m.end(), " ") for m in regex.finditer(r"[\r\n]", text)]


def crlf_edits(text: str) -> list[Edit]:
    """LF line ends written as CRLF."""
    return [(m.start(), m.end(), "\r\n") for m in regex.finditer(r"(?<!\r)\n", text)]


#: A line of a table: tab or pipe cells, space-aligned columns, or a short line ending in a
#: number (`Fin 2,50%`). Re-wrapping is for prose; no editor reflows a table into a paragraph.
_TABLE_LINE = regex.compile(r"[\t|]|\S {2,}\S|^.{0,40}\d%?\s*$")
_BLOCK_START = regex.compile(r"^\s*(?:[-*•]\s|\d{1,2}[.)]\s|#)")


def rewrap_edits(text: str, width: int = 75) -> list[Edit]:
    """Prose re-wrapped at `width` (75, the default of `fmt`), keeping the length: single line
    breaks inside a paragraph become spaces and spaces become line breaks; blank lines,
    table rows and lines that start with a bullet, a number or a hash keep their breaks."""
    joined = _joined_breaks(text)
    breaks: set[int] = set()  # spaces or joined breaks that become a line break
    column, last = 0, -1
    table = False
    for i, char in enumerate(text):
        if char == "\n" and i not in joined:
            column, last = 0, -1
            table = bool(_TABLE_LINE.search(text[i + 1 : text.find("\n", i + 1) % (len(text) + 1)]))
            continue
        column += 1
        if char in " \n":
            last = i
        if not table and column > width and last >= 0:
            breaks.add(last)
            column, last = i - last, -1
    edits = [(i, i + 1, " ") for i in joined if i not in breaks]
    return edits + [(i, i + 1, "\n") for i in breaks if i not in joined]


def _joined_breaks(text: str) -> set[int]:
    """Offsets of the single line breaks inside prose paragraphs."""
    out: set[int] = set()
    lines = text.split("\n")
    pos = 0
    for i, body in enumerate(lines[:-1]):
        following = lines[i + 1]
        if not (
            not body.strip()
            or not following.strip()
            or _TABLE_LINE.search(body)
            or _TABLE_LINE.search(following)
            or _BLOCK_START.match(following)
        ):
            out.add(pos + len(body))
        pos += len(body) + 1
    return out


_EMPHASIS = regex.compile(r"\*\*|__")
_HEADING_HASHES = regex.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_BULLET = regex.compile(r"(?m)^([ \t]*)([-*])[ \t]+(?=\S)")
_TABLE_RULE = regex.compile(
    r"(?m)^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*\n"
)
# each alternative starts where a run of blanks starts: linear on long runs (issue 14)
_PIPE = regex.compile(r"(?m)^[ \t]*\|[ \t]*|(?<![ \t])[ \t]*\|[ \t]*$|(?<![ \t])[ \t]*\|[ \t]*")


def strip_markdown_edits(text: str) -> list[Edit]:
    """Markdown removed as a rendered page would be copied: emphasis markers and heading hashes
    deleted, list markers deleted, table rules deleted and cell pipes turned into tabs."""
    edits: list[Edit] = [(m.start(), m.end(), "") for m in _EMPHASIS.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _HEADING_HASHES.finditer(text)]
    edits += [(m.start(2), m.end(), "") for m in _BULLET.finditer(text)]
    rules = [(m.start(), m.end(), "") for m in _TABLE_RULE.finditer(text)]
    edits += rules
    for m in _PIPE.finditer(text):
        if any(s <= m.start() < e for s, e, _ in rules):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        edge = (
            not text[line_start : m.start()].strip()
            or not text[m.end() : line_end if line_end >= 0 else len(text)].strip()
        )
        edits.append((m.start(), m.end(), "" if edge else "\t"))
    return _drop_overlaps(edits)


def _drop_overlaps(edits: list[Edit]) -> list[Edit]:
    out: list[Edit] = []
    end = -1
    for edit in sorted(edits):
        if edit[0] >= end:
            out.append(edit)
            end = edit[1]
    return out


_PARAGRAPH = regex.compile(r"\n[ \t]*\n\s*")
_SENTENCE = regex.compile(r"[.!?]\s+(?=\p{Lu})")


def excerpt_edits(text: str, fraction: float = 0.4) -> list[Edit]:
    """Everything before a paragraph (else sentence) start at `fraction` of the text cut away."""
    low = int(len(text) * fraction)
    for pattern in (_PARAGRAPH, _SENTENCE):
        match = pattern.search(text, low)
        if match and match.end() <= len(text) * 0.8:
            return [(0, match.end(), "")]
    space = text.find(" ", low)
    return [(0, space + 1, "")] if space >= 0 else []


TRANSFORMS: dict[str, Callable[[str], list[Edit]]] = {
    "flatten": flatten_edits,
    "strip_markdown": strip_markdown_edits,
    "crlf": crlf_edits,
    "rewrap": rewrap_edits,
    "excerpt": excerpt_edits,
}
#: Transforms that keep every offset: the gold applies as it is.
SAME_LENGTH = frozenset({"flatten", "rewrap"})


def perturb(text: str, name: str) -> Perturbed:
    """`text` under the transform `name` (a key of TRANSFORMS)."""
    if name not in TRANSFORMS:
        raise ValueError(f"unknown transform {name!r}; known: {', '.join(TRANSFORMS)}")
    return apply_edits(text, TRANSFORMS[name](text))


def perturb_record(record: dict[str, Any], name: str) -> dict[str, Any]:
    """A gold record under a transform: text, entities and sections mapped (lost ones dropped)."""
    shaped = perturb(record["text"], name)
    out = {**record, "text": shaped.text}
    for key in ("entities", "sections"):
        items = []
        for item in record.get(key, []):
            span = shaped.map_span(item["start"], item["end"])
            if span is not None:
                items.append({**item, "start": span[0], "end": span[1]})
        out[key] = items
    return out


def perturb_records(records: Iterable[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """Every record under the transform `name`."""
    return [perturb_record(r, name) for r in records]
