"""Where a program name ends: the word lists of `rules/entities/` that decide it, and the
cuts of a name found after a head word (`Programa`, `Fondo`…) by the open-name source
(`nlp.candidates.names`). The cuts hold on text without line breaks: field labels,
operator and heading words, clause words, capitals after a title-case name, type words
(docs/entities.md, "Text without line breaks").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import regex

from nlp.entity_rules import macros
from nlp.rules import read_jsonl_rules, read_rules_tsv, rules_path
from nlp.textmap import fold

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
    field_labels: tuple[tuple[str, ...], ...] = ()  # `Modalidad:`, `Unidad Responsable:`
    clause_words: frozenset[str] = frozenset()  # `El`, `Con`: a new clause begins
    heading_words: frozenset[str] = frozenset()  # `Resumen`, `Posición`: a heading begins
    type_phrases: tuple[tuple[str, ...], ...] = ()  # `Programa de Desarrollo Social` + name
    field_label_firsts: frozenset[str] = frozenset()  # first words of `field_labels`


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
    field_labels = {tuple(fold(p).split()) for p in _words(rules_dir, "field_labels.tsv", "label")}
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
        field_labels=tuple(sorted(field_labels, key=len, reverse=True)),
        field_label_firsts=frozenset(label[0] for label in field_labels if label),
        clause_words=frozenset(_words(rules_dir, "clause_words.tsv")),
        heading_words=frozenset(_words(rules_dir, "heading_words.tsv")),
        type_phrases=tuple(
            sorted(
                {tuple(p.split()) for p in _words(rules_dir, "type_phrases.tsv", "phrase")},
                key=len,
                reverse=True,
            )
        ),
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
        or (  # `…⏎El programa`, `…⏎Resumen Ejecutivo`
            token.i + 1 < end
            and (
                doc[token.i + 1].text in rules.clause_words
                or doc[token.i + 1].text in rules.heading_words
            )
        )
    )


def cut_name(doc: Doc, text: str, start: int, end: int, rules: ProgramRules) -> int:
    """End of the name `doc[start:end]` before a line break of a data block, a stop phrase
    (`para el ejercicio fiscal`), its operator (`de la Comisión…`) or a second, coordinated
    name (`y con el Programa…`)."""
    head = doc[start].idx
    line_start = text.rfind("\n", 0, head) + 1
    # a name that starts a short line is a title or a field: it ends with its line
    title_line = not text[line_start:head].strip(" \t*#") and (
        text.find("\n", head) % (len(text) + 1) - line_start < MIN_WRAPPED_LINE * 2
    )
    for token in doc[start + 1 : end]:
        if token.is_space and (title_line or _breaks_at(doc, text, token, end, rules)):
            end = token.i
            break
    end = _cut_at_boundary(doc, text, start, end, rules)
    words = tuple(fold(t.text) for t in doc[start:end])
    stop_firsts = {phrase[:1] for phrase in rules.stop_phrases}  # speed: most words start none
    for i in range(1, len(words)):
        if (
            words[i] in ("de", "del")
            and any(  # the next two tokens, looked at only here
                t.text in rules.institution_words
                for t in doc[start + i + 1 : min(end, start + i + 3)]
            )
        ):
            return start + i  # `… de la Comisión Nacional de Vivienda` is the operator
        if words[i] in ("y", "e") and any(
            t.text in rules.head_words for t in doc[start + i + 1 : min(end, start + i + 4)]
        ):
            return start + i  # `y con el Programa`
        if (words[i : i + 1] in stop_firsts or () in stop_firsts) and any(
            words[i : i + len(phrase)] == phrase for phrase in rules.stop_phrases
        ):
            return start + i
    return end


def _cut_at_boundary(doc: Doc, text: str, start: int, end: int, rules: ProgramRules) -> int:
    """End of a name before what text without line breaks runs into it: a field label
    (`Modalidad:`), an operator or heading word right after a capitalized word (`… Zonas
    Prioritarias Unidad de…`, `… Rural Posición Institucional`), a word that starts a new
    clause (`… Desarrollo El programa`), or capitals after a title-case name."""
    title_case = not doc[start].text.isupper()
    for i in range(start + 1, end):
        token = doc[i]
        if _field_label_at(doc, text, i, rules):
            return i
        if i < start + 2 or token.is_space:
            continue
        previous = doc[i - 1] if not doc[i - 1].is_space else doc[i - 2]
        after_word = previous.text[:1].isupper() and previous.text not in rules.connectors
        if after_word and (
            (token.text in rules.institution_words and not token.text.isupper())  # not `IMSS`
            or token.text in rules.heading_words
            or token.text in rules.clause_words
        ):
            return i
        if title_case and _caps_run(doc, i, end):
            return i
    return end


def _field_label_at(doc: Doc, text: str, i: int, rules: ProgramRules) -> bool:
    """Whether a field label followed by a colon begins at token `i` (`Modalidad:`)."""
    token = doc[i]
    if not token.text[:1].isupper():
        return False
    if i + 1 < len(doc) and doc[i + 1].text == ":":
        return True  # any capitalized word right before a colon labels a field
    first = fold(token.text)  # token `i` is the label's first word: most tokens start none
    if first not in rules.field_label_firsts:
        return False
    for label in rules.field_labels:
        if label[0] != first:
            continue
        words = [t for t in doc[i : i + len(label) + 2] if not t.is_space][: len(label)]
        if len(words) == len(label) and tuple(fold(t.text) for t in words) == label:
            after = text[words[-1].idx + len(words[-1].text) :].lstrip(" \t")
            if after.startswith(":"):
                return True
    return False


def _caps_run(doc: Doc, i: int, end: int) -> bool:
    """Two all-caps words from token `i`, one of six letters or more (`DATOS GENERALES`;
    not `SER IMSS`, a name with an acronym)."""
    words = [t.text for t in doc[i : min(end, i + 3)] if not t.is_space][:2]
    return (
        len(words) == 2
        and all(w.isupper() and w.isalpha() and len(w) >= 3 for w in words)
        and max(map(len, words)) >= 6
    )


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
    rest = [t for t in doc[start + 1 : end] if not t.is_space]  # `Fondo⏎de Apoyo…`
    first = rest[0].text if rest else ""
    if doc[start].text.islower() and (
        len([t for t in rest if t.text[:1].isupper()]) < 2
        or first in rules.clause_words
        or first in rules.heading_words
        or first in rules.institution_words
    ):
        return False  # after a lowercase `programa`: one word, a clause, a heading, a unit
    if doc[start].text == "Estrategia" and fold(first).endswith(("ar", "er", "ir")):
        return False  # `Estrategia Generar esquemas…`: a plan's strategy line (A7)
    if not (first[:1].isupper() or first in rules.first_words):
        return False
    words = [t.text for t in doc[start + 1 : end]]
    capitalized = [w for w in words if w[:1].isupper() or w[:1].isdigit()]
    if not capitalized or all(w in rules.generic_words for w in capitalized):
        return False
    folded = fold(doc[start:end].text)
    return not any(folded == term or folded.startswith(term + " ") for term in rules.not_program)


def skip_type_phrase(doc: Doc, start: int, end: int, rules: ProgramRules) -> int:
    """Start of the name after type words (`Programa de Desarrollo Social [Familias …]`, D6),
    when a capitalized word follows them; else `start`. A lowercase head and the `de`/`del`
    after it are type words too (`el programa del [Salario Rosa]`, D2)."""
    words = [t for t in doc[start:end] if not t.is_space]
    if words and words[0].text.islower():
        named = [t for t in words[1:] if t.text not in ("de", "del")]
        return named[0].i if named else start
    for phrase in rules.type_phrases:
        n = len(phrase)
        if len(words) > n and tuple(t.text for t in words[:n]) == phrase:
            if words[n].text[:1].isupper() or words[n].text[:1].isdigit():
                return words[n].i
    return start


_QUOTED_TAIL = regex.compile(r"[ \t]*[\"“«]\p{Lu}[^\"“”«»\n]{0,40}[\"”»]")


def quoted_tail_end(text: str, end: int) -> int:
    """End of a name whose last words are quoted (`… para Vivienda “Esta es tu casa”`, D8):
    the closing quote, when a short quoted phrase follows the name; else `end`."""
    match = _QUOTED_TAIL.match(text, end)
    return match.end() if match else end
