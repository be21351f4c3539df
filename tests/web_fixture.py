"""The web tests' index: the gold records plus one hostile record whose text holds `<script>`
and whose program value holds an `<img onerror>`; and small readers of the pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from nlp.index import build_index
from nlp.records import read_jsonl

REPO = Path(__file__).resolve().parent.parent
IMSS_2012 = "000_ficha_imss_oportunidades_2012"
IMSS_2022 = "001_ficha_imss_bienestar_2022"
SCRIPT_DOC = "900_ficha_prueba_script_2020"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


def hostile_record() -> dict:
    """A ficha whose text and values are HTML: they must show as text, never run."""
    text = (
        "Ficha de prueba 2020\n\nDescripción del Programa\n"
        f"El Programa Prueba {SCRIPT} atiende al 45% de la población objetivo en 2020.\n"
    )
    start = text.index("Programa Prueba")
    pct = text.index("45%")
    year = text.rindex("2020")
    return {
        "id": SCRIPT_DOC,
        "text": text,
        "entities": [
            {
                "start": start,
                "end": start + len("Programa Prueba"),
                "label": "PROGRAM",
                "value": {"name": f"Prueba {IMG}", "key": None},
            },
            {"start": pct, "end": pct + 3, "label": "PERCENT", "value": 45.0},
            {
                "start": year,
                "end": year + 4,
                "label": "YEAR",
                "value": {"start": 2020, "end": 2020},
            },
        ],
        "sections": [{"start": 0, "end": len(text), "label": "description"}],
        "meta": {"source": f"corpus/{SCRIPT_DOC}.txt"},
    }


def make_web_index(path: Path) -> Path:
    """The test index: gold annotations + the hostile record."""
    records = list(read_jsonl(REPO / "annotations")) + [hostile_record()]
    stats = build_index(records, path)
    assert not stats.errors, stats.errors
    return path


def text_of(html: str) -> str:
    """Visible-ish text: tags dropped, whitespace collapsed (entities left as written)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def body_value(value: str) -> float:
    return float(json.loads(value))


def gold(doc_id: str) -> dict:
    return next(read_jsonl(REPO / "annotations" / f"{doc_id}.jsonl"))
