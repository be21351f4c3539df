"""Heading rules (`rules/sections/headings.jsonl`): the schema, validation and loading.

A heading opens a section. Rules are data: each names a guide section label and a
phrase (`pattern`, compared word by word on the folded text, so accents, case,
markdown bold, numbering, `¿?` and trailing colons do not matter) or a `regex` on
the folded line; a qualifier rule names words that may stand before or after any heading
phrase. `nlp.headings` matches the rules on a document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.blocks import WORD_RE
from nlp.rules import iter_rule_records
from nlp.settings import SECTION_LABELS, rules_dir
from nlp.textmap import fold

RULES_FILE = Path("sections") / "headings.jsonl"
ANCHORS = ("line", "inline")
REQUIRED_KEYS = frozenset({"id", "label", "anchor"})
ALLOWED_KEYS = frozenset(
    {
        "id",
        "label",
        "pattern",
        "regex",
        "anchor",
        "scope",
        "reach",
        "examples",
        "comment",
        "qualifier",
    }
)
#: A qualifier rule names words that may stand before or after any heading phrase
#: (`Principales conclusiones`, `Consideraciones generales`) without changing its label.
QUALIFIER_POSITIONS = ("before", "after")
QUALIFIER_KEYS = frozenset({"id", "pattern", "qualifier"})
QUALIFIER_OPTIONAL = frozenset({"comment", "examples"})
SCOPES = ("section", "line")


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
    reach: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


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
    reach = data.get("reach")
    if reach is not None and (not isinstance(reach, int) or isinstance(reach, bool) or reach < 0):
        raise HeadingRuleError(f"{where}: reach must be a whole number of blocks >= 0")
    examples = _examples(data, where)
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
        reach=reach,
        raw=dict(data),
    )


def _examples(data: dict[str, Any], where: str) -> list[str]:
    """The record's `examples`, checked: a list of strings (empty when absent)."""
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise HeadingRuleError(f"{where}: examples must be a list of strings")
    return examples


def _parse_qualifier(data: dict[str, Any], where: str, order: int) -> HeadingRule:
    """A qualifier record: `{"id", "pattern", "qualifier": "before"|"after"}`."""
    missing = QUALIFIER_KEYS - set(data)
    unknown = set(data) - QUALIFIER_KEYS - QUALIFIER_OPTIONAL
    if missing or unknown:
        raise HeadingRuleError(
            f"{where}: a qualifier takes the keys {sorted(QUALIFIER_KEYS)} "
            f"(and {sorted(QUALIFIER_OPTIONAL)})"
        )
    examples = _examples(data, where)
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
    return load_rules(rules_dir() / RULES_FILE)


def dump_rules(rules: Sequence[HeadingRule]) -> str:
    """JSONL text of the rules as they were loaded (written by `to_disk`)."""
    return "".join(json.dumps(r.raw, ensure_ascii=False) + "\n" for r in rules)
