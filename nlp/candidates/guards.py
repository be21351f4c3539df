"""A cheap first-character test in front of a regex rule, computed from the rule itself.

Most entity rules open with lookbehinds (`(?<![\\w/])(?<!calle\\s{1,3})…`), which the
`regex` engine runs at every position of the text before it looks at the first character
a match needs (a digit of the day). `first_chars` reads a rule's pattern and returns the
characters a match can start with; `guarded` puts them in front as a lookahead
(`(?=[\\dp])…`), so most positions fail on one character test. The lookahead only
restates what the pattern requires, so the matches are the same; a pattern the reader
does not fully understand, one that can match the empty string, or one that can start
with many letters (where a guard costs more than it saves) gets no guard.
"""

from __future__ import annotations

import re
import string

import regex

from nlp.regex_reading import case_variants

#: A guard that lets more distinct letters than this through is not worth its test.
MAX_LETTERS = 4

_QUANT_RE = re.compile(r"\{(\d*)(?:,(\d*))?\}")
_ZERO_WIDTH_ESCAPES = set("bBAZzGmM")
_CLASS_ESCAPES = {"d": 0, "s": 0}  # escapes a guard may hold: digits, spaces (no letters)
_LITERAL_ESCAPES = set("ntrf") | set(string.punctuation) | {" "}


class _Unknown(Exception):
    """The pattern uses syntax the reader does not handle: no guard."""


class _Reader:
    """A recursive reader of the part of regex syntax the rules use."""

    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.ignorecase = False

    def alternation(self) -> tuple[set[str], bool]:
        """(first-character fragments, can be empty) of `a|b|…` up to `)` or the end."""
        firsts, nullable = self.sequence()
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            more, more_nullable = self.sequence()
            firsts |= more
            nullable = nullable or more_nullable
        return firsts, nullable

    def sequence(self) -> tuple[set[str], bool]:
        firsts: set[str] = set()
        nullable = True
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            if not nullable:  # the first character is decided: the rest is only skipped
                self._skip(stop_at_branch=True)
                break
            atom, atom_nullable = self.atom()
            atom_nullable = self.quantifier() or atom_nullable
            firsts |= atom
            nullable = atom_nullable
        return firsts, nullable

    def quantifier(self) -> bool:
        """Skip a quantifier after an atom; True when it allows zero repetitions."""
        p, i = self.p, self.i
        if i < len(p) and p[i] in "*?+":
            self.i += 1
            zero = p[i] != "+"
        elif i < len(p) and p[i] == "{" and (found := _QUANT_RE.match(p, i)):
            self.i = found.end()
            zero = found.group(1) in ("", "0")
        else:
            return False
        if self.i < len(p) and p[self.i] in "?+":  # lazy or possessive
            self.i += 1
        return zero

    def atom(self) -> tuple[set[str], bool]:
        c = self.p[self.i]
        self.i += 1
        if c == "(":
            return self.group()
        if c == "[":
            return {self.char_class()}, False
        if c == "\\":
            return self.escape()
        if c in "^$":
            return set(), True
        if c == ".":
            raise _Unknown("any character")
        return {re.escape(c)}, False

    def escape(self) -> tuple[set[str], bool]:
        c = self.p[self.i]
        self.i += 1
        if c in _ZERO_WIDTH_ESCAPES:
            return set(), True
        if c in _CLASS_ESCAPES or c in _LITERAL_ESCAPES:
            return {"\\" + c}, False
        raise _Unknown(f"escape \\{c}")

    def char_class(self) -> str:
        """The inside of `[...]`, kept as it is written; negated classes are unknown."""
        start = self.i
        if self.p[start : start + 1] in ("^", "]"):
            raise _Unknown("negated class")
        while self.p[self.i] != "]":
            if self.p[self.i] == "[":
                raise _Unknown("nested class")
            if self.p[self.i] == "\\":
                if self.p[self.i + 1] not in _CLASS_ESCAPES and self.p[self.i + 1] not in (
                    _LITERAL_ESCAPES | {"u", "x"}
                ):
                    raise _Unknown("class escape")
                self.i += 1
            self.i += 1
        self.i += 1
        return self.p[start : self.i - 1]

    def group(self) -> tuple[set[str], bool]:
        p = self.p
        if p.startswith(("?=", "?!", "?<=", "?<!"), self.i):  # lookaround: zero width
            self._skip_group()
            return set(), True
        if p.startswith("?:", self.i) or p.startswith("?>", self.i):
            self.i += 2
        elif p.startswith("?P<", self.i):
            self.i = p.index(">", self.i) + 1
        elif p.startswith("?", self.i):
            flags = re.match(r"\?([a-zA-Z]*)(?:-([a-zA-Z]*))?:", p[self.i :])
            if not flags or set(flags.group(0)) & set("xX"):
                raise _Unknown("group kind")
            self.ignorecase = self.ignorecase or "i" in flags.group(1)
            self.i += flags.end()
        firsts, nullable = self.alternation()
        self._close()
        return firsts, nullable

    def _skip_group(self) -> None:
        """Move past the `)` that closes the group just opened (its content does not matter)."""
        self._skip(stop_at_branch=False)
        self._close()

    def _skip(self, stop_at_branch: bool) -> None:
        """Move to the `)` (or, with `stop_at_branch`, the `|`) that ends the current level."""
        p, depth = self.p, 0
        while self.i < len(p):
            c = p[self.i]
            if depth == 0 and (c == ")" or (stop_at_branch and c == "|")):
                return
            self.i += 1
            if c == "\\":
                self.i += 1
            elif c == "[":
                self.i += 1 if p[self.i] == "]" else 2 if p.startswith("^]", self.i) else 0
                while p[self.i] != "]":
                    self.i += 2 if p[self.i] == "\\" else 1
                self.i += 1
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1

    def _close(self) -> None:
        if self.i >= len(self.p) or self.p[self.i] != ")":
            raise _Unknown("unbalanced group")
        self.i += 1


