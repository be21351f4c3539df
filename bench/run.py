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
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import REPO, load_average, machine  # noqa: E402
from run_args import parse_args  # noqa: E402
from run_bench import Bench  # noqa: E402
from run_process import HERE  # noqa: E402
from run_report import RunInfo, render  # noqa: E402

from nlp.records import write_atomic  # noqa: E402


def _profile(bench: Bench, args: argparse.Namespace) -> str:
    """The py-spy tables of bench/profile_pipeline.py (or why it failed), for the report."""
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
    return done.stdout if done.returncode == 0 else f"profile failed: {done.stderr[-500:]}"


def _measure(bench: Bench, args: argparse.Namespace, work: Path) -> str:
    """Every stage (and the profile when asked) in `work`, removed after unless --keep."""
    try:
        bench.run()
        return _profile(bench, args) if args.profile else ""
    finally:
        if args.keep:
            bench.log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    raw = sys.argv[1:] if argv is None else argv
    args = parse_args(raw, description=__doc__)
    command = shlex.join(["python", "bench/run.py", *raw])
    started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = load_average()
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="fichas-bench-"))
    bench = Bench(args, work)
    profile = _measure(bench, args, work)
    elapsed = time.perf_counter() - t0
    notes_path = Path(args.notes)
    notes = (
        notes_path.read_text(encoding="utf-8") if notes_path.is_file() and not args.quick else ""
    )
    run = RunInfo(machine(), command, started, (load_start, load_average()), elapsed)
    report = render(bench, run, notes, profile)
    out = Path(args.out)
    write_atomic(out, report)  # an interrupted run leaves the old report
    print(report.split("\n## Notes", 1)[0])
    print(f"written: {out}")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
