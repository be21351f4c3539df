"""Running one measured stage of `bench/run.py` in its own process: wall time, CPU, peak RSS.

Each stage is its own process so that its peak memory is its own; the busy CPU of the
whole machine is read before and after, so a report can say how much other jobs took.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchutil import REPO

HERE = Path(__file__).resolve().parent
STAGES = HERE / "stages.py"
GNU_TIME = Path("/usr/bin/time")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _rss_kb(pid: int) -> int:
    try:
        match = re.search(r"^VmRSS:\s*(\d+)", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


def _busy_cpu_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat), all cores."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process's descendants, sampled from /proc (workers included)."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            pending, total = _children(self.pid), 0
            while pending:
                pid = pending.pop()
                total += _rss_kb(pid)
                pending.extend(_children(pid))
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024


@dataclass
class Measured:
    returncode: int
    wall_seconds: float
    peak_rss_mb: float | None
    tree_rss_mb: float | None
    log: Path
    cpu_seconds: float | None = None
    others_cores: float | None = None  # cores other processes kept busy meanwhile (contention)

    def cpu_note(self) -> str:
        parts = []
        if self.cpu_seconds and self.wall_seconds:
            parts.append(f"{self.cpu_seconds / self.wall_seconds:.2f} cores busy")
        if self.others_cores is not None:
            parts.append(f"other jobs {self.others_cores:.2f} cores")
        return ", ".join(parts)


def _read_timing(timing: Path, returncode: int) -> tuple[int, float | None, float | None]:
    """(exit status, peak RSS MB, CPU seconds) from GNU time -v's file or the rusage stage's."""
    if not timing.exists():
        return returncode, None, None
    text = timing.read_text(encoding="utf-8", errors="replace")
    if not GNU_TIME.exists():
        data = json.loads(text)
        return data["returncode"], data["peak_rss_mb"], None
    match = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", text)
    peak = int(match.group(1)) / 1024 if match else None
    status = re.search(r"Exit status:\s*(\d+)", text)
    times = [float(x) for x in re.findall(r"(?:User|System) time \(seconds\):\s*([\d.]+)", text)]
    return (int(status.group(1)) if status else returncode), peak, (sum(times) if times else None)


def measure(cmd: list[str], work: Path, name: str, sample_tree: bool = False) -> Measured:
    """Run `cmd` in its own process; wall time and peak RSS (GNU time -v, else RUSAGE_CHILDREN)."""
    log = work / f"{name}.log"
    timing = work / f"{name}.time"
    if GNU_TIME.exists():
        full = [str(GNU_TIME), "-v", "-o", str(timing), *cmd]
    else:
        full = [sys.executable, str(STAGES), "rusage", "--json", str(timing), "--", *cmd]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TQDM_DISABLE": "1"}
    busy_before = _busy_cpu_seconds()
    with open(log, "w", encoding="utf-8") as handle:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=handle, stderr=subprocess.STDOUT, cwd=REPO, env=env)
        sampler = TreeSampler(proc.pid) if sample_tree else None
        if sampler:
            sampler.start()
        returncode = proc.wait()
        wall = time.perf_counter() - start
        tree = sampler.stop() if sampler else None
    busy_after = _busy_cpu_seconds()
    returncode, peak, cpu = _read_timing(timing, returncode)
    others = None
    if cpu is not None and busy_before is not None and busy_after is not None and wall > 0:
        others = max(0.0, (busy_after - busy_before - cpu) / wall)
    return Measured(returncode, wall, peak, tree, log, cpu_seconds=cpu, others_cores=others)


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a stage's log, for the report's failures."""
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def count_lines(path: Path) -> int:
    """Non-blank lines of a JSONL file (0 when it is missing): the records a stage wrote."""
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())