def first_chars(pattern: str) -> tuple[str, bool] | None:
    """(class body of the characters a match can start with, whether an inline `(?i:`
    may apply); None when unknown, when the pattern can match the empty string, or when
    too many letters can start it."""
    read = _read_firsts(pattern)
    if read is None:
        return None
    firsts, nullable, ignorecase = read
    if nullable or not firsts:
        return None
    body = "".join(sorted(_safe_dashes(f) for f in firsts))
    if letters_in_class(body) > MAX_LETTERS:
        return None
    return body, ignorecase


def _read_firsts(pattern: str) -> tuple[set[str], bool, bool] | None:
    """(first-character fragments, whether the pattern can match empty, whether an inline
    `(?i:` may apply), or None where the reader does not understand the whole pattern."""
    reader = _Reader(pattern)
    try:
        firsts, nullable = reader.alternation()
        if reader.i != len(pattern):
            raise _Unknown("trailing text")
    except (_Unknown, IndexError, ValueError):
        return None
    return firsts, nullable, reader.ignorecase


def _safe_dashes(body: str) -> str:
    """A class body whose `-` at either end stays literal when bodies are joined."""
    if body.startswith("-"):
        body = "\\-" + body[1:]
    if body.endswith("-") and not body.endswith("\\-"):
        body = body[:-1] + "\\-"
    return body


def letters_in_class(body: str) -> int:
    """Distinct letters a class body admits (ranges counted in full, case folded)."""
    letters: set[str] = set()
    for found in re.finditer(r"\\.|(.)-(.)|(.)", body):
        if found.group(1):
            letters |= {chr(k).lower() for k in range(ord(found[1]), ord(found[2]) + 1)}
        elif found.group(3):
            letters.add(found[3].lower())
    return len({c for c in letters if c.isalpha()})


