"""`nlp.regex_cache`: compiled patterns read back from disk are the patterns compiled."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from nlp import regex_cache
from nlp.gazetteer import GazetteerScan, _pattern

SOURCES = [(r"(?<!\w)(?P<year>(?:19|20)\d\d)(?!\d)", regex.V0), (r"pesos?\b", regex.I)]
TEXT = "En 2019 y 2020 se dieron 30 PESOS; 12019 no es un año, ni 'pesosx'."


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FICHAS_CACHE_DIR", str(folder))
    return folder


def _matches(patterns: list) -> list[list[tuple[int, int]]]:
    return [[m.span() for m in p.finditer(TEXT)] for p in patterns]


def test_a_second_compile_reads_the_same_patterns_from_the_file(cache: Path) -> None:
    first = regex_cache.compile_all("t", SOURCES)
    files = list(cache.glob("regex-t-*.pickle"))
    assert len(files) == 1
    second = regex_cache.compile_all("t", SOURCES)
    assert [p.pattern for p in second] == [s for s, _ in SOURCES]
    assert [p.flags for p in second] == [p.flags for p in first]
    assert _matches(second) == _matches(first) == [[(3, 7), (10, 14)], [(28, 33)]]
    assert second[0] is not first[0]  # read back, not regex's own in-memory cache


def test_other_sources_are_another_file_and_the_old_one_goes(cache: Path) -> None:
    regex_cache.compile_all("t", SOURCES)
    old = set(cache.glob("regex-t-*.pickle"))
    changed = [(SOURCES[0][0], SOURCES[0][1]), (r"pesos?", regex.I)]
    patterns = regex_cache.compile_all("t", changed)
    assert patterns[1].pattern == "pesos?"
    new = set(cache.glob("regex-t-*.pickle"))
    assert len(new) == 1 and new != old


def test_a_corrupt_or_foreign_file_is_a_miss(cache: Path) -> None:
    regex_cache.compile_all("t", SOURCES)
    (path,) = cache.glob("regex-t-*.pickle")
    path.write_bytes(b"\x80\x05not a pickle")
    assert _matches(regex_cache.compile_all("t", SOURCES))[0] == [(3, 7), (10, 14)]
    path.write_bytes(pickle.dumps([print, print]))  # anything but regex patterns is refused
    assert regex_cache._read(path, SOURCES) is None
    path.write_bytes(pickle.dumps([regex.compile("other"), regex.compile("x")]))
    assert regex_cache._read(path, SOURCES) is None  # the sources are checked


def test_no_cache_folder_still_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FICHAS_CACHE_DIR", "off")
    assert _matches(regex_cache.compile_all("t", SOURCES))[1] == [(28, 33)]
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("FICHAS_CACHE_DIR", str(blocked / "cache"))  # cannot be created
    assert _matches(regex_cache.compile_all("t", SOURCES))[1] == [(28, 33)]


def test_the_gazetteer_regex_is_the_same_string_in_every_process(cache: Path) -> None:
    """The acronyms are ordered by length, then alphabetically (not in a set's order, which
    changes with the hash seed): the cache's key is the same in every process."""
    code = (
        "import hashlib; from nlp.gazetteer import _pattern; "
        "print(hashlib.sha256(_pattern(None, False, 'acronym').encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
    source = _pattern(None, accents=False, acronym_group="acronym")
    acronyms = source.split("(?P<acronym>(?-i:")[1].split(")")[0].split("|")
    assert acronyms == sorted(acronyms, key=lambda a: (-len(a), a))
    fresh, cached = GazetteerScan(), GazetteerScan()  # compiled, then read back
    text = "El programa IMSS-BIENESTAR y el Programa de Abasto Rural a cargo de DICONSA."
    assert fresh.spans(text) == cached.spans(text) != []
