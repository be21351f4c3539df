"""Seconds per pipeline step over corpus/ copies, in one process: for quick before/after checks.

    python bench/components.py [--base blank] [--copies 5] [--repeat 3] [--batch-size 16] \
        [--clock wall|cpu]

Times the tokenizer, then each component's `pipe` over the tokenized Docs, then the whole
`nlp.pipe`, each the best of `--repeat` runs (the machine is shared: the minimum is the
least disturbed). Ratios between two commits are only meaningful when both are measured
in the same minute; `bench/run.py` remains the benchmark of record.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import load_sources  # noqa: E402

#: The clock `best_of` reads: wall time, or this process's CPU time (`--clock cpu`: on a
#: machine other jobs share, a run slowed by them costs the same CPU seconds).
CLOCK = time.perf_counter


def best_of(repeat: int, run: object) -> float:
    """The least disturbed of `repeat` timings of `run()`."""
    times = []
    for _ in range(repeat):
        start = CLOCK()
        run()  # type: ignore[operator]
        times.append(CLOCK() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="blank")
    parser.add_argument("--copies", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    args = parser.parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    warnings.filterwarnings("ignore")
    import nlp

    texts = [s.text for s in load_sources()] * args.copies
    pipeline = nlp.load(base=args.base)
    pipeline(texts[0][:2000])
    chars = sum(map(len, texts))
    print(f"{len(texts)} docs, {chars:,} chars, base {args.base}, {args.clock} clock")
    tok = best_of(args.repeat, lambda: list(pipeline.tokenizer.pipe(texts)))
    print(f"{'tokenizer':<20} {tok:7.3f} s")
    for name, proc in pipeline.pipeline:

        def run(proc: object = proc) -> None:
            docs = list(pipeline.tokenizer.pipe(texts))
            for _ in proc.pipe(docs, batch_size=args.batch_size):  # type: ignore[attr-defined]
                pass

        print(f"{name:<20} {best_of(args.repeat, run) - tok:7.3f} s")
    total = best_of(args.repeat, lambda: list(pipeline.pipe(texts, batch_size=args.batch_size)))
    print(f"{'nlp.pipe':<20} {total:7.3f} s  ({total / tok:.1f}x the tokenizer)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