def guarded(pattern: str, ignorecase: bool = False, fullcase: bool = False) -> str:
    """`pattern` with its first-character lookahead in front (or as it is, when none);
    `ignorecase`, `fullcase`: the flags the pattern is compiled with."""
    first = first_chars(pattern)
    if first is None:
        return pattern
    body, inline_ignorecase = first
    if fullcase:  # full case folding (`ß` = `ss`): the engine folds the class itself
        guard = f"(?=[{body}])"
        return (f"(?i:{guard})" if inline_ignorecase else guard) + pattern
    return guard_lookahead(body, ignorecase, inline_ignorecase) + pattern


def guard_lookahead(body: str, ignorecase: bool, inline_ignorecase: bool = False) -> str:
    """The lookahead of a first-character class body, in the form the `regex` engine skips
    fastest (speed, issue 16): `\\d` alone as `(?=\\d)`, digits `\\d` covers dropped, and a
    case-insensitive class written out with every case of its letters inside `(?-i:…)`
    (`(?-i:(?=[\\dPpſ]))`: a case-insensitive class test costs twice a plain one)."""
    tokens = _class_tokens(body)
    if "\\d" in tokens:
        tokens = [t for t in tokens if t == "\\d" or not _ascii_digits(t)]
    if not (ignorecase or inline_ignorecase):
        return _lookahead(tokens)
    cased = _all_cases(tokens)
    if cased is None:  # the engine gives no case table: let it fold the class itself
        guard = _lookahead(tokens)
        return guard if ignorecase else f"(?i:{guard})"
    guard = _lookahead(cased)
    return f"(?-i:{guard})" if ignorecase else guard


#: One item of a class body: a character or an escape, maybe a range of two.
_CHAR = r"(?:\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\.|[^\\])"
_CLASS_ITEM_RE = re.compile(f"{_CHAR}(?:-{_CHAR})?")


def _class_tokens(body: str) -> list[str]:
    """A class body as its items: escapes (`\\d`, `\\u2212`), ranges (`0-3`), characters."""
    return _CLASS_ITEM_RE.findall(body)


def _char(item: str) -> str | None:
    """The character one class item stands for (None for a class escape such as `\\d`)."""
    if not item.startswith("\\"):
        return item
    if item[1] in "ux":
        return chr(int(item[2:], 16))
    return None if item[1].isalnum() else item[1]


def _range(token: str) -> tuple[str, str] | None:
    """(first, last) character of a class item, or None for a class escape."""
    ends = [m.group(0) for m in re.finditer(_CHAR, token)]
    chars = [_char(end) for end in ends]
    if None in chars:
        return None
    return (chars[0], chars[-1])  # type: ignore[return-value]


def _ascii_digits(token: str) -> bool:
    span = _range(token)
    return span is not None and span[0] in string.digits and span[1] in string.digits


def _lookahead(tokens: list[str]) -> str:
    return "(?=\\d)" if tokens == ["\\d"] else "(?=[" + "".join(tokens) + "])"


def _all_cases(tokens: list[str]) -> list[str] | None:
    """The class items with every character the `regex` engine matches case-insensitively
    to a letter among them added (`p` -> `p`, `P`; `s` -> `s`, `S`, `ſ`), or None when the
    engine does not say (`regex_reading.case_variants`, its own case table)."""
    if case_variants("a") is None:
        return None
    out: list[str] = []
    for token in tokens:
        span = _range(token)
        if span is None or not any(chr(c).isalpha() for c in range(ord(span[0]), ord(span[1]) + 1)):
            out.append(token)
            continue
        for code in range(ord(span[0]), ord(span[1]) + 1):
            for case in case_variants(chr(code)) or ():
                item = regex.escape(case)
                if item not in out:
                    out.append(item)
    return out


_LOOKAROUNDS = ("(?<=", "(?<!", "(?=", "(?!")


