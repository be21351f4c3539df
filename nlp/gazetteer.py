"""The program gazetteer as one compiled regex: any name, alias or earlier name of a program.

Matching is case- and accent-insensitive and lets a hyphen or line break stand
between the parts of a name (`IMSS-BIENESTAR`, `**IMSS**⏎⏎**BIENESTAR**` once the
markup is gone). A match must start with a capital letter or digit: names are proper
nouns, so `prestaciones sociales` in a sentence is not the program.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from nlp.catalog import load, name_key
from nlp.regex_cache import compile_all
from nlp.regex_reading import case_variants
from nlp.textmap import fold


@dataclass(frozen=True)
class Program:
    """One program of the gazetteer: canonical name, budget key, every other name it had."""

    id: str
    name: str
    key: str | None
    aliases: tuple[str, ...] = field(default_factory=tuple)
    role: str = "program"  # or "alignment": plans and sectoral programs documents align to
    acronyms: tuple[str, ...] = field(default_factory=tuple)  # matched as written (case-sensitive)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@lru_cache(maxsize=8)
def load_programs(rules_dir: str | None = None) -> tuple[Program, ...]:
    """The program gazetteer, read from the catalogue (`catalog/programs.tsv`): names and
    aliases of every year, and acronyms; `other_names` are for lookups only, not matching."""
    return tuple(
        Program(
            id=entry.id,
            name=entry.name,
            key=entry.key,
            aliases=tuple(dict.fromkeys(a.value for a in entry.aliases)),
            role=entry.role,
            acronyms=tuple(dict.fromkeys(a.value for a in entry.acronyms)),
        )
        for entry in load(str(rules_dir) if rules_dir else None).entries
    )


@lru_cache(maxsize=8)
def program_lookup(rules_dir: str | None = None) -> dict[str, Program]:
    """Folded name, alias or key -> program, for resolving any mention to its canonical entry."""
    table: dict[str, Program] = {}
    programs = load_programs(rules_dir)
    for program in programs:
        for name in (*program.names, *program.acronyms):
            table.setdefault(fold(name), program)
    holders: dict[str, list[Program]] = {}
    for program in programs:
        if program.key:
            holders.setdefault(fold(program.key), []).append(program)
    for key, found in holders.items():  # a key two programs held (in other years) names neither
        if len(found) == 1:
            table.setdefault(key, found[0])
    return table


_VOWELS = {"a": "[aá]", "e": "[eé]", "i": "[ií]", "o": "[oó]", "u": "[uúü]", "n": "[nñ]"}


_QUOTE_MARK = "\x01"  # a quote of the name, kept through `fold`
_NAME_SPACE = r"(?:[ \t]+\n?[ \t]*|\n[ \t]*)"
#: The space between words, defined once in the gazetteer regex and called by name: written
#: out at each of its ~1,300 places it made every match attempt reset ~1,300 repeats (the
#: `regex` engine's cost grows with them; the call is not atomic, so it matches the same).
_NAME_SPACE_DEFINE = r"(?(DEFINE)(?P<sp>[ \t]+\n?[ \t]*|\n[ \t]*))"


def _alias_tokens(alias: str, accents: bool = True) -> list[str]:
    """The regex pieces of one name, one per folded character (`accents=False`: a vowel or
    `n` as itself, for the accent-free view of `GazetteerScan`)."""
    parts = []
    for char in fold(regex.sub(r"[\"“”«»]", _QUOTE_MARK, alias)):
        if char == _QUOTE_MARK:  # `Vivienda “Esta es tu casa”`: the quotes are part of the name
            parts.append(r"[\"“”«»]?")
        elif char == "-":  # `IMSS-BIENESTAR`, `IMSS BIENESTAR`, a logo split over lines
            parts.append(r"[-\s]+")
        elif char == " ":  # words of a name: spaces, or one line break, never a paragraph break
            parts.append(_NAME_SPACE)
        elif char in _VOWELS:
            parts.append(_VOWELS[char] if accents else char)
        else:
            parts.append(regex.escape(char))
    return parts


def _trie(names: list[list[str]]) -> str:
    """One regex for many names, shared prefixes written once (hundreds of catalogue names
    starting `Programa de …` are tried together, not one after another). A longer name
    is tried before the shorter one it extends, as a longest-first alternation would."""
    root: dict[str, dict] = {}
    for tokens in names:
        node = root
        for token in tokens:
            node = node.setdefault(token, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [token + emit(child) for token, child in node.items() if token]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@lru_cache(maxsize=8)
def name_index(rules_dir: str | None = None) -> dict[str, Program]:
    """Name key of every name, alias and acronym -> its program."""
    index: dict[str, Program] = {}
    for program in load_programs(rules_dir):
        for name in (*program.names, *program.acronyms):
            index.setdefault(name_key(name), program)
    return index


def _pattern(rules_dir: str | None, accents: bool, acronym_group: str = "") -> str:
    """The gazetteer regex: every name (a trie) or acronym, starting with a capital or digit."""
    programs = load_programs(rules_dir)
    names = _trie([_alias_tokens(n, accents) for p in programs for n in p.names])
    names = names.replace(_NAME_SPACE, "(?&sp)")  # speed (issue 16), see _NAME_SPACE_DEFINE
    # as written: `FAM` is the fund, `Fam.` is not. Longest first; among equally long
    # ones (none matches where another does) in a fixed order, so the regex is the same
    # string in every process and `nlp.regex_cache` finds it (a set's order is not).
    acronyms = sorted(
        {regex.escape(a).replace("\\-", "[-\\s]?") for p in programs for a in p.acronyms},
        key=lambda acronym: (-len(acronym), acronym),
    )
    # A name starts with a capital or a digit: the lookahead rejects other starts at once.
    # The group definition goes last: in front, the engine entered it at every position
    # it tried (speed, issue 16: the scan took twice as long); it matches nothing either way.
    first = _first_capitals(programs, accents)
    return (
        r"(?<![\w-])(?-i:(?=["
        + first
        + r"]))(?:"
        + names
        + (_group(acronym_group, "(?-i:" + "|".join(acronyms) + ")") if acronyms else "")
        + r")(?![\w-])"
        + _NAME_SPACE_DEFINE
    )


def _first_capitals(programs: tuple[Program, ...], accents: bool) -> str:
    """The class of the capitals and digits a name or acronym can start with (`P`, `F`…):
    the `[\\p{Lu}\\d]` a match needs, less what no name starts with (digits: no name
    does; speed, issue 16: the scan tried the trie at every digit, 29 -> 20 ms on 98 texts).
    A name whose first character is not a letter or a digit keeps `[\\p{Lu}\\d]`."""
    firsts: set[str] = set()
    for program in programs:
        for name in program.names:
            first = fold(name)[:1]
            if not first.isalnum():
                return r"\p{Lu}\d"
            firsts.update(_VOWELS[first][1:-1] if accents and first in _VOWELS else first)
        firsts.update(acronym[:1] for acronym in program.acronyms)
    variants = [case_variants(first) for first in firsts]
    if None in variants:  # the engine does not say which characters it folds together
        return r"\p{Lu}\d"
    cases = {case for found in variants for case in found or ()}
    starts = sorted(c for c in cases | firsts if _CAPITAL_OR_DIGIT.match(c))
    return "".join(map(regex.escape, starts))


_CAPITAL_OR_DIGIT = regex.compile(r"[\p{Lu}\d]")


def _group(name: str, body: str) -> str:
    """`|body`, captured as group `name` when one is given."""
    return f"|(?P<{name}>{body})" if name else f"|{body}"


@lru_cache(maxsize=8)
def gazetteer(rules_dir: str | None = None) -> tuple[object, dict[str, Program]]:
    """(compiled regex of every program name, name key -> program); the compiled regex
    comes from the cache of `nlp.regex_cache` (its ~5,400 accent classes took ~0.2 s)."""
    (pattern,) = compile_all("gazetteer", [(_pattern(rules_dir, accents=True), regex.I)])
    return pattern, name_index(rules_dir)


#: Accented letters -> the letter `_VOWELS` writes them with (`á`, `Á` -> `a`, `A`).
_UNACCENT = {
    accented: plain
    for plain, group in _VOWELS.items()
    for accented in group[1:-1].replace(plain, "")
} | {
    accented.upper(): plain.upper()
    for plain, group in _VOWELS.items()
    for accented in group[1:-1].replace(plain, "")
}
_ACCENTED = regex.compile("[" + "".join(_UNACCENT) + "]")


class GazetteerScan:
    """The matches of the `gazetteer` regex, found by a regex without its ~5,400 accent
    classes (`[aá]`), which took ~0.2 s of every process's start to compile.

    Names are matched on a view of the text where each accented letter the classes
    allow is its plain letter (same length, same offsets): `a` ignoring case there
    matches exactly what `[aá]` matches in the text. Acronyms are matched as written,
    so an acronym the view matches over an accented letter (`PAL` in `PÁL`) may not be
    one in the text: then the text goes through the `gazetteer` regex itself.
    """

    def __init__(self, rules_dir: str | None = None) -> None:
        self.rules_dir = rules_dir
        source = _pattern(rules_dir, accents=False, acronym_group="acronym")
        # read from the cache of compiled patterns: ~1 ms instead of ~35-100 ms (issue 16)
        (self.pattern,) = compile_all("gazetteer_scan", [(source, regex.I)])

    def spans(self, text: str, timeout: float | None = None) -> list[tuple[int, int]]:
        """(start, end) of every match of the `gazetteer` regex in `text`, in order."""
        view = _ACCENTED.sub(lambda m: _UNACCENT[m.group()], text)
        out = []
        for match in self.pattern.finditer(view, timeout=timeout):
            if view is not text and match.start("acronym") >= 0:
                if _ACCENTED.search(text, match.start(), match.end()):
                    full, _ = gazetteer(self.rules_dir)
                    return [m.span() for m in full.finditer(text, timeout=timeout)]  # type: ignore[attr-defined]
            out.append(match.span())
        return out


def lookup(surface: str, rules_dir: str | None = None) -> Program | None:
    """The gazetteer program a surface names (also without a leading `Programa`)."""
    index = name_index(rules_dir)
    key = name_key(surface)
    if key in index:
        return index[key]
    if key.startswith("programa "):
        return index.get(key[len("programa ") :])
    return None
