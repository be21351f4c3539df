"""What the project knows about program mentions: which mentions a document links to a
program (acronyms it defines, bare budget keys), the program's value, and the program a
document is about. Where a name ends is `nlp.program_names`.

Used by the candidate source of open names (`nlp.candidates.names`), by the entities
component (linking and values) and by the index (a document's main program). The word
lists are data under `rules/entities/`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import regex

from nlp.candidates import LABEL_RANK, Candidate
from nlp.catalog import link_value
from nlp.gazetteer import lookup, program_lookup
from nlp.program_names import ProgramRules, program_rules
from nlp.textmap import fold
from nlp.values.programs import canonical_name, normalize_key


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
    if not acronym:
        return []
    out = []
    name = canonical_name(surface, rules_dir)
    for group in ("acr", "acr2"):  # `(FAISM/FISM)`, `(FAISM o FISM)`: two acronyms of one name
        acr = acronym.group(group)
        if not acr or (fold(acr) in rules.not_program and not _initials_of(acr, surface)):
            continue  # `Programa Nacional de Becas (SEP)`: the operator, not an acronym
        value = {"name": name, "key": normalize_key(acr)}  # `… Familias Trabajadoras (S311)`
        # `el PAL-Sin Hambre`: the acronym before a hyphenated component name is its own span
        word = regex.compile(r"(?<![\w-])" + regex.escape(acr) + r"(?!\w)(?!-(?!\p{Lu}\p{Ll}))")
        out += [
            _program_candidate(hit, "program.acronym_defined", value=dict(value))
            for hit in word.finditer(text)
        ]
    return out


def _initials_of(acronym: str, name: str) -> bool:
    """Whether `acronym` is made of the name's initials (`PAE` of `Programa de Apoyo al
    Empleo`): then the document defines it, even if it names something else elsewhere."""
    initials = "".join(word[0] for word in regex.findall(r"\w+", name)).upper()
    letters = iter(initials)
    return acronym[:1] == initials[:1] and all(ch in letters for ch in acronym.upper())


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
    # the same name in capitals and in title case is one program (`COORDINAR LA POLÍTICA …`)
    name_to_key = {fold(name): key for key, name in stated.items() if name}
    for cand in programs:
        if cand.value["name"] is None:  # a bare key
            key = cand.value["key"]
            cand.value = {"name": stated.get(key) or key, "key": key} if key else None
        else:
            key = name_to_key.get(fold(cand.value["name"]))
            cand.value = {"name": cand.value["name"], "key": key}
    for cand in programs:  # the catalogue id (docs/catalog.md)
        if isinstance(cand.value, dict):
            cand.value = link_value(cand.value, None, rules_dir)
