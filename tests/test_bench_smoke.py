"""Smoke test of the benchmark script (issue 7) on a tiny corpus, so it cannot rot.

It checks that `bench/run.py --quick` runs every stage, prints the table and the
target ratios, and writes the report. No timing is asserted: figures from a tiny
corpus on a shared machine mean nothing, and timed tests are flaky by design.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import HAS_SM, REPO

STAGES = ("tokenizer", "fichas-blank", "annotate-n1", "annotate-n2")
MODEL_STAGES = ("base-same", "fichas-base")
TARGETS = (
    "fichas --base blank / tokenizer alone",
    "fichas on the base model / base model with the same components",
    "fichas annotate --n-process 2 / --n-process 1",
    "peak RSS at 2x / at 1x",
    "search p95 over",
    "indexing documents/s",
)


@pytest.mark.issue(7)
def test_bench_quick_prints_table_and_ratios_and_writes_report(tmp_path):
    out = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    printed = done.stdout
    for stage in STAGES + (MODEL_STAGES if HAS_SM else ()):
        assert re.search(rf"^\| {re.escape(stage)} \|.*\| \d[\d,]* \|", printed, re.MULTILINE), (
            f"no figures for {stage}"
        )
    for label in TARGETS:
        line = next((ln for ln in printed.splitlines() if ln.startswith(f"| {label}")), None)
        assert line is not None, f"target {label!r} not printed"
        statuses = {"met", "NOT MET"} | (set() if HAS_SM or "base model" not in label else {"n/a"})
        assert any(f"| {s} |" in line for s in statuses), line
    assert "## Scaling" in printed and "| 2x |" in printed
    report = out.read_text(encoding="utf-8")
    assert report.startswith("# Benchmarks")
    for fact in (
        "- date: ",
        "- command: `python bench/run.py --quick --out ",
        "- machine: ",
        " cores (",
        "spaCy ",
    ):
        assert fact in report
    assert all(label in report for label in TARGETS)
