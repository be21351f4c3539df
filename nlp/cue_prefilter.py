"""The section cues searched only where a word they need occurs: one scan instead of ~30.

The section cues (`rules/sections/cues.jsonl`) are ~30 regexes searched in every block;
`re` spends ~20 ns per character and pattern whatever the pattern (about a tenth of the
`--base blank` pipeline), and most blocks hold none of them. Almost every cue needs one
of a few words (`fortaleza`, `presupuest`, `se recomienda`): `nlp.regex_reading` reads
them from the pattern's own parse tree (the stdlib `re` parser), and `CueScanner` finds
all of them in a view with one `re` scan (a trie of the words, in a lookahead so every
position is tried), then searches only the cues whose words it found. A match contains
one of its cue's words by construction, so the results are the same as searching every
cue; a cue the reader cannot vouch for (case-insensitive, or an alternative without a
word) is always searched.

A cue the scan wakes is searched only if its view also holds one string of each *guard*:
the literal set each top-level part of the pattern requires (`foda_codigo` needs a `.` and
a `:`), tested with `in` (speed, issue 16). A case-insensitive cue on a lowercased view
gets guards of its literals lowercased: in such a view a character matches a lowercase
literal only as itself, unless it is one of `re`'s extra case pairs (`ı`/`i`, `ſ`/`s`…),
and a view holding one of those is searched without its guards.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from nlp.regex_reading import parse, required_words

try:  # the characters `re` matches case-insensitively beyond simple lowercasing
    from re._casefix import _EXTRA_CASES
except ImportError:  # pragma: no cover (another Python: no guards on ignore-case cues)
    _EXTRA_CASES = None

#: A view needed by at most this many cues is not scanned (see `CueScanner`).
GUARD_ONLY_CUES = 4
#: Views that are lowercased (`str.lower`) text, where a lowercase guard is exact.
LOWERCASE_VIEWS = frozenset({"lower", "folded"})
#: A view holding one of these is searched without its case-insensitive guards.
_EXTRA_RE = re.compile(
    "["
    + re.escape(
        "".join(
            sorted({chr(c) for k, v in (_EXTRA_CASES or {}).items() for c in (k, *v) if c > 127})
        )
    )
    + "]"
    if _EXTRA_CASES
    else "(?!)"
)


class CueScanner:
    """Searches only the cues whose words one scan of each view found (same results as
    searching them all). `items` are (cue, compiled pattern); a cue names its view in `text`."""

    def __init__(self, items: Sequence[tuple[Any, re.Pattern[str]]]) -> None:
        self.items = list(items)
        # each pattern parsed once, for its scan words (`required_literals`) and its guards
        trees = [parse(pattern.pattern, pattern.flags) for _cue, pattern in self.items]
        needs = [
            None if tree is None or pattern.flags & re.IGNORECASE else required_words(tree)
            for tree, (_cue, pattern) in zip(trees, self.items)
        ]
        views = [cue.text for cue, _pattern in self.items]
        # a view with few cues is not scanned: its cues' guards (their words included) are
        # fewer `in` tests than one regex scan of the text (`original`: three cues)
        counts = Counter(views[i] for i, words in enumerate(needs) if words)
        guard_only = {view for view, count in counts.items() if count <= GUARD_ONLY_CUES}
        self.always = [i for i, w in enumerate(needs) if w is None or views[i] in guard_only]
        # guards: (strings, case-insensitive?) of the cues searched without a scan waking
        # them; one string of each must be in the view (a woken cue needs none: reading the
        # guards of every cue cost more start-up time than they saved)
        self.guards: list[list[tuple[tuple[str, ...], bool]]] = [[] for _item in self.items]
        for i in self.always:
            cue, pattern = self.items[i]
            self.guards[i] = _guards(cue, pattern, trees[i])
            if needs[i] and (needs[i], False) not in self.guards[i]:
                self.guards[i].append((needs[i], False))
            self.guards[i].sort(key=lambda guard: len(guard[0]))  # one-string tests first
        self.finders: dict[str, tuple[re.Pattern[str], dict[str, frozenset[int]]]] = {}
        for view in sorted(set(views) - guard_only):
            mine = [(i, w) for i, w in enumerate(needs) if w and views[i] == view]
            found = {w for _i, words in mine for w in words}
            if not found:
                continue
            # the finder reports the longest word at each position; the shorter words found
            # there are its prefixes, so a word wakes every cue that needs one of its prefixes
            needed_by: dict[str, set[int]] = {}
            for i, words in mine:
                for word in words:
                    needed_by.setdefault(word, set()).add(i)
            wakes = {
                word: frozenset().union(
                    *(needed_by.get(word[:k], ()) for k in range(1, len(word) + 1))
                )
                for word in found
            }
            self.finders[view] = (re.compile(f"(?=({_trie(sorted(found))}))"), wakes)

    def matches(self, views: dict[str, str]) -> list[tuple[Any, int]]:
        """(cue, start of its first match in its view) for every cue found, in cue order."""
        wanted = set(self.always)
        for view, (finder, wakes) in self.finders.items():
            for word in set(finder.findall(views[view])):
                wanted |= wakes[word]
        out = []
        extra: dict[str, bool] = {}  # view -> holds one of `re`'s extra case characters
        items, all_guards = self.items, self.guards
        for i in sorted(wanted):
            cue, pattern = items[i]
            view = views[cue.text]
            for words, ignore_case in all_guards[i]:
                if ignore_case:
                    if cue.text not in extra:
                        extra[cue.text] = _EXTRA_RE.search(view) is not None
                    if extra[cue.text]:
                        continue
                if not (
                    words[0] in view if len(words) == 1 else any(map(view.__contains__, words))
                ):
                    break
            else:
                found = pattern.search(view)
                if found is not None:
                    out.append((cue, found.start()))
        return out


def _guards(
    cue: Any, pattern: re.Pattern[str], tree: list[tuple[Any, Any]] | None
) -> list[tuple[tuple[str, ...], bool]]:
    """The literal sets the top-level parts of `pattern` require (see the module docstring):
    every match holds a match of each run of parts, so one string of each run's set. A part
    without a literal (`\\b`, `\\s?`) ends a run."""
    ignore_case = bool(pattern.flags & re.IGNORECASE)
    if ignore_case and (_EXTRA_CASES is None or cue.text not in LOWERCASE_VIEWS):
        return []
    runs: list[list[Any]] = [[]]
    for node in tree or ():
        if required_words([node]):
            runs[-1].append(node)
        elif runs[-1]:
            runs.append([])
    out: list[tuple[tuple[str, ...], bool]] = []
    for run in runs:
        words = required_words(run) if run else None
        if not words:
            continue
        if ignore_case:
            lowered = tuple(w.lower() for w in words)
            if any(
                len(w) != len(low) or any(c in _EXTRA_CASES for c in map(ord, low) if c > 127)
                for w, low in zip(words, lowered)
            ):
                continue  # a literal `re` would match beyond its lowercase: no guard
            words = lowered
        if (words, ignore_case) not in out:
            out.append((words, ignore_case))
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


__all__ = ["CueScanner"]
