"""Profile the fichas pipeline over the replicated corpus with pyinstrument; print flat tables.

    python bench/profile_pipeline.py [--base blank] [--min-chars 2000000] [--top 15] [--html FILE]

pyinstrument (a sampling profiler, `pip install pyinstrument`) is not a project
dependency; this script is the only thing that needs it. The pipeline is loaded and
warmed up before profiling starts, so the tables are per-document work only. Two
tables: functions by self time (where the time is spent), and the project's own
functions (`nlp/`) by total time including what they call (which component, which
step). A function that calls itself is counted once per stack.
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import REPO, copies_for, load_sources  # noqa: E402


def flat(root: Any) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """(self time, total time) per (function, file:line) over the whole frame tree."""
    self_time: dict[tuple[str, str], float] = defaultdict(float)
    total_time: dict[tuple[str, str], float] = defaultdict(float)
    stack: list[tuple[Any, frozenset]] = [(root, frozenset())]
    while stack:
        frame, ancestors = stack.pop()
        key = (frame.function or "?", f"{_short(frame.file_path)}:{frame.line_no}")
        self_time[key] += frame.total_self_time
        if key not in ancestors:
            total_time[key] += frame.time
        for child in frame.children:
            stack.append((child, ancestors | {key}))
    return self_time, total_time


def _short(path: str | None) -> str:
    if not path:
        return "?"
    path = str(path)
    for marker in ("/site-packages/", str(REPO) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path.rsplit("/", 1)[-1]


def table(rows: list[tuple[tuple[str, str], float]], total: float, top: int, title: str) -> list[str]:
    lines = [f"{title}", "| # | function | where | seconds | share |", "|---|---|---|---:|---:|"]
    for i, ((function, where), seconds) in enumerate(rows[:top], 1):
        lines.append(f"| {i} | `{function}` | `{where}` | {seconds:.2f} | {100 * seconds / total:.1f}% |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="blank", help="base model of the fichas pipeline (default: blank)")
    parser.add_argument("--min-chars", type=int, default=2_000_000)
    parser.add_argument("--limit-files", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval in seconds")
    parser.add_argument("--html", default=None, help="also write pyinstrument's HTML report here")
    args = parser.parse_args(argv)
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("pyinstrument is not installed: pip install pyinstrument", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore")
    import nlp

    sources = load_sources(limit_files=args.limit_files)
    texts = [s.text for s in sources] * copies_for(sources, args.min_chars)
    pipeline = nlp.load(base=args.base)
    pipeline(texts[0][:2000])
    profiler = Profiler(interval=args.interval)
    start = time.perf_counter()
    profiler.start()
    for _ in pipeline.pipe(texts, batch_size=args.batch_size):
        pass
    profiler.stop()
    wall = time.perf_counter() - start
    session = profiler.last_session
    root = session.root_frame()
    total = root.time if root is not None else wall
    self_time, total_time = flat(root)
    print(f"profile: fichas --base {args.base}, {len(texts)} documents, {sum(map(len, texts)):,} chars, "
          f"{wall:.1f} s wall ({total:.1f} s sampled, pyinstrument interval {args.interval * 1000:g} ms)\n")
    by_self = sorted(self_time.items(), key=lambda kv: -kv[1])
    print("\n".join(table(by_self, total, args.top, f"Top {args.top} functions by self time:")))
    ours = sorted(((k, v) for k, v in total_time.items() if k[1].startswith("nlp/")), key=lambda kv: -kv[1])
    print()
    print("\n".join(table(ours, total, args.top, f"Top {args.top} project functions (nlp/) by total time:")))
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")
        print(f"\nHTML report: {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
