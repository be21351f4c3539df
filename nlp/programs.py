"""What the project knows about program names, in one place: where a name ends, which
mentions a document links to a program (acronyms it defines, bare budget keys), the
program's value, and the program a document is about.

Used by the candidate source of open names (`nlp.candidates.names`), by the entities
component (linking and values) and by the index (a document's main program). The word
lists are data under `rules/entities/`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from nlp.candidates import LABEL_RANK, Candidate
from nlp.catalog import link_value
from nlp.entity_rules import macros
from nlp.gazetteer import lookup, program_lookup
from nlp.rules import read_jsonl_rules, read_rules_tsv, rules_path
from nlp.textmap import fold
from nlp.values.programs import canonical_name, normalize_key

if TYPE_CHECKING:  # spaCy only for the type: the index uses programs without loading spaCy
    from spacy.tokens import Doc

#: A line at least this long that ends inside a name is wrapped prose, not a line of a data block.
MIN_WRAPPED_LINE = 40


@dataclass(frozen=True)
class ProgramRules:
    """The word lists and patterns of `rules/entities/` that decide program names."""

    head_words: frozenset[str]  # `Programa`, `Fondo`…: the first word of the open patterns
    connectors: frozenset[str]  # words a name never ends with (`de`, `para`)
    first_words: frozenset[str]  # lower-case words that may start a name
    stop_phrases: tuple[tuple[str, ...], ...]  # a name ends before these (`para el ejercicio`)
    institution_words: frozenset[str]  # `de la Comisión…` after a name is its operator
    generic_words: frozenset[str]  # `Programa`, `Federal`: not enough to make a name
    alignment_prefixes: tuple[str, ...]  # plans and sectoral programs documents align to
    not_program: tuple[str, ...]  # folded terms that look like names and are not
    acronym_re: Any  # an acronym in parentheses right after a name
    bare_key_re: Any  # a budget key alone (`E012`)


def pattern_heads(rules_dir: str | None = None) -> list[str]:
    """Head words of the program patterns (`Programa`, `Fondo`…), in file order."""
    heads: list[str] = []
    for item in read_jsonl_rules(rules_path(rules_dir, "entities", "program_patterns.jsonl")):
        heads.extend(item["pattern"][0].get("ORTH", {}).get("IN", []))
    return heads


def _words(rules_dir: str | None, name: str, column: str = "word") -> list[str]:
    return [row[column] for row in read_rules_tsv(rules_dir, "entities", name)]


@lru_cache(maxsize=8)
def program_rules(rules_dir: str | None = None) -> ProgramRules:
    """The program rules of a rules folder, read once."""
    table = macros(rules_dir)
    not_program = {fold(term) for term in _words(rules_dir, "not_program.tsv", "term")}
    return ProgramRules(
        head_words=frozenset(pattern_heads(rules_dir)),
        connectors=frozenset(_words(rules_dir, "program_connectors.tsv")),
        first_words=frozenset(_words(rules_dir, "program_first_words.tsv")),
        stop_phrases=tuple(
            tuple(fold(p).split()) for p in _words(rules_dir, "program_stop_phrases.tsv", "phrase")
        ),
        institution_words=frozenset(_words(rules_dir, "institution_words.tsv")),
        generic_words=frozenset(_words(rules_dir, "generic_name_words.tsv")),
        alignment_prefixes=tuple(
            fold(p) for p in _words(rules_dir, "alignment_prefixes.tsv", "prefix")
        ),
        not_program=tuple(sorted(not_program, key=len, reverse=True)),
        acronym_re=regex.compile(table["ACRONYM_DEFINITION"]),
        bare_key_re=regex.compile(table["BUDGET_KEY"]),
    )


# -- where a name ends ---------------------------------------------------------------------
def _breaks_at(doc: Doc, text: str, token: Any, end: int, rules: ProgramRules) -> bool:
    """True when a name stops at this line break: it goes on only in wrapped prose."""
    line_start = text.rfind("\n", 0, token.idx) + 1
    after = token.idx + len(token.text)
    next_line = text[after : text.find("\n", after) % (len(text) + 1)]
    return (
        token.idx - line_start < MIN_WRAPPED_LINE
        or ":" in next_line[:40]  # the next line is a `Label: value` of a data block
        or (token.i + 1 < end and doc[token.i + 1].text in rules.generic_words)  # `…\nEl programa`
    )


def cut_name(doc: Doc, text: str, start: int, end: int, rules: ProgramRules) -> int:
    """End of the name `doc[start:end]` before a line break of a data block, a stop phrase
    (`para el ejercicio fiscal`), its operator (`de la Comisión…`) or a second, coordinated
    name (`y con el Programa…`)."""
    head = doc[start].idx
    starts_line = not text[text.rfind("\n", 0, head) + 1 : head].strip(" \t*#")
    for token in doc[start + 1 : end]:
        if token.is_space and (starts_line or _breaks_at(doc, text, token, end, rules)):
            end = token.i
            break
    words = tuple(fold(t.text) for t in doc[start:end])
    for i in range(1, len(words)):
        next_two = doc[start + i + 1 : min(end, start + i + 3)]
        if words[i] in ("de", "del") and any(t.text in rules.institution_words for t in next_two):
            return start + i  # `… de la Comisión Nacional de Vivienda` is the operator
        next_three = doc[start + i + 1 : min(end, start + i + 4)]
        if words[i] in ("y", "e") and any(t.text in rules.head_words for t in next_three):
            return start + i  # `y con el Programa`
        for phrase in rules.stop_phrases:
            if words[i : i + len(phrase)] == phrase:
                return start + i
    return end


def trim_name(doc: Doc, start: int, end: int, rules: ProgramRules) -> int:
    """End of a matched name without trailing connectors, digits or spaces; a word
    hyphenated at the line end (`Trata-⏎miento`) stays in the name."""
    while end > start + 1 and (
        doc[end - 1].text in rules.connectors or doc[end - 1].is_digit or doc[end - 1].is_space
    ):
        end -= 1
    if (
        doc[end - 1].text.endswith("-")
        and end + 1 < len(doc)
        and doc[end].is_space
        and doc[end + 1].is_lower
    ):
        end += 2
    return end


def is_name(doc: Doc, start: int, end: int, rules: ProgramRules) -> bool:
    """Whether `doc[start:end]` (head word first) names a program: its first word is
    capitalized or a known first word, it has a specific capitalized word, and it is not a
    term of `not_program.tsv`."""
    first = doc[start + 1].text if end > start + 1 else ""
    if not (first[:1].isupper() or first in rules.first_words):
        return False
    words = [t.text for t in doc[start + 1 : end]]
    capitalized = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    if not capitalized or all(w in rules.generic_words for w in capitalized):
        return False
    folded = fold(doc[start:end].text)
    return not any(folded == term or folded.startswith(term + " ") for term in rules.not_program)


def widen_over_markup(text: str, start: int, end: int) -> tuple[int, int]:
    """A name split by markup (`**IMSS**⏎⏎**BIENESTAR**`) is one span, outer markers included."""
    while start >= 2 and text[start - 2 : start] == "**":
        start -= 2
    while text[end : end + 2] == "**":
        end += 2
    return start, end


# -- mentions a document links to a program -----------------------------------------------
def _is_key_mention(cand: Candidate) -> bool:
    return cand.parser == "program_key"


def linked_mentions(
    text: str, chosen: list[Candidate], rules_dir: str | None = None
) -> list[Candidate]:
    """Mentions a first pass makes known: bare budget keys of this document's programs,
    and acronyms defined right after a program name (`… Mujeres Rurales (PEPMUR)`)."""
    rules = program_rules(rules_dir)
    keys: set[str] = set()
    extra: list[Candidate] = []
    for cand in chosen:
        if cand.label != "PROGRAM":
            continue
        surface = text[cand.start : cand.end]
        if _is_key_mention(cand):
            key = normalize_key(surface)
        else:
            program = lookup(surface, rules_dir)
            key = program.key if program else None
            extra.extend(_acronym_mentions(text, cand, surface, rules, rules_dir))
        if key:
            keys.add(key)
    if keys:
        for hit in rules.bare_key_re.finditer(text):
            if normalize_key(hit.group()) in keys:
                extra.append(_program_candidate(hit, "program.known_key", parser="program_key"))
    return extra


def _acronym_mentions(
    text: str, cand: Candidate, surface: str, rules: ProgramRules, rules_dir: str | None
) -> list[Candidate]:
    """Every use of an acronym defined in parentheses right after the name `cand`."""
    acronym = rules.acronym_re.match(text, cand.end)
    if not acronym or fold(acronym.group("acr")) in rules.not_program:
        return []
    value = {
        "name": canonical_name(surface, rules_dir),
        "key": normalize_key(acronym.group("acr")),  # `… Familias Trabajadoras (S311)`
    }
    word = regex.compile(r"(?<![\w-])" + regex.escape(acronym.group("acr")) + r"(?![\w-])")
    return [
        _program_candidate(hit, "program.acronym_defined", value=dict(value))
        for hit in word.finditer(text)
    ]


def _program_candidate(hit: Any, rule: str, **fields: Any) -> Candidate:
    return Candidate(hit.start(), hit.end(), "PROGRAM", rule, LABEL_RANK["PROGRAM"], 0, **fields)


# -- the program a document is about ------------------------------------------------------
def is_alignment(name: str, rules_dir: str | None = None) -> bool:
    """A plan or sectoral program that documents align to, not one they describe."""
    program = lookup(name, rules_dir)
    if program is not None and program.role == "alignment":
        return True
    return fold(name).startswith(program_rules(rules_dir).alignment_prefixes)


def title_span(text: str) -> tuple[int, int]:
    """Offsets of a document's title: its first line with a word on it."""
    match = regex.search(r"[^\n]*\w[^\n]*", text)
    return match.span() if match else (0, 0)


