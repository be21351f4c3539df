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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nlp.regex_reading import required_literals


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


__all__ = ["CueScanner"]
