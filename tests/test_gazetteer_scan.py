"""`nlp.gazetteer.GazetteerScan`: the gazetteer regex's matches, without its accent classes."""

from __future__ import annotations

import random

from conftest import REPO

from nlp.gazetteer import _UNACCENT, GazetteerScan, gazetteer, load_programs
from nlp.readers import read_document
from nlp.records import read_jsonl
from nlp.settings import REALDEV_GOLD
from nlp.textmap import normalize


def _full(text: str) -> list[tuple[int, int]]:
    pattern, _ = gazetteer(None)
    return [m.span() for m in pattern.finditer(text)]  # type: ignore[attr-defined]


def test_the_scan_finds_what_the_gazetteer_regex_finds_in_real_texts() -> None:
    texts = [read_document(p).text for p in sorted((REPO / "corpus").glob("*.txt"))]
    texts += [
        r["text"] for p in sorted((REPO / "annotations").glob("*.jsonl")) for r in read_jsonl(p)
    ]
    if REALDEV_GOLD.exists():
        texts += [r["text"] for r in read_jsonl(REALDEV_GOLD)]
    scan = GazetteerScan()
    found = 0
    for text in texts:
        norm = normalize(text).norm
        assert scan.spans(norm) == _full(norm)
        found += len(_full(norm))
    assert found > 200


def _accent(rng: random.Random, name: str) -> str:
    """Letters the accent classes cover, accented or with their case swapped at random."""
    variants: dict[str, list[str]] = {}
    for accented, plain in _UNACCENT.items():
        variants.setdefault(plain, []).append(accented)
    out = []
    for char in name:
        roll = rng.random()
        if char in variants and roll < 0.3:
            out.append(rng.choice(variants[char]))
        else:
            out.append(char.swapcase() if roll < 0.35 else char)
    return "".join(out)


def test_the_scan_is_exact_on_names_written_with_other_accents_and_cases() -> None:
    programs = load_programs(None)
    names = [n for p in programs for n in (*p.names, *p.acronyms)]
    glue = ["el ", "y ", ", ", "Programa ", "\n", "-", "Ñandú ", "“", "” ", "del "]
    rng = random.Random(3)
    scan = GazetteerScan()
    for _ in range(3000):
        parts = [
            _accent(rng, rng.choice(names)) if rng.random() < 0.6 else rng.choice(glue)
            for _ in range(rng.randint(1, 6))
        ]
        text = " ".join(parts)
        assert scan.spans(text) == _full(text), text


def test_an_acronym_over_an_accented_letter_goes_through_the_full_regex() -> None:
    """`PÁL` reads `PAL` in the accent-free view, but the acronym `PAL` is not in the text."""
    scan = GazetteerScan()

    def by_acronym(text: str) -> bool:
        return any(m.start("acronym") >= 0 for m in scan.pattern.finditer(text))

    acronyms = [a for p in load_programs(None) for a in p.acronyms if "A" in a and a.isalpha()]
    acronym = next(a for a in acronyms if by_acronym(f"El {a} opera"))
    text = f"El {acronym.replace('A', 'Á', 1)} opera desde 2019 y el {acronym} también."
    assert by_acronym(text.replace("Á", "A"))  # the view's match the text does not have
    assert scan.spans(text) == _full(text)
    assert [text[start:end] for start, end in _full(text)] == [acronym]
