"""The options of `bench/run.py` and their defaults (smaller ones under `--quick`)."""

from __future__ import annotations

import argparse

from benchutil import REPO
from run_process import HERE


def parse_args(argv: list[str] | None, description: str | None = None) -> argparse.Namespace:
    """Parsed options, with the defaults that depend on `--quick` filled in and `scales` added."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _size_options(parser)
    _index_and_report_options(parser)
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


def _size_options(parser: argparse.ArgumentParser) -> None:
    """The corpus size and scales, the report, the batch size and the bases."""
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


def _index_and_report_options(parser: argparse.ArgumentParser) -> None:
    """The index and search, the corpus files, and what the report adds."""
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
        help="also profile fichas --base blank (needs py-spy)",
    )
    parser.add_argument(
        "--notes",
        default=str(HERE / "notes.md"),
        help="markdown appended as the report's Notes (if it exists)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp folder (corpus, records, logs)"
    )
