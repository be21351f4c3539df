"""What a regex needs and what it can read, from its stdlib `re` parse tree.

Two facts let a scanner skip most of a text without changing what a pattern finds:
the words one of which every match contains (`required_words`: `fortaleza`, `mil`), and
the characters a match or its lookaheads can read (`readable_class`): a match lies in
one run of them, and no lookahead of it sees past the run. Both are read from the parse
tree of Python's own `re` parser (`re._parser`, stable since 3.11); a pattern it cannot
parse (the `regex` module's own syntax, a variable lookbehind) or a construct the readers
do not vouch for gives None, and the caller scans as before.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import regex
from regex import _regex as _regex_engine

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_IGNORECASE = int(regex.IGNORECASE)
_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT),
}


@lru_cache(maxsize=256)
def case_variants(char: str) -> tuple[str, ...] | None:
    """Every character the `regex` engine matches to `char` when it ignores case, from its
    own simple case table (`s` -> `S`, `s`, `ſ`; `regex._regex.get_all_cases`), in code
    order; None when the installed engine does not say."""
    get_all_cases = getattr(_regex_engine, "get_all_cases", None)
    if get_all_cases is None:
        return None
    return tuple(chr(code) for code in sorted(get_all_cases(_IGNORECASE, ord(char))))


def parse(pattern: str, flags: int = 0) -> list[tuple[Any, Any]] | None:
    """The `re` parse tree of `pattern` (`re` flag values), or None if `re` cannot parse it;
    parsed once for every reader of the same rule (the tree is read, never changed)."""
    try:
        return list(sre_parse.parse(pattern, flags))
    except (re.error, RecursionError, OverflowError):
        return None


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of a compiled `re` pattern contains, as written
    (None: no such set known, or the pattern ignores case)."""
    if pattern.flags & re.IGNORECASE:
        return None
    tree = parse(pattern.pattern, pattern.flags)
    return None if tree is None else required_words(tree)