def cheap_lookarounds_first(pattern: str) -> str:
    """`pattern` with the lookarounds it opens with reordered, shortest first
    (`(?<!\\w)(?<!(?:enero|…)\\s*a\\s*)` rather than the other way round): tests at one
    position, so their order does not change what matches, but a cheap one that fails
    spares the long one. Left as it is when a lookaround holds a group (numbering)."""
    parts, end = _leading_lookarounds(pattern)
    follows = pattern[end : end + 1]
    if len(parts) < 2 or follows in ("?", "*", "+", "{"):
        return pattern
    if any(re.search(r"\((?!\?)|\(\?P|\\[1-9]", part) for part in parts):
        return pattern
    return "".join(sorted(parts, key=len)) + pattern[end:]


def _leading_lookarounds(pattern: str, start: int = 0) -> tuple[list[str], int]:
    """The lookarounds `pattern` opens with from `start`, and where they end (none when
    the reader does not understand one)."""
    reader = _Reader(pattern)
    reader.i = start
    parts: list[str] = []
    try:
        while pattern.startswith(_LOOKAROUNDS, reader.i):
            begin = reader.i
            reader.i += 1
            reader._skip_group()
            parts.append(pattern[begin : reader.i])
    except (IndexError, ValueError, _Unknown):
        return [], start
    return parts, reader.i


_NOT_WORD_BEFORE = "(?<!\\w)"


#: A guard (`(?=[0-3\\d])`, maybe in `(?i:…)`) and a lookbehind class that holds `\\w` after it.
_GUARD_RE = re.compile(r"(\(\?-?i:)?\(\?=(?:\[((?:\\.|[^\]\\])*)\]|(\\d))\)(?(1)\))")
_NOT_WORD_CLASS_RE = re.compile(r"\(\?<!\[(?!\^)(?:\\.|[^\]\\])*?\\w(?:\\.|[^\]\\])*\]\)")


def word_boundary_first(pattern: str) -> str:
    """`pattern` with a `\\b` test first when every match starts with a word character that
    no word character precedes: a leading `(?<!\\w)` is written `\\b`, and `\\b` goes in
    front when one of the lookarounds the pattern opens with (after its guard, if any) is
    `(?<!\\w)` or a lookbehind class holding `\\w` (`(?=[0-3\\d])(?<![\\w/])`, `(?<![\\w.,$])`
    before a numeral). Both tests say the same there, and the `regex` engine runs `\\b` at
    each position of the text faster than a lookbehind (speed, issue 16)."""
    rest = pattern[len(_NOT_WORD_BEFORE) :]
    if pattern.startswith(_NOT_WORD_BEFORE) and _starts_with_word_char(rest):
        return "\\b" + rest
    guard = _GUARD_RE.match(pattern)
    leading, _ = _leading_lookarounds(pattern, guard.end() if guard else 0)
    says_not_word = any(
        part == _NOT_WORD_BEFORE or _NOT_WORD_CLASS_RE.fullmatch(part) for part in leading
    )
    if says_not_word and _starts_with_word_char(pattern):
        return "\\b" + pattern
    return pattern


def _starts_with_word_char(pattern: str) -> bool:
    """Whether every match of `pattern` starts with a letter or a digit (as far as the
    reader can tell; anything it does not understand says no)."""
    read = _read_firsts(pattern)
    if read is None:
        return False
    firsts, nullable, _ = read
    return bool(firsts) and not nullable and all(map(_word_only, firsts))


def _word_only(fragment: str) -> bool:
    """A first-character fragment (a literal, `\\d`, a class body) of letters and digits only."""
    for found in re.finditer(r"\\(.)|(.)-(.)|(.)", fragment):
        if found.group(1) is not None:
            if found.group(1) != "d":
                return False  # another escape (`\\s`, `\\-`): not only word characters
        elif found.group(2) is not None:
            chars = map(chr, range(ord(found[2]), ord(found[3]) + 1))
            if not all(c.isalnum() for c in chars):
                return False
        elif not found[4].isalnum():
            return False
    return True
