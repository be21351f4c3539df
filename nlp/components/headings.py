"""Heading rules (`rules/sections/headings.jsonl`): load, validate, match on a document.

A heading opens a section. Rules are data: each names a guide section label and a
phrase (`pattern`, compared word by word on the folded text, so accents, case,
markdown bold, numbering, `¿?` and trailing colons do not matter) or a `regex` on
the folded line. `anchor: "line"` phrases must make up a whole line (or two or
three short lines of a heading split by the layout, or a line of several headings
run together by two-column extraction, or the part of a line before a colon);
`anchor: "inline"` phrases may also start in the middle of a line, when the
original text is capitalized there. The `fichas_headings` factory exposes the
matcher alone (`doc.spans["headings"]`); `fichas_sections` runs it itself.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from nlp.blocks import WORD_RE, Line, line_end_offset, line_start_offset, split_lines
from nlp.settings import HEADINGS_KEY, SECTION_LABELS
from nlp.textmap import TextMap, fold, fold_same_length

RULES_FILE = Path("sections") / "headings.jsonl"
ANCHORS = ("line", "inline")
REQUIRED_KEYS = frozenset({"id", "label", "anchor"})
ALLOWED_KEYS = frozenset(
    {"id", "label", "pattern", "regex", "anchor", "scope", "examples", "comment", "qualifier"}
)
#: A qualifier rule names words that may stand before or after any heading phrase
#: (`Principales conclusiones`, `Consideraciones generales`) without changing its label.
QUALIFIER_POSITIONS = ("before", "after")
QUALIFIER_KEYS = frozenset({"id", "pattern", "qualifier"})
QUALIFIER_OPTIONAL = frozenset({"comment", "examples"})
SCOPES = ("section", "line")

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


class HeadingRuleError(ValueError):
    """A heading rule that breaks the schema; the message names file and line."""


@dataclass(frozen=True)
class HeadingRule:
    """One validated rule; `words` is the folded phrase as a word tuple."""

    id: str
    label: str
    anchor: str
    pattern: str | None = None
    regex: str | None = None
    scope: str = "section"
    examples: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    order: int = 0
    qualifier: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


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

    @property
    def label(self) -> str:
        return self.labels[0]

    @property
    def rule_id(self) -> str:
        return self.rule_ids[0]


def words(text: str) -> tuple[str, ...]:
    """Folded word tuple of a phrase (the unit heading patterns are compared in)."""
    return tuple(WORD_RE.findall(fold(text)))


def parse_rule(data: Any, where: str, order: int = 0) -> HeadingRule:
    """Validate one rule record; `where` (file:line) goes into every error."""
    if not isinstance(data, dict):
        raise HeadingRuleError(f"{where}: a rule must be a JSON object")
    if "qualifier" in data:
        return _parse_qualifier(data, where, order)
    unknown = set(data) - ALLOWED_KEYS
    if unknown:
        raise HeadingRuleError(
            f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}"
        )
    missing = REQUIRED_KEYS - set(data)
    if missing:
        raise HeadingRuleError(f"{where}: missing keys {sorted(missing)}")
    if not isinstance(data["id"], str) or not data["id"]:
        raise HeadingRuleError(f"{where}: id must be a non-empty string")
    if data["label"] not in SECTION_LABELS:
        raise HeadingRuleError(
            f"{where}: label {data['label']!r} is not a section label of the guide {SECTION_LABELS}"
        )
    if data["anchor"] not in ANCHORS:
        raise HeadingRuleError(f"{where}: anchor {data['anchor']!r} must be one of {ANCHORS}")
    has_pattern, has_regex = "pattern" in data, "regex" in data
    if data.get("scope", "section") not in SCOPES:
        raise HeadingRuleError(f"{where}: scope {data['scope']!r} must be one of {SCOPES}")
    if has_pattern == has_regex:
        raise HeadingRuleError(f"{where}: give exactly one of pattern or regex")
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise HeadingRuleError(f"{where}: examples must be a list of strings")
    phrase: tuple[str, ...] = ()
    if has_pattern:
        if not isinstance(data["pattern"], str) or not words(data["pattern"]):
            raise HeadingRuleError(f"{where}: pattern must be a string with at least one word")
        phrase = words(data["pattern"])
    else:
        if not isinstance(data["regex"], str):
            raise HeadingRuleError(f"{where}: regex must be a string")
        try:
            re.compile(data["regex"])
        except re.error as err:
            raise HeadingRuleError(f"{where}: regex does not compile: {err}") from err
    return HeadingRule(
        id=data["id"],
        label=data["label"],
        anchor=data["anchor"],
        pattern=data.get("pattern"),
        regex=data.get("regex"),
        scope=data.get("scope", "section"),
        examples=tuple(examples),
        words=phrase,
        order=order,
        raw=dict(data),
    )


def _parse_qualifier(data: dict[str, Any], where: str, order: int) -> HeadingRule:
    """A qualifier record: `{"id", "pattern", "qualifier": "before"|"after"}`."""
    missing = QUALIFIER_KEYS - set(data)
    unknown = set(data) - QUALIFIER_KEYS - QUALIFIER_OPTIONAL
    if missing or unknown:
        raise HeadingRuleError(
            f"{where}: a qualifier takes the keys {sorted(QUALIFIER_KEYS)} "
            f"(and {sorted(QUALIFIER_OPTIONAL)})"
        )
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise HeadingRuleError(f"{where}: examples must be a list of strings")
    if data["qualifier"] not in QUALIFIER_POSITIONS:
        raise HeadingRuleError(f"{where}: qualifier must be one of {QUALIFIER_POSITIONS}")
    phrase = words(data["pattern"]) if isinstance(data["pattern"], str) else ()
    if not phrase:
        raise HeadingRuleError(f"{where}: pattern must be a string with at least one word")
    return HeadingRule(
        id=data["id"],
        label="other",
        anchor="line",
        pattern=data["pattern"],
        words=phrase,
        examples=tuple(examples),
        order=order,
        qualifier=data["qualifier"],
        raw=dict(data),
    )


def parse_rules(lines: Iterable[str], source: str) -> list[HeadingRule]:
    """Rules of a JSONL text (blank and `//` lines skipped); ids must be unique."""
    from nlp.rules import iter_rule_records

    rules: list[HeadingRule] = []
    for where, data in iter_rule_records(lines, source, HeadingRuleError):
        rules.append(parse_rule(data, where, order=len(rules)))
    if not rules:
        raise HeadingRuleError(f"{source}: no heading rules")
    return rules


def load_rules(path: str | Path) -> list[HeadingRule]:
    """Validated rules of a headings file, or of `<dir>/sections/headings.jsonl`."""
    path = Path(path)
    if path.is_dir():
        path = path / RULES_FILE if (path / RULES_FILE).exists() else path / RULES_FILE.name
    with path.open(encoding="utf-8") as handle:
        return parse_rules(handle, str(path))


def default_rules() -> list[HeadingRule]:
    """Rules of the configured rules folder (`nlp.settings.rules_dir`)."""
    from nlp.settings import rules_dir

    return load_rules(rules_dir() / RULES_FILE)


def dump_rules(rules: Sequence[HeadingRule]) -> str:
    """JSONL text of the rules as they were loaded (written by `to_disk`)."""
    return "".join(json.dumps(r.raw, ensure_ascii=False) + "\n" for r in rules)


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
        self._add_qualified(qualifiers)
        self._max_words = max((len(w) for w in self._phrases), default=1)

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
        return tuple(self._phrases)

    def find(self, norm: str, lines: Sequence[Line] | None = None) -> list[HeadingMatch]:
        """Non-overlapping heading matches of `norm`, in text order."""
        folded = fold_same_length(norm)
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
        return mark_contents(found, lines, norm)

    # ---------------------------------------------------------------- helpers

    def _candidates(self, rules: Sequence[HeadingRule]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        labels: list[str] = []
        ids: list[str] = []
        for rule in sorted(rules, key=lambda r: r.order):
            ids.append(rule.id)
            if rule.label not in labels:
                labels.append(rule.label)
        return tuple(labels), tuple(ids)

    def _content_words(self, norm: str, line: Line) -> tuple[tuple[str, int, int], ...]:
        """Line words without leading numbering (`IV.`, `1.2`, `a)`) or a trailing year (`2016`, `2019-2020`)."""
        toks = line.words
        stripped = False
        while len(toks) > 1 and _NUMBER_TOKEN_RE.match(toks[0][0]):
            after = norm[toks[0][2] : toks[0][2] + 1]
            last_of_dotted = (
                stripped and toks[0][0].isdigit() and norm[toks[0][1] - 1 : toks[0][1]] == "."
            )
            if after not in (".", ")") and not last_of_dotted:  # `2.1 Heading`: the `1` goes too
                break
            toks, stripped = toks[1:], True
        for _ in range(2):
            if len(toks) > 1 and _YEAR_RE.match(toks[-1][0]) and not _YEAR_RE.match(toks[-2][0]):
                return toks[:-1]
            if len(toks) > 2 and _YEAR_RE.match(toks[-1][0]) and _YEAR_RE.match(toks[-2][0]):
                toks = toks[:-1]
        return toks

    def _line_matches(self, norm: str, folded: str, line: Line) -> list[HeadingMatch]:
        """Whole-line, heading-before-colon, regex, or several-headings-in-a-row matches."""
        text_start = line.start + (
            len(norm[line.start : line.end]) - len(norm[line.start : line.end].lstrip())
        )
        text_end = line.start + len(norm[line.start : line.end].rstrip())
        lead = _LEAD_DECOR_RE.match(folded, text_start, text_end)
        regex_start = lead.end() if lead else text_start
        for rule, pattern in self._regexes:  # regex rules first: footnotes, closings
            if rule.anchor == "line":
                m = pattern.match(folded, regex_start, text_end)
                if m is not None:
                    return [
                        HeadingMatch(
                            text_start,
                            text_end,
                            (rule.label,),
                            (rule.id,),
                            opens=rule.scope == "section",
                        )
                    ]
            else:
                m = pattern.search(folded, regex_start, text_end)
                if m is not None and m.end() > m.start():
                    start = text_start if m.start() == regex_start else m.start()
                    return [
                        HeadingMatch(
                            start,
                            text_end,
                            (rule.label,),
                            (rule.id,),
                            line_start=start == text_start,
                            whole_lines=start == text_start,
                            opens=rule.scope == "section",
                        )
                    ]
        if line.bullet or line.table:
            return []
        toks = self._content_words(norm, line)
        key = tuple(t[0] for t in toks)
        if key in self._phrases:
            labels, ids = self._candidates(self._phrases[key])
            return [HeadingMatch(text_start, text_end, labels, ids)]
        colon = self._before_colon(norm, toks)
        if colon is not None:
            n, colon_end = colon
            labels, ids = self._candidates(self._phrases[key[:n]])
            return [HeadingMatch(text_start, colon_end, labels, ids, whole_lines=False)]
        return self._tiling(norm, toks, text_end)

    def _before_colon(
        self, norm: str, toks: Sequence[tuple[str, int, int]]
    ) -> tuple[int, int] | None:
        """`Heading: text on the same line` → (number of heading words, end of the colon)."""
        key = tuple(t[0] for t in toks)
        for n in range(min(len(key) - 1, self._max_words), 0, -1):
            if key[:n] in self._phrases:
                rest = norm[toks[n - 1][2] : toks[n][1]]
                if ":" in rest and not rest.strip(" *:\t"):
                    return n, toks[n - 1][2] + rest.index(":") + 1
        return None

    def _tiling(
        self, norm: str, toks: Sequence[tuple[str, int, int]], line_end: int
    ) -> list[HeadingMatch]:
        """Several headings run together on one line (two-column extraction), each capitalized."""
        n = len(toks)
        if n < 2 or n > 3 * self._max_words:
            return []
        key = tuple(t[0] for t in toks)
        best: list[list[int] | None] = [None] * (n + 1)  # best[i]: cut points covering key[:i]
        best[0] = [0]
        for i in range(1, n + 1):
            for j in range(max(0, i - self._max_words), i):
                if (
                    best[j] is not None
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
        """A heading broken over two or three consecutive short lines (`Fortalezas y/o⏎Oportunidades`)."""
        first = lines[i]
        if first.bullet or first.table or first.end - first.start > SPLIT_LINE_MAX:
            return None
        toks = list(self._content_words(norm, first))
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
        if not self._inline:
            return []
        key = tuple(t[0] for t in line.words)
        out: list[HeadingMatch] = []
        j = 0
        while j < len(key):
            hit = None
            for n in range(min(self._max_words, len(key) - j), 0, -1):
                if key[j : j + n] in self._inline and norm[line.words[j][1]].isupper():
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


#: A line of a table of contents: short, and numbered (`3.`, `IV.`, `2.1`) or ending in a page number.
_CONTENTS_LINE_RE = re.compile(
    r"^\s*(?:(?:\d{1,2}(?:\.\d{1,2})*|[IVXLC]{1,6})[.)]?\s+\S.*|.*\S(?:\s*\.{2,}\s*|\s{2,}|\t)\d{1,3})\s*$"
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


class HeadingsComponent:
    """`fichas_headings`: writes `doc.spans["headings"]` (label = first candidate, id = rule id)."""

    def __init__(self, nlp: Language, name: str, rules_dir: str | None) -> None:
        self.name = name
        self.rules_dir = rules_dir
        self._matcher: HeadingMatcher | None = None

    @property
    def matcher(self) -> HeadingMatcher:
        if self._matcher is None:
            self._matcher = heading_matcher(self.rules_dir)
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        from nlp.extensions import doc_textmap

        tm = doc_textmap(doc)
        doc.spans[HEADINGS_KEY] = heading_spans(doc, tm, self.matcher.find(tm.norm))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILE.name).write_text(dump_rules(self.matcher.rules), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> HeadingsComponent:
        self._matcher = HeadingMatcher(load_rules(Path(path) / RULES_FILE.name))
        return self


def heading_spans(
    doc: Doc, tm: TextMap, matches: Sequence[HeadingMatch], labels: Sequence[str] | None = None
) -> list[Any]:
    """Spans of the headings (expanded to tokens), with the chosen label and rule id."""
    from spacy.tokens import Span

    out = []
    last_end = 0
    for k, match in enumerate(matches):
        start = line_start_offset(tm, match.start) if match.line_start else tm.start(match.start)
        nl = tm.norm.find("\n", match.end)
        at_line_end = not tm.norm[match.end : nl if nl >= 0 else len(tm.norm)].strip()
        end = line_end_offset(tm, match.end) if at_line_end else tm.end(match.end)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or span.start < last_end:
            continue
        label = labels[k] if labels is not None else match.label
        out.append(Span(doc, span.start, span.end, label=label, span_id=match.rule_id))
        last_end = span.end
    return out


@Language.factory("fichas_headings", default_config={"rules_dir": None}, assigns=["doc.spans"])
def make_headings(nlp: Language, name: str, rules_dir: str | None) -> HeadingsComponent:
    """Heading rules alone (the sections component runs them itself)."""
    return HeadingsComponent(nlp, name, rules_dir)
