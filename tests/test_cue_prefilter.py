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
from nlp.regex_reading import parse, required_literals
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


_IM = re.IGNORECASE | re.MULTILINE


def _cue(view: str, name: str = "x") -> object:
    return type("Cue", (), {"text": view, "id": name})()


def _search_all(items: list, views: dict[str, str]) -> list[tuple[str, int]]:
    found = [(cue.id, pattern.search(views[cue.text])) for cue, pattern in items]
    return [(name, m.start()) for name, m in found if m is not None]


@pytest.mark.parametrize(
    "text",
    [
        "1. F: buena cobertura",  # `.`, `F` and `:` all there
        "1. F buena cobertura",  # no `:`: the guard skips the search
        "La Dirección actualizará el padrón",
        "la dirección actualizará el padrón",
        "la dırección actualızará",  # dotless ı: `re` matches it for `i` ignoring case
        "eſta dirección elaborará",  # long s
        "ΣΑ la unidad elaborará",  # a Greek capital: lowercased it is one of re's extra cases
        "",
    ],
)
def test_guards_change_no_result(text: str) -> None:
    """Guards (the literals each run of a pattern needs) are tested before searching; where
    `re` matches ignoring case beyond lowercase (`ı`, `ſ`, Greek) the search runs anyway."""
    items = [
        (_cue("original", "foda"), re.compile(r"(?:^|\s)\d{1,2}\.\s?[FO]\s?:", re.MULTILINE)),
        (
            _cue("lower", "futuro"),
            re.compile(r"\b(?:la|el) (?:dirección|unidad)\b[^.\n]{0,40}?\w{3,}(?:ará|erá)\b", _IM),
        ),
        (_cue("lower", "s"), re.compile(r"esta direcci", re.IGNORECASE | re.MULTILINE)),
        (_cue("lower", "i"), re.compile(r"actualizar", re.IGNORECASE | re.MULTILINE)),
    ]
    scanner = CueScanner(items)
    assert scanner.always == [0, 1, 2, 3]  # few cues per view: guards alone, no scan
    views = {"original": text.strip(), "lower": text.strip().lower()}
    got = [(cue.id, start) for cue, start in scanner.matches(views)]
    assert got == _search_all(items, views)


def test_guards_hold_every_run_and_lowercase_for_ignore_case() -> None:
    from nlp.cue_prefilter import _guards

    foda = re.compile(r"(?:^|\s)\d{1,2}\.\s?[FO]\s?:")
    tree = parse(foda.pattern, foda.flags)
    assert _guards(_cue("original"), foda, tree) == [
        ((".",), False),
        (("F", "O"), False),
        ((":",), False),
    ]
    later = re.compile(r"\bLa (?:Dirección|Unidad)\b", re.IGNORECASE)
    guards = _guards(_cue("lower"), later, parse(later.pattern, later.flags))
    assert guards == [(("la dirección", "la unidad"), True)]
    assert _guards(_cue("original"), later, parse(later.pattern, later.flags)) == []
