"""The heading matcher: finds the headings of `nlp.heading_rules` in a normalized text.

`anchor: "line"` phrases must make up a whole line (or two or three short lines of a
heading split by the layout, or a line of several headings run together by two-column
extraction, or the part of a line before a colon); `anchor: "inline"` phrases may also start
in the middle of a line, when the original text is capitalized there. Headings listed in a
table of contents open nothing. The `fichas_headings` component
(`nlp.components.headings`) exposes the matcher alone; `fichas_sections` runs it itself.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from nlp.blocks import Line, split_lines
from nlp.heading_regexes import RegexHeadings
from nlp.heading_rules import RULES_FILE, HeadingRule, default_rules, load_rules
from nlp.textmap import TextMap, fold_same_length

# Numbering before a heading: "IV.", "1.", "1.2", "a)", "3)".
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
_NUMBER_TOKEN_RE = re.compile(r"^(?:\d{1,2}|[ivxlc]{1,5}|[a-z])$")
# Markdown before a line's text that regex rules skip: "## ", "> ", "*" of emphasis.
_LEAD_DECOR_RE = re.compile(r"(?:#+[ \t]*|>[ \t]*|\*(?=[^\s*]))+")
# What may separate headings run together on one line (no commas: that is one heading).
_TILE_GAP_RE = re.compile(r"^[\s*:]*$")
_TRAILING_DECOR_RE = re.compile(r"[ \t]*[*:?.)\]¹²³⁴⁵⁶⁷⁸⁹⁰]+")
#: Longest line (characters) that may be part of a heading split over lines.
SPLIT_LINE_MAX = 60
#: How many consecutive lines a split heading may take.
SPLIT_LINES = 3


@dataclass(frozen=True)
class HeadingMatch:
    """A heading found in the normalized text: norm offsets, candidate labels, rule ids.

    `labels` has more than one entry when rules of different labels match the same
    words; the section classifier then decides. `line_start` is True when the
    heading begins its line (its section then starts at the line's first character).
    `opens` is False for rules of scope "line" (page furniture): the match gets its
    label, and the section above it continues after it.
    """

    start: int
    end: int
    labels: tuple[str, ...]
    rule_ids: tuple[str, ...]
    line_start: bool = True
    whole_lines: bool = True
    opens: bool = True
    reach: int | None = None  # blocks after the heading its labels hold for (None: all)

    @property
    def label(self) -> str:
        return self.labels[0]

    @property
    def rule_id(self) -> str:
        return self.rule_ids[0]


class HeadingMatcher:
    """Finds heading matches in a normalized text with a list of validated rules."""

    def __init__(self, rules: Sequence[HeadingRule]) -> None:
        self.rules = list(rules)
        self._phrases: dict[tuple[str, ...], list[HeadingRule]] = {}
        self._inline: dict[tuple[str, ...], list[HeadingRule]] = {}
        self._regexes: list[tuple[HeadingRule, re.Pattern[str]]] = []
        qualifiers = [r for r in self.rules if r.qualifier]
        for rule in self.rules:
            if rule.qualifier:
                continue
            if rule.regex is not None:
                self._regexes.append((rule, re.compile(rule.regex, re.IGNORECASE)))
            else:
                self._phrases.setdefault(rule.words, []).append(rule)
                if rule.anchor == "inline":
                    self._inline.setdefault(rule.words, []).append(rule)
        self._reach = {r.id: r.reach for r in self.rules if r.reach is not None}
        self._add_qualified(qualifiers)
        self._max_words = max((len(w) for w in self._phrases), default=1)
        self._regex_rules = RegexHeadings(self._regexes)  # speed (issue 16): joined line rules
        # speed (issue 16): a word that starts no phrase is passed over without slicing
        self._firsts = {p[0] for p in self._phrases if p}
        self._inline_firsts = {p[0] for p in self._inline if p}
        self._phrase_tuple = tuple(self._phrases)  # one object: `nlp.reflow` caches by it

    def _add_qualified(self, qualifiers: Sequence[HeadingRule]) -> None:
        """Every phrase with each qualifier before or after it matches the phrase's rules."""
        for phrase, rules in list(self._phrases.items()):
            for q in qualifiers:
                variant = q.words + phrase if q.qualifier == "before" else phrase + q.words
                self._phrases.setdefault(variant, list(rules))

    # ---------------------------------------------------------------- public

    @property
    def phrases(self) -> tuple[tuple[str, ...], ...]:
        """Folded word tuples of every pattern rule (what `nlp.reflow` looks for in run-on text)."""
        return self._phrase_tuple

    def find(
        self, norm: str, lines: Sequence[Line] | None = None, folded: str | None = None
    ) -> list[HeadingMatch]:
        """Non-overlapping heading matches of `norm` (`folded`: its `fold_same_length`, if
        the caller has it), in text order."""
        folded = folded if folded is not None else fold_same_length(norm)
        lines = lines if lines is not None else split_lines(norm, folded)
        found: list[HeadingMatch] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.blank:
                i += 1
                continue
            matches = self._line_matches(norm, folded, line)
            if matches:
                found.extend(matches)
                i += 1
                continue
            joined = self._split_heading(norm, lines, i)
            if joined is not None:
                match, used = joined
                found.append(match)
                i += used
                continue
            found.extend(self._inline_matches(norm, line))
            i += 1
        return [self._with_reach(m) for m in mark_contents(found, lines, norm)]

    def _with_reach(self, match: HeadingMatch) -> HeadingMatch:
        """The match with the shortest `reach` of its rules (rules without one: no limit)."""
        reaches = [self._reach[i] for i in match.rule_ids if i in self._reach]
        return replace(match, reach=min(reaches)) if reaches else match

    # ---------------------------------------------------------------- helpers

    def _candidates(self, rules: Sequence[HeadingRule]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        labels: list[str] = []
        ids: list[str] = []
        for rule in sorted(rules, key=lambda r: r.order):
            ids.append(rule.id)
            if rule.label not in labels:
                labels.append(rule.label)
        return tuple(labels), tuple(ids)

    def _content_range(self, norm: str, line: Line) -> tuple[int, int]:
        """Range of `line.words` without leading numbering (`IV.`, `1.2`, `a)`) or a trailing
        year (`2016`, `2019-2020`): its words and keys are slices."""
        toks = line.words
        a, b = 0, len(toks)
        stripped = False
        while b - a > 1 and _NUMBER_TOKEN_RE.match(toks[a][0]):
            after = norm[toks[a][2] : toks[a][2] + 1]
            last_of_dotted = (
                stripped and toks[a][0].isdigit() and norm[toks[a][1] - 1 : toks[a][1]] == "."
            )
            if after not in (".", ")") and not last_of_dotted:  # `2.1 Heading`: the `1` goes too
                break
            a, stripped = a + 1, True
        for _ in range(2):
            if b - a > 1 and _YEAR_RE.match(toks[b - 1][0]) and not _YEAR_RE.match(toks[b - 2][0]):
                return a, b - 1
            if b - a > 2 and _YEAR_RE.match(toks[b - 1][0]) and _YEAR_RE.match(toks[b - 2][0]):
                b -= 1
        return a, b

    def _line_matches(self, norm: str, folded: str, line: Line) -> list[HeadingMatch]:
        """Whole-line, heading-before-colon, regex, or several-headings-in-a-row matches."""
        text_start = line.start + (
            len(norm[line.start : line.end]) - len(norm[line.start : line.end].lstrip())
        )
        text_end = line.start + len(norm[line.start : line.end].rstrip())
        lead = _LEAD_DECOR_RE.match(folded, text_start, text_end)
        regex_start = lead.end() if lead else text_start
        hit = self._regex_rules.first(folded, regex_start, text_end)  # footnotes, closings
        if hit is not None:
            rule, m = hit
            opens = rule.scope == "section"
            if rule.anchor == "line":
                return [HeadingMatch(text_start, text_end, (rule.label,), (rule.id,), opens=opens)]
            start = text_start if m.start() == regex_start else m.start()
            at_start = start == text_start
            return [
                HeadingMatch(
                    start,
                    text_end,
                    (rule.label,),
                    (rule.id,),
                    line_start=at_start,
                    whole_lines=at_start,
                    opens=opens,
                )
            ]
        if line.bullet or line.table:
            return []
        a, b = self._content_range(norm, line)
        toks, key = line.words[a:b], line.keys[a:b]
        if key in self._phrases:
            labels, ids = self._candidates(self._phrases[key])
            return [HeadingMatch(text_start, text_end, labels, ids)]
        colon = self._before_colon(norm, toks, key)
        if colon is not None:
            n, colon_end = colon
            labels, ids = self._candidates(self._phrases[key[:n]])
            return [HeadingMatch(text_start, colon_end, labels, ids, whole_lines=False)]
        return self._tiling(norm, toks, key, text_end)

    def _before_colon(
        self, norm: str, toks: Sequence[tuple[str, int, int]], key: tuple[str, ...]
    ) -> tuple[int, int] | None:
        """`Heading: text on the same line` → (number of heading words, end of the colon)."""
        if not key or key[0] not in self._firsts:
            return None
        for n in range(min(len(key) - 1, self._max_words), 0, -1):
            if key[:n] in self._phrases:
                rest = norm[toks[n - 1][2] : toks[n][1]]
                if ":" in rest and not rest.strip(" *:\t"):
                    return n, toks[n - 1][2] + rest.index(":") + 1
        return None

    def _tiling(
        self, norm: str, toks: Sequence[tuple[str, int, int]], key: tuple[str, ...], line_end: int
    ) -> list[HeadingMatch]:
        """Several headings run together on one line (two-column extraction), each capitalized."""
        n = len(toks)
        if n < 2 or n > 3 * self._max_words or key[0] not in self._firsts:
            return []  # the first heading starts the line: no phrase starts there, no tiling
        best: list[list[int] | None] = [None] * (n + 1)  # best[i]: cut points covering key[:i]
        best[0] = [0]
        for i in range(1, n + 1):
            for j in range(max(0, i - self._max_words), i):
                if (
                    best[j] is not None
                    and key[j] in self._firsts
                    and key[j:i] in self._phrases
                    and norm[toks[j][1]].isupper()
                    and (j == 0 or _TILE_GAP_RE.match(norm[toks[j - 1][2] : toks[j][1]]))
                ):
                    cand = best[j] + [i]
                    if best[i] is None or len(cand) < len(best[i]):
                        best[i] = cand
        cuts = best[n]
        if cuts is None or len(cuts) < 3:  # needs at least two headings
            return []
        out = []
        for a, b in zip(cuts, cuts[1:]):
            labels, ids = self._candidates(self._phrases[key[a:b]])
            end = line_end if b == n else toks[b][1]
            out.append(
                HeadingMatch(
                    toks[a][1],
                    _rstrip_end(norm, toks[a][1], end),
                    labels,
                    ids,
                    line_start=a == 0,
                    whole_lines=False,
                )
            )
        return out

    def _split_heading(
        self, norm: str, lines: Sequence[Line], i: int
    ) -> tuple[HeadingMatch, int] | None:
        """A heading broken over two or three consecutive short lines
        (`Fortalezas y/o⏎Oportunidades`)."""
        first = lines[i]
        if first.bullet or first.table or first.end - first.start > SPLIT_LINE_MAX:
            return None
        a, b = self._content_range(norm, first)
        toks = list(first.words[a:b])
        for k in range(1, SPLIT_LINES):
            if i + k >= len(lines):
                break
            nxt = lines[i + k]
            if nxt.blank or nxt.bullet or nxt.table or nxt.end - nxt.start > SPLIT_LINE_MAX:
                break
            toks.extend(nxt.words)
            key = tuple(t[0] for t in toks)
            if key in self._phrases:
                labels, ids = self._candidates(self._phrases[key])
                start = (
                    first.start
                    + len(norm[first.start : first.end])
                    - len(norm[first.start : first.end].lstrip())
                )
                end = nxt.start + len(norm[nxt.start : nxt.end].rstrip())
                return HeadingMatch(start, end, labels, ids), k + 1
        return None

    def _inline_matches(self, norm: str, line: Line) -> list[HeadingMatch]:
        """Inline rules anywhere in a line, where the original text is capitalized."""
        key = line.keys
        if self._inline_firsts.isdisjoint(key):  # speed (issue 16): most lines
            return []
        out: list[HeadingMatch] = []
        j = 0
        while j < len(key):
            hit = None
            if not norm[line.words[j][1]].isupper() or key[j] not in self._inline_firsts:
                j += 1
                continue
            for n in range(min(self._max_words, len(key) - j), 0, -1):
                if key[j : j + n] in self._inline:
                    hit = n
                    break
            if hit is None:
                j += 1
                continue
            labels, ids = self._candidates(self._inline[key[j : j + hit]])
            start, end = line.words[j][1], line.words[j + hit - 1][2]
            decor = _TRAILING_DECOR_RE.match(norm, end, line.end)
            end = decor.end() if decor else end
            out.append(HeadingMatch(start, end, labels, ids, line_start=j == 0, whole_lines=False))
            j += hit
        return out


#: A line of a table of contents: short, and numbered (`3.`, `IV.`, `2.1`) or ending in a page
#: number.
_CONTENTS_LINE_RE = re.compile(
    r"^\s*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]{1,6})[.)]?\s+\S.*"
    r"|.*\S(?:\s*\.{2,}\s*|\s{2,}|\t)\d{1,3})\s*$"
)
CONTENTS_MAX_LINE = 90
CONTENTS_MIN_LINES = 3
CONTENTS_RULE_ID = "contents"


def mark_contents(
    found: list[HeadingMatch], lines: Sequence[Line], norm: str
) -> list[HeadingMatch]:
    """Headings listed in a table of contents label their line `other` and open nothing.

    A report's `ÍNDICE` lists the headings that follow, one per line, with no text
    between them: without this, `2. DESCRIPCIÓN DEL PROGRAMA` in the index would open
    a description section. A run of at least three consecutive short lines, each
    numbered or ending in a page number, holding headings of two or more labels, is
    taken for a table of contents.
    """
    if len(found) < 2:
        return found
    starts = [line.start for line in lines]
    by_line: dict[int, list[int]] = {}
    for k, match in enumerate(found):
        by_line.setdefault(bisect_right(starts, match.start) - 1, []).append(k)
    contents: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        while (
            j < len(lines)
            and not lines[j].blank
            and lines[j].end - lines[j].start <= CONTENTS_MAX_LINE
            and _CONTENTS_LINE_RE.match(norm[lines[j].start : lines[j].end])
        ):
            j += 1
        if j - i >= CONTENTS_MIN_LINES:
            ks = [k for n in range(i, j) for k in by_line.get(n, []) if found[k].whole_lines]
            if len({found[k].label for k in ks}) >= 2:
                contents.update(ks)
        i = max(j, i + 1)
    if not contents:
        return found
    return [
        HeadingMatch(
            m.start,
            m.end,
            ("other",),
            (CONTENTS_RULE_ID,) + m.rule_ids,
            m.line_start,
            m.whole_lines,
            opens=False,
        )
        if k in contents
        else m
        for k, m in enumerate(found)
    ]


def _rstrip_end(norm: str, start: int, end: int) -> int:
    return start + len(norm[start:end].rstrip())


def find_headings(matcher: HeadingMatcher, tm: TextMap) -> list[HeadingMatch]:
    """Heading matches of a document's normalized view."""
    return matcher.find(tm.norm)


def heading_matcher(rules_dir: str | None = None) -> HeadingMatcher:
    """The heading matcher of a rules folder (None: the project's rules)."""
    rules = load_rules(Path(rules_dir) / RULES_FILE) if rules_dir else default_rules()
    return HeadingMatcher(rules)
