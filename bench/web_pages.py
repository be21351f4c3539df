"""Page speed of `fichas serve`: search, document, series and program pages under load.

    python bench/web_pages.py --docs 10000 --clients 8 --requests 800 --seconds 120

Builds (once, kept in --work) an index of `--docs` documents from the gold records of
`annotations/`, each copy with its own id; copies are grouped in batches of 5 per
program name (`IMSS-BIENESTAR`, `IMSS-BIENESTAR 2`, ...) so a program has up to ~25
documents, as a much-evaluated program does, not thousands. Then starts `fichas serve`
on 127.0.0.1 in its own process and sends the URL mix from `--clients` threads over
keep-alive connections until `--requests` are answered or `--seconds` pass. Prints
(and with --json writes) p50/p95/max latency per page kind. Bounded in count and time;
not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from itertools import cycle
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
GROUP = 5  # copies of a record that share one program name


def replicated(n: int) -> Any:
    """`n` records cycling over the gold records; in the k-th batch of GROUP copies of a
    record (k > 0) every program mention reads `NAME k` in the text and in its value, so
    each batch's programs are programs of their own (batch 0 keeps the real names)."""
    from nlp.records import read_jsonl

    base = list(read_jsonl(REPO / "annotations"))
    for i in range(n):
        record = base[i % len(base)]
        batch = i // (len(base) * GROUP)
        if batch:
            record = renamed(record, f" {batch + 1}")
        meta = dict(record.get("meta") or {})
        meta["source"] = f"{meta.get('source', record['id'])}#i{i:05d}"
        yield {**record, "id": f"{record['id']}-i{i:05d}", "meta": meta}


def renamed(record: dict[str, Any], suffix: str) -> dict[str, Any]:
    """`record` with `suffix` written after every PROGRAM mention; offsets shifted."""
    from bisect import bisect_left, bisect_right

    text = record["text"]
    cuts = sorted({e["end"] for e in record["entities"] if e["label"] == "PROGRAM"})
    pieces, pos = [], 0
    for cut in cuts:
        pieces += [text[pos:cut], suffix]
        pos = cut
    pieces.append(text[pos:])

    def start(p: int) -> int:
        return p + len(suffix) * bisect_left(cuts, p)

    def end(p: int) -> int:
        return p + len(suffix) * bisect_right(cuts, p)

    ents = []
    for ent in record["entities"]:
        value = ent.get("value")
        if ent["label"] == "PROGRAM" and isinstance(value, dict):
            value = {**value, "name": f"{value['name']}{suffix}", "id": None}
        ents.append({**ent, "start": start(ent["start"]), "end": end(ent["end"]), "value": value})
    sections = [
        {**sec, "start": start(sec["start"]), "end": end(sec["end"])}
        for sec in record.get("sections", [])
    ]
    return {**record, "text": "".join(pieces), "entities": ents, "sections": sections}


def build(db: Path, n: int) -> None:
    from nlp.index import build_index

    if db.exists():
        return
    started = time.perf_counter()
    stats = build_index(replicated(n), db)
    print(f"built {db}: {stats.documents} documents in {time.perf_counter() - started:.0f} s")


