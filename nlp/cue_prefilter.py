"""The section cues searched only where a word they need occurs: one scan instead of ~30.

The section cues (`rules/sections/cues.jsonl`) are ~30 regexes searched in every block;
`re` spends ~20 ns per character and pattern whatever the pattern (about a tenth of the
`--base blank` pipeline), and most blocks hold none of them. Almost every cue needs one
of a few words (`fortaleza`, `presupuest`, `se recomienda`): `required_literals` reads
them from the pattern's own parse tree (the stdlib `re` parser), and `CueScanner` finds
all of them in a view with one `re` scan (a trie of the words, in a lookahead so every
position is tried), then searches only the cues whose words it found. A match contains
one of its cue's words by construction, so the results are the same as searching every
cue; a cue the reader cannot vouch for (case-insensitive, or an alternative without a
word) is always searched.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

_REPEATS = {
    sre_constants.MAX_REPEAT,
    sre_constants.MIN_REPEAT,
    getattr(sre_constants, "POSSESSIVE_REPEAT", sre_constants.MAX_REPEAT),
}


class CueScanner:
    """Searches only the cues whose words one scan of each view found (same results as
    searching them all). `items` are (cue, compiled pattern); a cue names its view in `text`."""

    def __init__(self, items: Sequence[tuple[Any, re.Pattern[str]]]) -> None:
        self.items = list(items)
        needs = [required_literals(pattern) for _cue, pattern in self.items]
        self.always = [i for i, words in enumerate(needs) if words is None]
        self.finders: dict[str, tuple[re.Pattern[str], dict[str, frozenset[int]]]] = {}
        views = [cue.text for cue, _pattern in self.items]
        for view in sorted(set(views)):
            mine = [(i, w) for i, w in enumerate(needs) if w and views[i] == view]
            found = {w for _i, words in mine for w in words}
            if not found:
                continue
            # the finder reports the longest word at each position; the shorter words found
            # there are its prefixes, so a word wakes every cue that needs one of its prefixes
            wakes = {
                word: frozenset(i for i, words in mine if any(word.startswith(w) for w in words))
                for word in found
            }
            self.finders[view] = (re.compile(f"(?=({_trie(sorted(found))}))"), wakes)

    def matches(self, views: dict[str, str]) -> list[tuple[Any, int]]:
        """(cue, start of its first match in its view) for every cue found, in cue order."""
        wanted = set(self.always)
        for view, (finder, wakes) in self.finders.items():
            for found in finder.finditer(views[view]):
                wanted |= wakes[found.group(1)]
        out = []
        for i in sorted(wanted):
            cue, pattern = self.items[i]
            found = pattern.search(views[cue.text])
            if found is not None:
                out.append((cue, found.start()))
        return out


def _trie(words: list[str]) -> str:
    """One `re` alternation of `words` with shared prefixes written once; a longer word is
    tried before the shorter one it extends, so the longest word at a position wins."""
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def required_literals(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of `pattern` contains (None: no such set known)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        tree = sre_parse.parse(pattern.pattern, pattern.flags)
    except (re.error, RecursionError):  # pragma: no cover (the pattern compiled)
        return None
    found = _sequence(list(tree))
    return tuple(sorted(found)) if found else None


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


def _exact(op: Any, av: Any) -> set[str] | None:
    """Every string this node can match, when they are few and literal (else None);
    assertions match the empty string."""
    if op is sre_constants.LITERAL:
        return {chr(av)}
    if op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return {""}
    if op is sre_constants.IN:
        if all(kind is sre_constants.LITERAL for kind, _ in av):
            return {chr(code) for _, code in av}
        return None
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _exact_sequence(list(alternative))
            if found is None:
                return None
            union |= found
        return union if len(union) <= MAX_EXACT else None
    if op is sre_constants.SUBPATTERN:
        _group, add_flags, _del_flags, body = av
        if add_flags & sre_constants.SRE_FLAG_IGNORECASE:
            return None
        return _exact_sequence(list(body))
    if op in _REPEATS and av[1] <= 1:
        found = _exact_sequence(list(av[2]))
        return None if found is None else found | ({""} if av[0] == 0 else set())
    return None


def _exact_sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The product of the exact sets of a sequence's parts (None if one has none)."""
    out = {""}
    for op, av in items:
        exact = _exact(op, av)
        if exact is None or len(out) * len(exact) > MAX_EXACT:
            return None
        out = {a + b for a in out for b in exact}
    return out


def _node(op: Any, av: Any) -> set[str] | None:
    """Literals one of which a match of this node contains."""
    if op is sre_constants.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            found = _sequence(list(alternative))
            if not found:
                return None
            union |= found
        return union
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


__all__ = ["CueScanner", "required_literals"]
