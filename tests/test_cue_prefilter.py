"""`nlp.cue_prefilter`: the cues found by one word scan are the cues a search of each finds."""

from __future__ import annotations

import random
import re

import pytest
from conftest import CORPUS

from nlp.cue_prefilter import CueScanner
from nlp.headings import heading_matcher
from nlp.readers import read_document
from nlp.records import read_jsonl
from nlp.regex_reading import required_literals
from nlp.section_cues import DOCUMENT_CHARS, SCOPES, CueMatcher, default_cues
from nlp.section_features import analyze
from nlp.settings import REALDEV_GOLD


def _every_cue(matcher: CueMatcher, text: str, scope: str) -> list[tuple[str, int]]:
    """The reference: every cue of `scope` searched in its view, as `CueMatcher` did."""
    views = {"original": text.strip()}
    views["lower"] = views["original"].lower()
    scanner = matcher._scanners[scope]
    views["folded"] = _folded(text, scope)
    out = []
    for cue, pattern in scanner.items:
        found = pattern.search(views[cue.text])
        if found is not None:
            out.append((cue.id, found.start()))
    return out


def _folded(text: str, scope: str) -> str:
    from nlp.textmap import fold

    return fold(text) if scope == "block" else "\n".join(fold(x) for x in text.splitlines())


def _texts() -> list[str]:
    docs = [read_document(p).text for p in sorted(CORPUS.glob("*.txt"))]
    if REALDEV_GOLD.exists():
        docs += [r["text"] for r in read_jsonl(REALDEV_GOLD)]
    matcher = heading_matcher()
    return [b.text for text in docs for b in analyze(text, matcher).blocks] + [
        t[:DOCUMENT_CHARS] for t in docs
    ]


def test_the_scan_finds_what_searching_every_cue_finds() -> None:
    matcher = CueMatcher(default_cues())
    texts = _texts()
    assert len(texts) > 1000
    found = 0
    for text in texts:
        for scope in SCOPES:
            got = [(cue.id, start) for cue, start in matcher.matches(text, scope)]
            assert got == _every_cue(matcher, text, scope), (scope, text[:200])
            found += bool(got)
    assert found > 300  # the texts do hold cues


def test_the_scan_is_exact_on_shuffled_pieces_of_the_cue_examples() -> None:
    """Words cut and glued (`esta` next to `esta dirigida`, a word at a text's edge)."""
    cues = default_cues()
    pieces = [w for cue in cues for ex in cue.examples for w in re.split(r"(\s+)", ex)]
    matcher = CueMatcher(cues)
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        for scope in SCOPES:
            got = [(cue.id, start) for cue, start in matcher.matches(text, scope)]
            assert got == _every_cue(matcher, text, scope), (scope, text)


@pytest.mark.parametrize(
    ("pattern", "flags", "words"),
    [
        (r"\b(?:se recomienda|sugerimos)\b", 0, ("se recomienda", "sugerimos")),
        (r"\bfortalezas?\b", 0, ("fortaleza",)),
        (r"\bpoblacion (?:objetivo|potencial)\b", 0, ("poblacion ",)),
        (r"\b(?:\d+ mdp|asm)\b", 0, (" mdp", "asm")),
        (r"\b(?:sin embargo|\w+aran)\b", 0, ("aran", "sin embargo")),
        (r"\b(?:sin embargo|\d+)\b", 0, None),  # an alternative needs no word
        (r"\bsin embargo\b", re.IGNORECASE, None),  # case-insensitive: always searched
        (r"(?i:sin) embargo", 0, (" embargo",)),
    ],
)
def test_required_words_come_from_the_parse_tree(pattern, flags, words) -> None:
    assert required_literals(re.compile(pattern, flags)) == words


def test_a_cue_without_words_is_always_searched() -> None:
    cue = type("Cue", (), {"text": "folded", "id": "x"})()
    scanner = CueScanner([(cue, re.compile(r"\d{2,}"))])
    assert scanner.always == [0] and not scanner.finders
    assert [start for _cue, start in scanner.matches({"folded": "en 2019"})] == [3]
