"""Content cues (`rules/sections/cues.jsonl`): phrases that hint at a block's section.

A letter or an oficio has no headings, and a development gold of a few dozen
documents cannot teach a bag of n-grams that "sugerimos", "se recomienda" and
"es conveniente que" all open a recommendation. A cue groups such phrases under
one section label; the section classifier gets "this block matches a cue of
label L" (anywhere, or at the block's opening) as a feature and learns how much
to trust it. Cues never label a block on their own. Pure Python (`re` only);
the cue rules are stored inside a trained model, so its features do not change
when the rules folder does (retrain to use new cues).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.cue_prefilter import CueScanner
from nlp.rules import iter_rule_records
from nlp.settings import SECTION_LABELS, rules_dir
from nlp.textmap import fold, fold_many

CUES_FILE = Path("sections") / "cues.jsonl"
TEXT_VIEWS = ("folded", "lower", "original")
ALLOWED_KEYS = frozenset(
    {"id", "label", "regex", "text", "scope", "examples", "counter_examples", "comment"}
)
SCOPES = ("block", "document")
#: A cue found within this many characters of a block's start "opens" the block.
OPENING_CHARS = 60
#: A `document` cue is looked for in this many characters at the start of the text (the genre
#: shows there).
DOCUMENT_CHARS = 1500


class CueRuleError(ValueError):
    """A cue rule that breaks the schema; the message names file and line."""


@dataclass(frozen=True)
class CueRule:
    """One validated cue: a regex on one view of the block text, and its label."""

    id: str
    label: str
    regex: str
    text: str = "folded"
    scope: str = "block"
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex, _flags(self.text))


def _flags(view: str) -> int:
    """The `re` flags of a cue on `view` (validation compiles with them too: `re` caches the
    pattern, and the matcher's compile costs nothing more)."""
    return re.MULTILINE | (re.IGNORECASE if view == "lower" else 0)


def parse_cue(data: Any, where: str) -> CueRule:
    """Validate one cue record; `where` (file:line) goes into every error."""
    if not isinstance(data, dict):
        raise CueRuleError(f"{where}: a cue must be a JSON object")
    unknown = set(data) - ALLOWED_KEYS
    if unknown:
        raise CueRuleError(
            f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(ALLOWED_KEYS)}"
        )
    for key in ("id", "label", "regex"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise CueRuleError(f"{where}: {key} must be a non-empty string")
    if data["label"] not in SECTION_LABELS:
        raise CueRuleError(
            f"{where}: label {data['label']!r} is not a section label of the guide {SECTION_LABELS}"
        )
    view = data.get("text", "folded")
    if view not in TEXT_VIEWS:
        raise CueRuleError(f"{where}: text {view!r} must be one of {TEXT_VIEWS}")
    scope = data.get("scope", "block")
    if scope not in SCOPES:
        raise CueRuleError(f"{where}: scope {scope!r} must be one of {SCOPES}")
    for key in ("examples", "counter_examples"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CueRuleError(f"{where}: {key} must be a list of strings")
    try:
        re.compile(data["regex"], _flags(view))
    except re.error as err:
        raise CueRuleError(f"{where}: regex does not compile: {err}") from err
    return CueRule(
        id=data["id"],
        label=data["label"],
        regex=data["regex"],
        text=view,
        scope=scope,
        examples=tuple(data.get("examples", [])),
        counter_examples=tuple(data.get("counter_examples", [])),
        raw=dict(data),
    )


def parse_cues(lines: Iterable[str], source: str) -> list[CueRule]:
    """Cues of a JSONL text (blank and `//` lines skipped); ids must be unique."""
    return [
        parse_cue(data, where) for where, data in iter_rule_records(lines, source, CueRuleError)
    ]


def load_cues(path: str | Path) -> list[CueRule]:
    """Validated cues of a cues file, or of `<rules dir>/sections/cues.jsonl` (none if it is
    absent)."""
    path = Path(path)
    if path.is_dir():
        path = path / CUES_FILE
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return parse_cues(handle, str(path))


def default_cues() -> list[CueRule]:
    """Cues of the configured rules folder (`nlp.settings.rules_dir`)."""
    return load_cues(rules_dir() / CUES_FILE)


class CueMatcher:
    """Finds cues in block texts; compiled once per model."""

    def __init__(self, cues: Sequence[CueRule]) -> None:
        self.cues = list(cues)
        self._compiled = {
            scope: [(cue, cue.compiled()) for cue in self.cues if cue.scope == scope]
            for scope in SCOPES
        }
        self._scanners = {scope: CueScanner(self._compiled[scope]) for scope in SCOPES}
        # feature names of each label, made once (speed, issue 16: two f-strings a match)
        self._names = {c.label: (f"cue={c.label}", f"cue_open={c.label}") for c in self.cues}

    def matches(
        self, text: str, scope: str = "block", folded: str | None = None
    ) -> list[tuple[CueRule, int]]:
        """(cue, start of its first match in its view of `text`) for every cue of `scope` found
        (`folded`: the folded view, when the caller has it: a block's `block_text`)."""
        views = {"original": text.strip()}
        views["lower"] = views["original"].lower()
        # a block's phrase may wrap over lines; a document keeps its lines (`^`, `$` work per line)
        if folded is None:
            folded = fold(text) if scope == "block" else "\n".join(fold_many(text.splitlines()))
        views["folded"] = folded
        return self._scanners[scope].matches(views)  # speed (issue 16): nlp.cue_prefilter

    def features(self, text: str, prefix: str = "", folded: str | None = None) -> dict[str, float]:
        """`cue=<label>` for a cue anywhere, `cue_open=<label>` for one at the opening."""
        feats: dict[str, float] = {}
        for cue, start in self.matches(text, folded=folded):
            anywhere, opening = self._names[cue.label]
            feats[prefix + anywhere] = 1.0
            if start <= OPENING_CHARS:
                feats[prefix + opening] = 1.0
        return feats

    def document_features(self, text: str) -> dict[str, float]:
        """`doc:<cue id>` for each document cue found at the start of the text (the genre)."""
        return {
            f"doc:{cue.id}": 1.0 for cue, _start in self.matches(text[:DOCUMENT_CHARS], "document")
        }


def cue_matcher(cues: Sequence[CueRule] | None = None) -> CueMatcher:
    """A matcher of `cues`, or of the configured rules folder's cues."""
    return CueMatcher(default_cues() if cues is None else cues)


__all__ = [
    "CUES_FILE",
    "CueMatcher",
    "CueRule",
    "CueRuleError",
    "cue_matcher",
    "default_cues",
    "load_cues",
    "parse_cue",
    "parse_cues",
]