def required_words(tree: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    """Strings one of which every match of the parsed pattern contains, compared as the
    pattern compares them (case-insensitively if it ignores case)."""
    found = _sequence(tree)
    return tuple(sorted(found)) if found else None


_ZERO_WIDTH = (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT)


def prefix_words(tree: list[tuple[Any, Any]]) -> tuple[str, ...] | None:
    """Strings one of which every match of the parsed pattern starts with (`enero`, `Pp`),
    compared as the pattern compares them; None when its first part is not made of a few
    literals. Leading assertions are skipped (they consume nothing); literal parts are
    joined while the strings are short (`[Pp]` + `rograma` -> `Prog`, `prog`); a first
    group or alternation is read inside (`(?:Pp|[Pp]rograma\\s+…)` -> `Pp`, `Prog`, `prog`)."""
    found = _prefixes(list(tree))
    if not found or "" in found or len(found) > MAX_EXACT:
        return None
    return tuple(sorted(found))


#: Most words a required part may be (the month names and their abbreviations: ~25).
MAX_PART_WORDS = 64


def required_part(tree: list[tuple[Any, Any]]) -> tuple[int, tuple[str, ...]] | None:
    """(index, words) of the first top-level part of the pattern that every match consumes
    as one of a few literal words (`(?P<month>enero|…|dic)` after a day), or None. The
    parts before it are what a match holds before the word (`readable_class(tree[:index])`)."""
    for index, (op, av) in enumerate(tree):
        if op in _ZERO_WIDTH:
            continue
        words = _exact(op, av, MAX_PART_WORDS)
        if words and "" not in words and min(map(len, words)) >= SELECTIVE - 1:
            return index, tuple(sorted(words))
    return None


def _prefixes(items: list[tuple[Any, Any]]) -> set[str] | None:
    start = 0
    while start < len(items) and items[start][0] in _ZERO_WIDTH:
        start += 1
    found = {""}
    for op, av in items[start:]:
        if min(map(len, found)) >= SELECTIVE:
            break
        exact = _exact(op, av)
        if exact is not None and len(found) * len(exact) <= MAX_EXACT:
            found = {a + b for a in found for b in exact}
            continue
        if found == {""}:  # the first part that consumes is not a few literals: read into it
            return _inner_prefixes(op, av)
        break
    return found


def _inner_prefixes(op: Any, av: Any) -> set[str] | None:
    if op is sre_constants.BRANCH:
        return _union(av[1], _prefixes, empty_ok=False)
    if op is sre_constants.SUBPATTERN and not av[1] & sre_constants.SRE_FLAG_IGNORECASE:
        return _prefixes(list(av[3]))
    return None


#: Most strings an exact set may hold (a product of alternatives grows fast).
MAX_EXACT = 16
#: Words this long are rare enough: a set of longer but more words costs more `in` tests.
SELECTIVE = 4


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective literal set of a sequence: the product of a run of parts that
    match one of a few exact strings (`su (?:objetivo|finalidad)`), or a part's own set."""
    options: list[set[str]] = []
    run: set[str] = {""}
    for op, av in items:
        exact = _exact(op, av)
        selective = min(map(len, run)) >= SELECTIVE
        if exact is not None and len(run) * len(exact) <= MAX_EXACT:
            if not (selective and len(exact) > 1):
                run = {a + b for a in run for b in exact}
                continue
        options.append(run)
        run = exact if exact is not None else {""}
        found = _node(op, av) if exact is None else None
        if found:
            options.append(found)
    options.append(run)
    options = [o for o in options if "" not in o]
    if not options:
        return None
    return max(options, key=lambda o: (min(SELECTIVE, *map(len, o)), -len(o)))


def _exact(op: Any, av: Any, limit: int = MAX_EXACT) -> set[str] | None:
    """Every string this node can match, when they are literal and at most `limit` (else
    None); assertions match the empty string."""
    if op is sre_constants.LITERAL:
        return {chr(av)}
    if op in _ZERO_WIDTH:
        return {""}
    if op is sre_constants.IN:
        if all(kind is sre_constants.LITERAL for kind, _ in av):
            return {chr(code) for _, code in av}
        return None
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _exact_sequence(list(alternative), limit)
            if found is None:
                return None
            union |= found
        return union if len(union) <= limit else None
    if op is sre_constants.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & sre_constants.SRE_FLAG_IGNORECASE:
            return None
        return _exact_sequence(list(body), limit)
    if op in _REPEATS and av[1] <= 1:
        found = _exact_sequence(list(av[2]), limit)
        return None if found is None else found | ({""} if av[0] == 0 else set())
    return None


def _exact_sequence(items: list[tuple[Any, Any]], limit: int = MAX_EXACT) -> set[str] | None:
    """The product of the exact sets of a sequence's parts (None if one has none)."""
    out = {""}
    for op, av in items:
        exact = _exact(op, av, limit)
        if exact is None or len(out) * len(exact) > limit:
            return None
        out = {a + b for a in out for b in exact}
    return out


def _union(alternatives: Any, read: Any, empty_ok: bool) -> set[str] | None:
    """The union of what `read` says of each alternative of a branch, or None when one has
    nothing (or, unless `empty_ok`, may be empty)."""
    union: set[str] = set()
    for alternative in alternatives:
        found = read(list(alternative))
        if not found or (not empty_ok and "" in found):
            return None
        union |= found
    return union


def _node(op: Any, av: Any) -> set[str] | None:
    """Literals one of which a match of this node contains."""
    if op is sre_constants.BRANCH:
        return _union(av[1], _sequence, empty_ok=True)
    if op is sre_constants.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & sre_constants.SRE_FLAG_IGNORECASE:
            return None
        return _sequence(list(body))
    if op in _REPEATS:
        low, _high, body = av
        return _sequence(list(body)) if low >= 1 else None
    if op is getattr(sre_constants, "ATOMIC_GROUP", None):
        return _sequence(list(av))
    return None


#: `re` category codes -> the escape that names the same class in a character class.
_CATEGORIES = {
    sre_constants.CATEGORY_DIGIT: r"\d",
    sre_constants.CATEGORY_SPACE: r"\s",
    sre_constants.CATEGORY_WORD: r"\w",
}
#: Marks, among the class items, a `(?i:…)` group (not a character).
IGNORING_CASE = "(?i)"
_ZERO_WIDTH_OK = {sre_constants.AT_BOUNDARY, sre_constants.AT_NON_BOUNDARY}


def readable_class(tree: list[tuple[Any, Any]]) -> tuple[str, bool] | None:
    """(a character class `[…]` of every character a match, or a lookahead of it, can
    read; whether to read the class ignoring case, as a `(?i:…)` group inside asks); None
    when that is not known or is almost everything (a negated class, `.`, a scoped flag
    other than `i`, an anchor that depends on where the text ends)."""
    items: set[str] = set()
    if not _readable(tree, items):
        return None
    ignoring_case = IGNORING_CASE in items
    items.discard(IGNORING_CASE)
    if not items:
        return None
    return "[" + "".join(sorted(items)) + "]", ignoring_case


def _readable(items_tree: list[tuple[Any, Any]], out: set[str]) -> bool:
    """Add the readable characters of a sequence to `out`; False if unknown."""
    for op, av in items_tree:
        if op is sre_constants.LITERAL:
            out.add(_escape(chr(av)))
        elif op is sre_constants.IN:
            if not _readable_set(av, out):
                return False
        elif op is sre_constants.AT:
            if av not in _ZERO_WIDTH_OK:
                return False
            out.add(r"\w")  # \b looks at the word characters on both sides
        elif op is sre_constants.BRANCH:
            if not all(_readable(list(alt), out) for alt in av[1]):
                return False
        elif op is sre_constants.SUBPATTERN:
            scoped = av[1] | av[2]
            if scoped & ~sre_constants.SRE_FLAG_IGNORECASE or not _readable(list(av[3]), out):
                return False
            if scoped:  # `(?i:…)`: the class must be read ignoring case (a superset)
                out.add(IGNORING_CASE)
        elif op in _REPEATS:
            if not _readable(list(av[2]), out):
                return False
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            direction, body = av
            if direction == 1 and not _readable(list(body), out):  # lookbehinds read the
                return False  # text before the match, which a scanner never cuts
        elif op is getattr(sre_constants, "ATOMIC_GROUP", None):
            if not _readable(list(av), out):
                return False
        elif op is not sre_constants.GROUPREF:  # a backreference reads what a group read
            return False
    return True


#: A negated class holding one of these reads only characters of the positive class.
_NEGATED_WITHIN = {
    sre_constants.CATEGORY_NOT_DIGIT: r"\d",
    sre_constants.CATEGORY_NOT_SPACE: r"\s",
    sre_constants.CATEGORY_NOT_WORD: r"\w",
}


def _readable_set(av: list[tuple[Any, Any]], out: set[str]) -> bool:
    if av and av[0][0] is sre_constants.NEGATE:  # `[^\W\d]` reads word characters only
        within = [_NEGATED_WITHIN.get(v) for k, v in av[1:] if k is sre_constants.CATEGORY]
        if not any(within):
            return False
        out.add(next(w for w in within if w))
        return True
    for kind, value in av:
        if kind is sre_constants.LITERAL:
            out.add(_escape(chr(value)))
        elif kind is sre_constants.RANGE:
            out.add(f"{_escape(chr(value[0]))}-{_escape(chr(value[1]))}")
        elif kind is sre_constants.CATEGORY and value in _CATEGORIES:
            out.add(_CATEGORIES[value])
        else:  # a negated class or category reads almost everything
            return False
    return True


def _escape(char: str) -> str:
    """A character as a class member: letters and digits as they are, others by code."""
    if char.isalnum():
        return char
    return f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}"


__all__ = [
    "parse",
    "prefix_words",
    "required_part",
    "readable_class",
    "required_literals",
    "required_words",
]
