"""Regex entity rules of `rules/entities/*.jsonl`: macro expansion, validation, compilation.

Rules are data; this module turns them into compiled patterns once per rules
folder, and names file, line and rule in every error so a bad edit is found fast.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import regex

from nlp.gazetteer import _trie
from nlp.regex_cache import compile_all
from nlp.rules import read_jsonl_rules, rules_files, rules_path
from nlp.settings import ENTITY_LABELS
from nlp.values.lexicon import currencies, currency_words, months, scale_words, word_list
from nlp.values.registry import VALUE_PARSERS

ALLOWED_KEYS = {
    "id",
    "label",
    "regex",
    "flags",
    "parser",
    "priority",
    "context",
    "groups",
    "examples",
    "counter_examples",
    "note",
}
CONTEXTS = {"after_amount", "money_context", "dated_document"}
_MACRO_RE = regex.compile(r"<<([A-Z_0-9]+)>>")


@dataclass(frozen=True)
class RegexRule:
    """One compiled rule: what it finds (label), how its value is read (parser)."""

    id: str
    label: str
    pattern: Any
    parser: str
    priority: int
    context: str | None = None
    groups: tuple[str, ...] = ()
    examples: tuple[dict[str, Any], ...] = field(default=(), compare=False)
    counter_examples: tuple[str, ...] = field(default=(), compare=False)


def alternation(words: list[str]) -> str:
    """Regex alternation of literal words, longest first so `millones` beats `mil`.

    Lowercase words are written as a trie (`mil(?:lones|lón)?`: shared prefixes once, a
    longer word still tried before the shorter one it extends): the same matches, and the
    engine no longer tries fifty words one by one at every word start (speed, issue 16)."""
    escaped = sorted(  # words of one length in a fixed order: the same source in every
        # process, so its compiled form is found in `nlp.regex_cache` (the matches are the same)
        {regex.escape(w).replace("\\ ", "\\s+") for w in words if w},
        key=lambda w: (-len(w), w),
    )
    if escaped and all(w == w.lower() for w in words):
        return "(?:" + _trie([_UNIT_RE.findall(e) for e in escaped]) + ")"
    return "(?:" + "|".join(escaped) + ")"


#: One unit of an escaped word: `\s+` (a space), an escaped character, or a character.
_UNIT_RE = regex.compile(r"\\s\+|\\.|.", regex.DOTALL)


def macros(rules_dir: str | None = None) -> dict[str, str]:
    """Named sub-patterns: `macros.json` plus the ones generated from the lexicon."""
    path = rules_path(rules_dir, "entities", "macros.json")
    rules_files(rules_dir)  # the folder passes its schema check first
    table = {
        k: v
        for k, v in json.loads(path.read_text(encoding="utf-8")).items()
        if not k.startswith("_")
    }
    month_words = list(months(rules_dir))
    table["MONTH"] = alternation(month_words + _accented(month_words))
    full = [w for w in month_words if len(w) > 4 or w == "mayo"]
    table["MONTH_FULL"] = alternation(full + _accented(full))
    table["SCALE_WORD"] = alternation(list(scale_words(rules_dir)))
    table["SCALE_WORD_LARGE"] = alternation(list(scale_words(rules_dir, min_factor=1e6)))
    abbreviations = {w.rstrip(".") for w in scale_words(rules_dir, "abbreviation")}
    table["SCALE_ABBR"] = "(?i:" + alternation(sorted(abbreviations)) + ")"
    table["CURRENCY_WORD"] = alternation([w for w in currency_words(rules_dir) if w != "$"])
    table["CURRENCY_CODE"] = alternation(sorted(set(currencies(rules_dir).values())))
    table["NUMBER_WORD"] = alternation(
        [w for w in word_list("number_words", rules_dir) if w != "y"] + ["y"]
    )
    table["COUNT_NOUN"] = alternation(list(word_list("count_nouns", rules_dir)))
    return table


def _accented(words: list[str]) -> list[str]:
    return []  # month names carry no accents; kept for symmetry with other lexica


def expand(pattern: str, table: dict[str, str], where: str) -> str:
    """Replace `<<NAME>>` by its macro (recursively); unknown names are errors."""
    for _ in range(8):  # the numeral grammar nests six deep
        if "<<" not in pattern:
            return pattern

        def sub(match: Any) -> str:
            name = match.group(1)
            if name not in table:
                raise ValueError(f"{where}: unknown macro <<{name}>>")
            return table[name]

        pattern = _MACRO_RE.sub(sub, pattern)
    raise ValueError(f"{where}: macros nest too deep")


def validate(item: dict[str, Any], where: str) -> None:
    """Closed key set, known label and parser: a typo must not silently disable a rule."""
    extra = set(item) - ALLOWED_KEYS
    if extra:
        raise ValueError(f"{where}: unknown keys {sorted(extra)}")
    for key in ("id", "label", "regex", "parser"):
        if key not in item:
            raise ValueError(f"{where}: missing key {key!r}")
    if item["label"] not in ENTITY_LABELS:
        raise ValueError(f"{where}: unknown label {item['label']!r}")
    if item["parser"] not in VALUE_PARSERS:
        raise ValueError(f"{where}: unknown parser {item['parser']!r}")
    if item.get("context") and item["context"] not in CONTEXTS:
        raise ValueError(f"{where}: unknown context {item['context']!r}")


@lru_cache(maxsize=8)
def load_regex_rules(rules_dir: str | None = None) -> tuple[RegexRule, ...]:
    """Every regex rule of the rules folder, compiled once and cached (the compiled
    patterns are read from `nlp.regex_cache` when another process compiled them before)."""
    table = macros(rules_dir)
    items: list[tuple[dict[str, Any], str, int, str]] = []
    seen: set[str] = set()
    for path in rules_files(rules_dir)["regex_rules"]:
        for index, item in enumerate(read_jsonl_rules(path), 1):
            where = f"{path}: rule {index} ({item.get('id', '?')})"
            validate(item, where)
            if item["id"] in seen:
                raise ValueError(f"{where}: duplicate id {item['id']!r}")
            seen.add(item["id"])
            flags = regex.V0
            for flag in item.get("flags", []):
                flags |= getattr(regex, flag)
            items.append((item, expand(item["regex"], table, where), int(flags), where))
    patterns = _compiled([(source, flags, where) for _, source, flags, where in items])
    return tuple(_rule(item, pattern) for (item, *_), pattern in zip(items, patterns))


def _compiled(sources: list[tuple[str, int, str]]) -> list[Any]:
    """The compiled rules; a rule that does not compile is named (`where`) in the error."""
    try:
        return compile_all("entity-rules", [(source, flags) for source, flags, _ in sources])
    except regex.error:
        for source, flags, where in sources:
            try:
                regex.compile(source, flags)
            except regex.error as err:
                raise ValueError(f"{where}: regex does not compile: {err}") from err
        raise


def _rule(item: dict[str, Any], pattern: Any) -> RegexRule:
    return RegexRule(
        id=item["id"],
        label=item["label"],
        pattern=pattern,
        parser=item["parser"],
        priority=int(item.get("priority", 1)),
        context=item.get("context"),
        groups=tuple(item.get("groups", ())),
        examples=tuple(item.get("examples", ())),
        counter_examples=tuple(item.get("counter_examples", ())),
    )
