"""Profile the fichas pipeline over the replicated corpus with py-spy; print flat tables.

    python bench/profile_pipeline.py [--base blank] [--min-chars 2000000] [--top 15] \
        [--rate 100] [--raw FILE]

py-spy (`pip install py-spy`, not a project dependency) samples the process from
outside, so the pipeline runs at full speed; pyinstrument was tried first and its
per-call hook made the run six times slower, over-weighting the functions that make
many small calls (Token objects), so its tables misled. The pipeline is loaded and
warmed up in a child process before py-spy attaches, so the tables hold per-document
work only. Cython code (the tokenizer, Doc, Token) has no frames of its own: its time
shows as self time of the Python function that called it.

Two tables: functions by self time (where the time goes), and the project's own
functions (`nlp/`) by total time, what they call included (which component, which
step). A function that calls itself counts once per sample.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import REPO, copies_for, load_sources  # noqa: E402

_FRAME_RE = re.compile(r"^(?P<function>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def inner(args: argparse.Namespace) -> int:
    """The profiled process: load, warm up, say READY, wait for `go`, run the pipeline."""
    warnings.filterwarnings("ignore")
    import nlp

    sources = load_sources(limit_files=args.limit_files)
    texts = [s.text for s in sources] * copies_for(sources, args.min_chars)
    pipeline = nlp.load(base=args.base)
    pipeline(texts[0][:2000])
    print(f"READY {len(texts)} {sum(map(len, texts))}", flush=True)
    sys.stdin.readline()
    start = time.perf_counter()
    for _ in pipeline.pipe(texts, batch_size=args.batch_size):
        pass
    print(f"DONE {time.perf_counter() - start:.2f}", flush=True)
    return 0


def _short(path: str) -> str:
    for marker in ("/site-packages/", str(REPO) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse_frame(frame: str) -> tuple[str, str]:
    match = _FRAME_RE.match(frame.strip())
    if not match:
        return frame.strip(), "?"
    where = _short(match["file"]) + (f":{match['line']}" if match["line"] else "")
    return match["function"], where


def aggregate(raw: str) -> tuple[Counter, Counter, int]:
    """(self samples, total samples) per (function, where) from py-spy's collapsed stacks."""
    self_n: Counter = Counter()
    total_n: Counter = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [
            parse_frame(f)
            for f in stack.split(";")
            if f and not f.startswith("process ") and not f.startswith("thread ")
        ]
        if not frames:
            continue
        samples += n
        self_n[frames[-1]] += n
        for key in set(frames):
            total_n[key] += n
    return self_n, total_n, samples


def table(
    rows: list[tuple[tuple[str, str], int]], samples: int, seconds: float, top: int, title: str
) -> list[str]:
    lines = [title, "", "| # | function | where | share | ~seconds |", "|---|---|---|---:|---:|"]
    for i, ((function, where), n) in enumerate(rows[:top], 1):
        share = n / samples
        lines.append(f"| {i} | `{function}` | `{where}` | {share:.1%} | {share * seconds:.1f} |")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--base", default="blank", help="base model of the fichas pipeline (default: blank)"
    )
    parser.add_argument("--min-chars", type=int, default=2_000_000)
    parser.add_argument("--limit-files", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument(
        "--raw",
        default=None,
        help="keep py-spy's collapsed stacks here (for flamegraph.pl / speedscope)",
    )
    parser.add_argument(
        "--lines", action="store_true", help="one entry per source line instead of per function"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    return parser


def _start_inner(args: argparse.Namespace) -> tuple[subprocess.Popen, list[str]]:
    """The profiled process (this script with --inner) and its READY line, split."""
    cmd = [
        sys.executable,
        __file__,
        "--inner",
        "--base",
        args.base,
        "--min-chars",
        str(args.min_chars),
        "--batch-size",
        str(args.batch_size),
    ] + (["--limit-files", str(args.limit_files)] if args.limit_files else [])
    child = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    return child, child.stdout.readline().split()


def _record(
    pyspy: str, child: subprocess.Popen, args: argparse.Namespace, raw_path: Path
) -> tuple[float, str]:
    """Attach py-spy to the ready child, let it run the pipeline: (its seconds, py-spy's stderr)."""
    spy = subprocess.Popen(
        [
            pyspy,
            "record",
            "--pid",
            str(child.pid),
            "--rate",
            str(args.rate),
            *([] if args.lines else ["--function"]),
            "--format",
            "raw",
            "--output",
            str(raw_path),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)  # let py-spy attach before the work starts
    child.stdin.write("go\n")
    child.stdin.flush()
    done = child.stdout.readline().split()
    child.wait()
    _, spy_err = spy.communicate()
    return (float(done[1]) if len(done) == 2 else 0.0), spy_err


def _print_tables(
    args: argparse.Namespace, ready: list[str], seconds: float, raw: str, spy_err: str
) -> int:
    """The two tables (self time; the project's functions by total time) from the stacks."""
    self_n, total_n, samples = aggregate(raw)
    if not samples:
        print(f"py-spy recorded nothing: {spy_err.strip()[-400:]}", file=sys.stderr)
        return 1
    print(
        f"Profile of fichas --base {args.base} over {ready[1]} documents ({int(ready[2]):,} "
        "chars): "
        f"{seconds:.1f} s of `nlp.pipe`, py-spy {samples} samples at {args.rate}/s "
        f"(load and warm-up not sampled; ~seconds = share x run time).\n"
    )
    title = f"Top {args.top} functions by self time:"
    print("\n".join(table(self_n.most_common(), samples, seconds, args.top, title)))
    ours = sorted(
        ((k, v) for k, v in total_n.items() if k[1].startswith("nlp/")), key=lambda kv: -kv[1]
    )
    print()
    title = f"Top {args.top} project functions (`nlp/`) by total time:"
    print("\n".join(table(ours, samples, seconds, args.top, title)))
    return 0


def _temp_path() -> Path:
    """A fresh temp file for py-spy's stacks (removed after the tables are printed)."""
    handle, name = tempfile.mkstemp(prefix="fichas-pyspy-", suffix=".txt")
    os.close(handle)
    return Path(name)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.inner:
        return inner(args)
    pyspy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if not pyspy:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    child, ready = _start_inner(args)
    if not ready or ready[0] != "READY":
        child.kill()
        print(f"the profiled process did not start: {ready}", file=sys.stderr)
        return 1
    raw_path = Path(args.raw) if args.raw else _temp_path()
    seconds, spy_err = _record(pyspy, child, args, raw_path)
    raw = raw_path.read_text(encoding="utf-8") if raw_path.exists() else ""
    if not args.raw:
        raw_path.unlink(missing_ok=True)
    return _print_tables(args, ready, seconds, raw, spy_err)


if __name__ == "__main__":
    sys.exit(main())