def url_mix(db: Path) -> list[tuple[str, str]]:
    """(kind, path): the pages an analyst opens, with queries that hit."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    docs = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY random() LIMIT 40")]
    top = [
        r[0]
        for r in conn.execute(
            "SELECT program FROM documents WHERE program IS NOT NULL AND program != ?"
            " GROUP BY program ORDER BY count(*) DESC, program LIMIT 2",
            ("IMSS-BIENESTAR",),
        )
    ]
    conn.close()
    searches = [
        {"q": "salud"},
        {"q": "cobertura", "section": "coverage"},
        {"q": "padrón de beneficiarios"},
        {"q": "recomendaciones", "seccion": "recomendaciones"},
        {"program": "IMSS-Oportunidades"},
        {"program": "IMSS-BIENESTAR", "label": "AMOUNT"},
        {"label": "PERCENT", "percent_min": "50"},
        {"label": "AMOUNT", "amount_min": "15000M"},
        {"q": "evaluación", "year_from": "2012", "year_to": "2016"},
        {},
    ]
    programs = ["IMSS-Oportunidades", "IMSS-BIENESTAR", *top]
    mix = [("search", "/search?" + urlencode(s)) for s in searches]
    mix += [("document", f"/doc/{quote(d)}") for d in docs[:10]]
    mix += [("series", "/series?" + urlencode({"program": p})) for p in programs]
    mix += [("program", f"/programa/{quote(p)}") for p in programs]
    return mix


def distinct_urls(db: Path, n: int) -> list[tuple[str, str]]:
    """`n` URLs never asked before (no cache can help): searches for words of the index,
    random documents, series and program pages of random programs, in the mix's shares."""
    import random
    import re
    import sqlite3

    rng = random.Random(15)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    texts = [r[0] for r in conn.execute("SELECT text FROM sections ORDER BY random() LIMIT 400")]
    docs = [r[0] for r in conn.execute("SELECT id FROM documents")]
    programs = [
        r[0]
        for r in conn.execute("SELECT DISTINCT program FROM documents WHERE program IS NOT NULL")
    ]
    conn.close()
    words = sorted({w.lower() for t in texts for w in re.findall(r"[^\W\d_]{6,}", t)})
    rng.shuffle(words)
    rng.shuffle(docs)
    rng.shuffle(programs)
    out: list[tuple[str, str]] = []
    for i in range(n):
        share = i % 28  # as in url_mix: 10 searches, 10 documents, 4 series, 4 programs
        if share < 10:
            out.append(("search", "/search?" + urlencode({"q": words[i % len(words)]})))
        elif share < 20:
            out.append(("document", f"/doc/{quote(docs[i % len(docs)])}"))
        elif share < 24:
            out.append(("series", "/series?" + urlencode({"program": programs[i % len(programs)]})))
        else:
            out.append(("program", f"/programa/{quote(programs[i % len(programs)], safe='')}"))
    return list(dict.fromkeys(out))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    fichas = Path(sys.executable).with_name("fichas")
    cmd = [str(fichas), "serve", "--db", str(db), "--port", str(port)]
    if workers > 1:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start in 60 s")


def client(port: int, jobs: Any, lock: threading.Lock, out: dict, stop: float) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < stop:
        with lock:
            job = next(jobs, None)
        if job is None:
            break
        kind, path = job
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            out[kind].append(elapsed)
            if response.status != 200:
                out["errors"].append(f"{response.status} {path}")
    conn.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def first_requests(port: int, mix: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Each URL once, alone: the first request of a query (nothing cached yet), in ms."""
    first: dict[str, list[float]] = defaultdict(list)
    for kind, path in mix:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.perf_counter()
        conn.request("GET", path)
        conn.getresponse().read()
        first[kind].append((time.perf_counter() - started) * 1000)
        conn.close()
    return first


def load(port: int, order: list[tuple[str, str]], clients: int, seconds: float) -> Any:
    """(latencies by page kind, wall seconds): `order` sent from `clients` threads."""
    jobs = iter(order)
    out: dict[str, list] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client, args=(port, jobs, lock, out, stop)) for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out, time.perf_counter() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"web-{args.docs}.db"
    build(db, args.docs)
    mix = url_mix(db)
    port = free_port()
    server = start_server(db, port, args.workers)
    try:
        first = first_requests(port, mix)
        if args.distinct:  # every request a URL never seen: the cost without any cache
            order = distinct_urls(db, args.requests)
        else:
            order = [job for _, job in zip(range(args.requests), cycle(mix), strict=False)]
        out, wall = load(port, order, args.clients, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    errors = out.pop("errors", [])
    every = [t for times in out.values() for t in times]
    return {
        "docs": args.docs,
        "distinct": args.distinct,
        "clients": args.clients,
        "requests": len(every),
        "seconds": round(wall, 1),
        "p95_ms_all": round(percentile(every, 0.95), 1),
        "pages": {kind: summary(times) for kind, times in sorted(out.items())},
        "first_request_alone": {kind: summary(t) for kind, t in sorted(first.items())},
        "errors": errors[:10],
        "load_average": os.getloadavg(),
        "cpus": os.cpu_count(),
    }


def summary(times: list[float]) -> dict[str, Any]:
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=800, help="at most this many")
    parser.add_argument("--seconds", type=float, default=120, help="at most this long")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--distinct", action="store_true", help="never repeat a URL (no cache hits)"
    )
    parser.add_argument("--work", default=str(REPO / "out" / "bench-web"))
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args(argv)
    result = run(args)
    print(json.dumps(result, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
