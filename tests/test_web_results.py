"""The search page's plain rows, counts and facets (`nlp.web.results`) equal what
`nlp.search.search` returns as a DataFrame, counted with pandas: the page's fast path
changes nothing a reader sees."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the web extras (starlette, jinja2) are not installed")

from nlp.index import build_index  # noqa: E402
from nlp.records import read_jsonl  # noqa: E402
from nlp.search import search  # noqa: E402
from nlp.web.results import FACET_SIZE, PAGE_LIMIT, PAGE_MARKS, Results  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    {"text": "salud"},
    {"text": "padrón de beneficiarios"},
    {"text": "programa", "section": "recommendations"},
    {"program": "IMSS-Oportunidades"},
    {"label": "AMOUNT"},
    {"label": "PERCENT", "percent_min": 50},
    {"text": "cobertura", "label": "PERCENT"},
]


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("results") / "fichas.db"
    stats = build_index(list(read_jsonl(REPO / "annotations")), path)
    assert not stats.errors, stats.errors
    return path


def pandas_facets(df, docs) -> dict[str, list[tuple[str, int]]]:
    """The facets as the page counted them before (pandas value_counts over the frame)."""
    program: Counter[str] = Counter()
    year: Counter[str] = Counter()
    for doc_id, n in df["doc_id"].value_counts().items():
        doc = docs.get(doc_id, {})
        program[doc.get("program") or "—"] += int(n)
        year[str(doc.get("year") or "—")] += int(n)
    columns = {
        "label": Counter({k: int(v) for k, v in df["label"].value_counts().items()}),
        "program": program,
        "doc_year": year,
        "section": Counter({k: int(v) for k, v in df["section"].value_counts().items()}),
    }
    return {
        name: sorted(counts.items())[-FACET_SIZE:]
        if name == "doc_year"
        else sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
        for name, counts in columns.items()
    }


@pytest.mark.parametrize("kwargs", QUERIES, ids=lambda q: "-".join(map(str, q.values())))
def test_page_rows_counts_and_facets_equal_the_dataframe(web_db: Path, kwargs: dict) -> None:
    results = Results(web_db)
    df = search(web_db, **kwargs, limit=PAGE_LIMIT, marks=None)
    found = results.rows(kwargs)
    assert len(df) > 0, kwargs  # every query finds something in the gold index
    assert found.total == len(df)
    assert found.facets == pandas_facets(df, results.documents())
    assert found.entity_rows == bool(df["label"].notna().any())
    shown = search(web_db, **kwargs, limit=20, marks=PAGE_MARKS, context=80)
    page = results.page(kwargs, 1, 20)
    keys = ["doc_id", "file", "kind", "section", "label", "surface", "value", "snippet"]
    expected = shown[keys + ["start", "end"]].astype(object).where(shown.notna(), None)
    assert [[r[k] for k in [*keys, "start", "end"]] for r in page] == expected.values.tolist()
