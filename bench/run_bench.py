"""The stages of `bench/run.py`, in order: the corpus, then each measured process.

`Bench` holds what the run measured (rows, scaling points, index figures, failures);
the targets and the report read it afterwards (run_targets.py, run_report.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchutil import copies_for, load_sources, write_copies
from run_figures import Row, num
from run_process import STAGES, count_lines, measure, tail

from nlp.settings import REFERENCE_BASE, resolve_base

BASE_MODEL = REFERENCE_BASE


def _fichas_command() -> str:
    """The `fichas` script of this environment (else the one on PATH)."""
    fichas = Path(sys.executable).parent / "fichas"
    if fichas.exists():
        return str(fichas)
    found = shutil.which("fichas")
    if not found:
        raise SystemExit(
            "the `fichas` command is not installed in this environment (pip install -e .)"
        )
    return found


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.rows: dict[str, Row] = {}
        self.scaling: list[tuple[int, Row]] = []
        self.index: dict[str, Any] = {}
        self.failures: list[str] = []
        self.fichas = _fichas_command()

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # corpus ---------------------------------------------------------------------------
    def build_corpus(self) -> None:
        sources = load_sources(limit_files=self.args.limit_files)
        self.copies = copies_for(sources, self.args.min_chars)
        self.files_per_copy = len(sources)
        self.chars_1x = sum(len(s.text) for s in sources) * self.copies
        most = max(self.args.scales) * self.copies
        self.folders = write_copies(sources, self.work / "corpus", most)
        self.log(
            f"corpus: {len(sources)} files x {self.copies} copies = "
            f"{self.copies * len(sources)} docs, "
            f"{self.chars_1x:,} chars at 1x; {most} copies written for {max(self.args.scales)}x"
        )

    def folders_at(self, scale: int) -> list[str]:
        return [str(f) for f in self.folders[: scale * self.copies]]

    # stages ---------------------------------------------------------------------------
    def pipe_stage(self, model: str, what: str) -> None:
        out = self.work / f"pipe-{model}.json"
        cmd = [sys.executable, str(STAGES), "pipe", model, "--json", str(out)]
        cmd += ["--batch-size", str(self.args.batch_size), *self.folders_at(1)]
        self.log(f"pipe {model} ...")
        m = measure(cmd, self.work, f"pipe-{model}")
        row = Row(model, what)
        if m.returncode != 0 or not out.exists():
            row.error = f"exit {m.returncode}: {tail(m.log, 3)}"
            self.failures.append(f"{model}: exit {m.returncode}\n{tail(m.log)}")
        else:
            data = json.loads(out.read_text())
            row.docs, row.seconds = data["docs"], data["seconds"]
            row.rss_mb = m.peak_rss_mb or data["peak_rss_mb"]
            row.words = data["words"]
            others = (
                f"; other jobs {m.others_cores:.2f} cores" if m.others_cores is not None else ""
            )
            row.note = (
                f"load {data['load_seconds']:.1f} s; "
                f"{'+'.join(data['components']) or 'tokenizer'}{others}"
            )
        self.rows[model] = row
        self.log(f"pipe {model}: {self._brief(row)}")

    def annotate(self, name: str, what: str, scale: int, n_process: int, base: str | None) -> Row:
        out = self.work / f"{name}.jsonl"
        cmd = [self.fichas, "annotate", *self.folders_at(scale), "--out", str(out)]
        cmd += ["--n-process", str(n_process), "--batch-size", str(self.args.batch_size)]
        cmd += ["--force", "--quiet", *(["--base", base] if base else [])]
        self.log(f"{name} ...")
        m = measure(cmd, self.work, name, sample_tree=True)
        row = Row(
            name, what, seconds=m.wall_seconds, rss_mb=m.peak_rss_mb, tree_rss_mb=m.tree_rss_mb
        )
        expected = scale * self.copies * self.files_per_copy
        done = count_lines(out)
        if m.returncode != 0 or done != expected:
            row.error = f"exit {m.returncode}, {done}/{expected} records: {tail(m.log, 3)}"
            self.failures.append(
                f"{name}: exit {m.returncode}, {done}/{expected} records\n{tail(m.log)}"
            )
        row.docs = done
        words_1x = self.words_1x()
        row.words = (
            round(words_1x * done / (self.copies * self.files_per_copy)) if words_1x else None
        )
        cpu = f"; {m.cpu_note()}" if m.cpu_note() else ""
        row.note = (
            f"end to end, wall incl. start-up{cpu}; records {out.stat().st_size / 2**20:.0f} MB"
            if out.exists()
            else ""
        )
        row.others_cores, row.records = m.others_cores, out
        self.log(f"{name}: {self._brief(row)}")
        return row

    def words_1x(self) -> int | None:
        tokenizer = self.rows.get("tokenizer")
        return tokenizer.words if tokenizer and tokenizer.words else None

    def index_stage(self, records: Path) -> None:
        a = self.args
        out = self.work / "index.json"
        cmd = [sys.executable, str(STAGES), "index", "--records", str(records)]
        cmd += ["--docs", str(a.index_docs), "--queries", str(a.queries)]
        cmd += ["--budget", str(a.index_budget), "--db", str(self.work / "bench.db")]
        cmd += ["--json", str(out)]
        self.log(f"index {a.index_docs} docs + {a.queries} queries ...")
        m = measure(cmd, self.work, "index")
        if m.returncode != 0 or not out.exists():
            self.failures.append(f"index: exit {m.returncode}\n{tail(m.log)}")
            self.index = {"error": tail(m.log, 3)}
        else:
            self.index = json.loads(out.read_text())
            self.index["rss_mb"] = m.peak_rss_mb or self.index["peak_rss_mb"]
        self.log(
            f"index: {self.index.get('docs')} docs in {self.index.get('seconds', 0):.1f} s, "
            f"p50 {self.index.get('p50_ms', 0):.1f} ms, p95 {self.index.get('p95_ms', 0):.1f} ms"
        )

    def _brief(self, row: Row) -> str:
        if row.error:
            return f"FAILED ({row.error.splitlines()[0]})"
        return f"{row.seconds:.1f} s, {num(row.wps)} words/s, {num(row.rss_mb)} MB"

    # the run --------------------------------------------------------------------------
    def run(self) -> None:
        self.build_corpus()
        self.pipe_stages()
        self.annotate_stages()
        records = self.rows["annotate-n1"].records
        if records and records.exists() and count_lines(records):
            self.index_stage(records)
        else:
            self.index = {"error": "no records from annotate -n 1"}
            self.failures.append("index: skipped, no records from annotate -n 1")

    def pipe_stages(self) -> None:
        """`nlp.pipe` alone: the tokenizer, the base model (when installed), fichas."""
        has_base = importlib.util.find_spec(BASE_MODEL) is not None
        self.pipe_stage("tokenizer", 'spacy.blank("es") tokenizer alone')
        if has_base:
            self.pipe_stage("base-same", "base model, the components our default keeps (no fichas)")
            if not self.args.quick:
                self.pipe_stage(
                    "base-noparser-noner", "base model, parser and NER disabled (spaCy's reference)"
                )
                self.pipe_stage("base-full", "base model, full")
        else:
            self.log(f"{BASE_MODEL} is not installed: base-model rows skipped")
        self.pipe_stage("fichas-blank", "fichas --base blank")
        if has_base:
            self.pipe_stage("fichas-base", f"fichas --base {BASE_MODEL}")

    def annotate_stages(self) -> None:
        """`fichas annotate` end to end: -n 1 and -n 2 at 1x, then -n 1 at every scale."""
        a = self.args
        base = a.annotate_base
        label = f"--base {base}" if base else f"default base ({resolve_base()})"
        self.rows["annotate-n1"] = self.annotate(
            "annotate-n1", f"fichas annotate -n 1, {label}", 1, 1, base
        )
        self.rows["annotate-n2"] = self.annotate(
            "annotate-n2", f"fichas annotate -n 2, {label}", 1, 2, base
        )
        for scale in a.scales:
            if scale == 1 and a.scale_base == base:
                row = self.rows["annotate-n1"]
            else:
                row = self.annotate(
                    f"scale-{scale}x",
                    f"fichas annotate -n 1 --base {a.scale_base or 'default'}, {scale}x",
                    scale,
                    1,
                    a.scale_base,
                )
            self.scaling.append((scale, row))
