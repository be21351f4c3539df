"""The issue's target ratios (issues 7 and 16), computed from what one `bench/run.py` run measured.

Every target is a ratio or a latency measured in the same run, so it does not depend on
the machine's absolute speed; the goals are written here, next to the issue they come from.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from run_figures import Target, num, ratio

if TYPE_CHECKING:
    from run_bench import Bench


def targets(bench: Bench) -> list[Target]:
    """Every target, in the report's order (the RSS one only with two scales or more)."""
    out = _speed_targets(bench)
    if len(bench.scaling) >= 2:
        (lo, first), (hi, last) = bench.scaling[0], bench.scaling[-1]
        out.append(
            Target(
                f"peak RSS at {hi}x / at {lo}x (annotate -n 1)",
                ratio(last.rss_mb, first.rss_mb),
                "<=",
                1.2,
                detail=f"{num(last.rss_mb)} / {num(first.rss_mb)} MB",
            )
        )
    return out + _index_targets(bench)


def _speed_targets(bench: Bench) -> list[Target]:
    """Throughput ratios: fichas against the tokenizer and the base model, -n 2 against -n 1."""
    wps = {k: v.wps for k, v in bench.rows.items()}
    return [
        Target(
            "fichas --base blank / tokenizer alone (words/s)",
            ratio(wps.get("fichas-blank"), wps.get("tokenizer")),
            ">=",
            0.30,  # issue 16 (issue 7 asked 0.40, the next aim)
            detail=f"{num(wps.get('fichas-blank'))} / {num(wps.get('tokenizer'))} words/s",
        ),
        Target(
            "fichas on the base model / base model with the same components (words/s; "
            "our components add at most 15% to its time)",
            ratio(wps.get("fichas-base"), wps.get("base-same")),
            ">=",
            0.87,  # issue 16: 1 / 1.15
            detail=f"{num(wps.get('fichas-base'))} / {num(wps.get('base-same'))} words/s",
        ),
        Target(
            "fichas annotate --n-process 2 / --n-process 1 (words/s, end to end)",
            ratio(wps.get("annotate-n2"), wps.get("annotate-n1")),
            ">=",
            1.75,  # issue 16
            detail=(
                f"{num(wps.get('annotate-n2'))} / {num(wps.get('annotate-n1'))} "
                f"words/s{_contention(bench, 'annotate-n2')}"
            ),
        ),
    ]


def _index_targets(bench: Bench) -> list[Target]:
    """Search latency over the index and indexing speed."""
    index = bench.index
    search = Target(
        f"search p95 over {index.get('requested', bench.args.index_docs):,} documents",
        index.get("p95_ms"),
        "<",
        50,
        "ms",
        detail=f"p50 {num(index.get('p50_ms'), 1)} ms, {index.get('queries', 0)} queries",
    )
    if index.get("truncated"):
        search.partial = f"index stopped at {index['docs']:,} documents by --index-budget"
    index_dps = index["docs"] / index["seconds"] if index.get("seconds") else None
    indexing = Target(
        "indexing documents/s",
        index_dps,
        ">=",
        200,
        "docs/s",
        detail=f"{index.get('docs', '?')} docs in {num(index.get('seconds'), 1)} s",
    )
    return [search, indexing]


def _contention(bench: Bench, key: str) -> str:
    """How many cores other jobs kept busy during a stage (a ratio of two runs needs quiet)."""
    others = getattr(bench.rows.get(key), "others_cores", None)
    return (
        f"; other jobs used {others:.2f} of {os.cpu_count()} cores meanwhile"
        if others is not None
        else ""
    )