def main_program(
    mentions: Iterable[tuple[int, str | None]], text: str, rules_dir: str | None = None
) -> str | None:
    """The program a document is about, from its PROGRAM mentions `(start, canonical name)`:
    the program its title names, else its most mentioned program (ties: the first
    mentioned), plans and sectoral programs it aligns to left out."""
    start, end = title_span(text)
    counts: Counter[str] = Counter()
    for at, name in sorted(mentions, key=lambda m: m[0]):
        if not name:
            continue
        if start <= at < end:
            return name
        if not is_alignment(name, rules_dir):
            counts[name] += 1
    return counts.most_common(1)[0][0] if counts else None


# -- program values -------------------------------------------------------------------------
def program_values(chosen: list[Candidate], text: str, rules_dir: str | None = None) -> None:
    """Complete the values `{name, key}` of the chosen PROGRAMs (as their parsers read them):
    a key only where the document states it; a bare key named by the gazetteer, else by the
    document's main program."""
    programs = [c for c in chosen if c.label == "PROGRAM" and isinstance(c.value, dict)]
    stated: dict[str, str | None] = {}  # key -> canonical name stated beside it
    for cand in programs:
        key, name = cand.value.get("key"), cand.value.get("name")
        if key and name is not None:
            stated[key] = name  # a key defined in parentheses after its name
        elif key:
            stated.setdefault(key, None)
    for cand in programs:  # a quoted name right after a key names that key's program
        key = normalize_key(cand.groups.get("key") or "") if cand.group == "name" else None
        if key:
            stated[key] = cand.value["name"]
    main = main_program(((c.start, c.value["name"]) for c in programs), text, rules_dir)
    lookup_key = program_lookup(rules_dir)
    for key, name in list(stated.items()):
        if name is None:  # a key stated alone: the gazetteer's program, else the document's
            program = lookup_key.get(fold(key))
            stated[key] = program.name if program else main
    name_to_key = {name: key for key, name in stated.items() if name}
    for cand in programs:
        if cand.value["name"] is None:  # a bare key
            key = cand.value["key"]
            cand.value = {"name": stated.get(key) or key, "key": key} if key else None
        else:
            cand.value = {"name": cand.value["name"], "key": name_to_key.get(cand.value["name"])}
    for cand in programs:  # the catalogue id (docs/catalog.md)
        if isinstance(cand.value, dict):
            cand.value = link_value(cand.value, None, rules_dir)
