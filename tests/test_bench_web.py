"""Smoke test of `bench/web_pages.py` (issue 15) on a tiny index, so it cannot rot.

No timing is asserted: the script's figures are meant for a 10,000-document index, and
timed tests on a shared machine are flaky by design.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO

pytest.importorskip("uvicorn", reason="the web extras are not installed")
sys.path.insert(0, str(REPO / "bench"))

from web_pages import renamed  # noqa: E402

from nlp.records import read_jsonl, validate_record  # noqa: E402


def test_renamed_copies_stay_valid_records():
    for record in read_jsonl(REPO / "annotations"):
        copy = renamed(record, " 7")
        assert validate_record(copy) == []
        for ent in copy["entities"]:
            if ent["label"] == "PROGRAM":
                assert copy["text"][ent["start"] : ent["end"]].endswith(" 7")
                assert ent["value"]["name"].endswith(" 7")


@pytest.mark.issue(15)
@pytest.mark.parametrize("distinct", [False, True])
def test_web_bench_measures_every_page_kind(tmp_path, distinct):
    out = tmp_path / "web.json"
    cmd = [sys.executable, str(REPO / "bench" / "web_pages.py"), "--docs", "120"]
    cmd += ["--requests", "56", "--seconds", "60", "--clients", "2"]
    cmd += ["--work", str(tmp_path), "--json", str(out)] + (["--distinct"] if distinct else [])
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    result = json.loads(out.read_text())
    assert set(result["pages"]) == {"search", "document", "series", "program"}
    assert result["errors"] == [] and result["requests"] > 0
    assert all(kind["p95_ms"] >= kind["p50_ms"] > 0 for kind in result["pages"].values())
