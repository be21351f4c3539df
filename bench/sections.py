"""CPU seconds of `fichas_sections` alone, on Docs that went through every component before it.

    python bench/sections.py [--base blank] [--copies 2] [--repeat 7] [--batch-size 16]

`bench/components.py` times each component on Docs fresh from the tokenizer, so its
`fichas_sections` line also pays for `doc.text` and the normalized view that
`fichas_entities` computes first in a pipeline. Here the Docs go through the components
before `fichas_sections` once, untimed, and only its `pipe` is timed: the first run (the
char n-gram memo still empty, as in one `fichas annotate` of new texts) and the best of
`--repeat` runs (this process's CPU time: other jobs on the machine cost it nothing).
To compare two commits, run both in the same minute (`PYTHONPATH=<other checkout>`).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchutil import load_sources  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="blank")
    parser.add_argument("--copies", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    import nlp

    texts = [s.text for s in load_sources()] * args.copies
    pipeline = nlp.load(base=args.base)
    pipeline(texts[0][:2000])  # rules and model loaded
    names = [name for name, _proc in pipeline.pipeline]
    before = [pipeline.get_pipe(name) for name in names[: names.index("fichas_sections")]]
    sections = pipeline.get_pipe("fichas_sections")
    times = []
    for _ in range(args.repeat):
        docs = list(pipeline.tokenizer.pipe(texts))
        for proc in before:  # each component's own `pipe`: the Docs keep their working state
            docs = list(proc.pipe(docs, batch_size=args.batch_size))
        start = time.process_time()
        for _doc in sections.pipe(docs, batch_size=args.batch_size):
            pass
        times.append(time.process_time() - start)
    chars = sum(map(len, texts))
    print(f"{len(texts)} docs, {chars:,} chars, base {args.base}, before: {names[: len(before)]}")
    print(f"fichas_sections CPU s: first {times[0]:.3f}, best of {len(times)} {min(times):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
