"""Issue 14 soak test: a hostile folder, a batch killed twice and resumed, nothing lost or doubled.

A few hundred small documents mix good files (some in UTF-16, some with a stray cp1252
byte or a character cut at the end, two `report.txt` in different folders, one text
longer than the piece size) with every bad kind: empty, binary, undecodable, a broken
PDF, a file over the size limit, symlinks to a file, to a folder elsewhere and back up.
`fichas annotate` is killed (SIGKILL) twice at random points, a corrupt line is put in
the middle of its output, a second writer is started while the first runs, and the batch
is resumed: at the end there is exactly one record per good document (by id and content
hash), every bad one is in the errors file, and no run printed a traceback.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp.records import content_hash, read_jsonl

FICHAS = Path(sys.executable).parent / "fichas"
N_GOOD = 240
SEED = int(os.environ.get("FICHAS_SOAK_SEED", "14"))


def _text(i: int) -> str:
    return (
        f"Ficha de monitoreo {i}\n\nDescripción del Programa\n"
        f"El Programa de Abasto Social atendió a {1000 + i} personas en 2019 y ejerció "
        f"{i},500.00 millones de pesos, el {i % 100}.5% del total.\n"
    )


def _build(root: Path) -> tuple[dict[str, str], set[str]]:
    """The folder; returns good id -> expected text, and the paths of the bad entries."""
    folder = root / "in"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    good: dict[str, str] = {}
    for i in range(N_GOOD):
        text = _text(i)
        path = folder / f"doc_{i:03d}.txt"
        if i % 40 == 1:  # UTF-16 with BOM
            path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
        elif i % 40 == 2:  # a stray cp1252 ñ in UTF-8
            text = text + "Año fiscal: Peña"
            path.write_bytes(text[:-2].encode("utf-8") + "ña".encode("cp1252"))
        elif i % 40 == 3:  # a character cut at the end
            path.write_bytes(text.encode("utf-8") + "é".encode()[:1])
            text += "\ufffd"
        else:
            path.write_text(text, encoding="utf-8")
        good[path.stem] = text
    for sub in ("a", "b"):
        good[f"{sub}/report"] = _text(500 + ord(sub))
        (folder / sub / "report.txt").write_text(good[f"{sub}/report"], encoding="utf-8")
    good["long"] = "".join(_text(1000 + i) + "\n" for i in range(120))  # over 20,000 chars
    (folder / "long.txt").write_text(good["long"], encoding="utf-8")
    bad = {
        "empty.txt": b"",
        "nul.txt": b"Programa\x00\x00\x00" * 20,
        "undecodable.txt": b"\x81\x8d\x8f\x90\x9d" * 50,
        "broken.pdf": b"%PDF-1.4\n1 0 obj\n<<",
        "huge.txt": b"Programa de salud 2019. " * 4000,  # over FICHAS_MAX_BYTES below
    }
    for name, data in bad.items():
        (folder / name).write_bytes(data)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.txt").write_text(_text(900), encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    (folder / "a" / "up").symlink_to(folder, target_is_directory=True)
    (folder / "alias.txt").symlink_to(folder / "doc_000.txt")
    bad_paths = {str(folder / n) for n in bad} | {
        str(folder / "linked"),
        str(folder / "a" / "up"),
        str(folder / "alias.txt"),
    }
    return good, bad_paths


def _command(folder: Path, out: Path) -> list[str]:
    return [str(FICHAS), "annotate", str(folder), "--out", str(out), "--base", "blank"]


def _run_and_kill(command: list[str], out: Path, env: dict, at_records: int) -> str:
    """Start a run and SIGKILL it once the output holds `at_records` lines; its stderr."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        while process.poll() is None:
            if out.exists() and out.read_bytes().count(b"\n") >= at_records:
                break
            time.sleep(0.02)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    return stderr


@pytest.mark.skipif(not FICHAS.exists(), reason="the fichas console script is not installed")
def test_soak_killed_twice_then_resumed(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    good, bad_paths = _build(tmp_path)
    folder, out = tmp_path / "in", tmp_path / "out.jsonl"
    errors = Path(f"{out}.errors.jsonl")
    env = {**os.environ, "FICHAS_MAX_BYTES": "60000", "FICHAS_CHUNK_CHARS": "5000"}
    command = _command(folder, out) + ["--quiet", "--batch-size", "4"]
    stderrs = [_run_and_kill(command, out, env, rng.randint(5, N_GOOD // 3))]
    # a second writer while the first runs (paused, holding its lock) fails at once
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock, before = Path(f"{out}.lock"), out.read_bytes().count(b"\n")
    while first.poll() is None and not (
        lock.read_text() == str(first.pid) and out.read_bytes().count(b"\n") > before
    ):
        time.sleep(0.02)
    first.send_signal(signal.SIGSTOP)
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    first.send_signal(signal.SIGKILL)
    stderrs.append(first.communicate(timeout=60)[1].decode())
    assert second.returncode == 2 and f"{out}.lock is locked" in second.stderr
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    middle = rng.randint(1, len(lines) - 2)
    lines[middle] = lines[middle][: len(lines[middle]) // 2] + "\n"  # a torn line inside
    out.write_text("".join(lines), encoding="utf-8")
    stderrs.append(_run_and_kill(command, out, env, len(lines) + rng.randint(5, 40)))
    final = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    stderrs += [second.stderr, final.stderr]

    assert final.returncode == 1  # the bad files failed
    assert not any("Traceback" in s for s in stderrs), [s[-800:] for s in stderrs]
    records = list(read_jsonl(out))
    assert sorted(r["id"] for r in records) == sorted(good)  # one record per good document
    assert all(r["meta"]["hash"] == content_hash(good[r["id"]]) for r in records)
    assert all(r["text"] == good[r["id"]] for r in records)
    reported = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert {e["file"] for e in reported if not e.get("warning")} == bad_paths
    warned = {Path(e["file"]).stem for e in reported if e.get("warning") and e["stage"] == "decode"}
    assert warned == {f"doc_{i:03d}" for i in range(N_GOOD) if i % 40 in (2, 3)}
    assert Path(f"{out}.corrupt").read_text(encoding="utf-8").strip()
