"""Batch annotation: stream files through the pipeline and append one record per document.

Built for thousands of documents, for being interrupted and for hostile input: files
are read lazily, records are written (and flushed) as they are made, documents already
in the output with the same content hash are skipped, and every per-document failure,
of reading or of any component, is one line of the errors file while the batch goes
on (`nlp/batch_pipe.py`). One run at a time writes an output (`nlp/outfile.py`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nlp
from nlp.batch_pipe import pipe_safely
from nlp.components.sections import SHIPPED_MODEL_DIR
from nlp.manifest import manifest_entry
from nlp.outfile import OutputLock, OutputLocked, rewrite_output
from nlp.parallel import annotate_parallel, can_fork
from nlp.paths import Entry, expand_inputs
from nlp.readers import SUPPORTED_SUFFIXES, Document, ReadError, read_document
from nlp.records import JsonlAppender, Record, content_hash, doc_to_record
from nlp.settings import VERSION as __version__
from nlp.settings import rules_dir as default_rules_dir

__all__ = ["OutputLocked", "Summary", "annotate_paths", "annotate_to_docbin", "annotate_to_jsonl"]

#: fsync the output every this many records (each record is flushed at once).
FSYNC_EVERY = 50


@dataclass
class Failure:
    """A document (or entry) that could not be annotated: which file, at which stage, why."""

    file: str
    reason: str
    stage: str = "read"

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "stage": self.stage, "reason": self.reason}


@dataclass
class Summary:
    """What a batch run did; failures and warnings are logged as they happen."""

    done: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    log: _ErrorLog | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)

    def fail(self, failure: Failure) -> None:
        self.failures.append(failure)
        if self.log is not None:
            self.log.write(failure)

    def warn(self, warning: Failure) -> None:
        self.warnings.append(warning)
        if self.log is not None:
            self.log.write(warning, warning=True)

    def line(self) -> str:
        line = f"annotated {self.done}, skipped {self.skipped} (unchanged), failed {self.failed}"
        return line + (f", {len(self.warnings)} warnings" if self.warnings else "")


def pipeline_fingerprint(pipeline: Any) -> str:
    """What a record depends on besides its text: package version, base model, and the
    rules and section model of our components. A resumed run re-annotates documents whose
    records were made by another pipeline, instead of keeping stale annotations."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(
        f"{pipeline.meta.get('name')}-{pipeline.meta.get('version')}:{','.join(pipeline.pipe_names)}".encode()
    )
    folders: set[Path] = set()
    for _name, component in pipeline.pipeline:
        rules_dir = getattr(component, "rules_dir", None)
        if rules_dir is not None or hasattr(component, "_ensure_loaded"):
            folders.add(Path(rules_dir) if rules_dir else default_rules_dir())
        model_dir = getattr(component, "model_dir", "absent")
        if model_dir != "absent":
            folders.add(Path(model_dir) if model_dir else SHIPPED_MODEL_DIR)
    for folder in sorted(folders):
        for path in sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json", ".tsv")
        ):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def find_files(
    inputs: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    summary: Summary,
    follow_links: bool = False,
) -> list[Entry]:
    """The batch's files with their ids; entries skipped or not found are failures."""
    if isinstance(inputs, (str, os.PathLike)):  # one path given alone, not a list of them
        inputs = [inputs]
    inputs = [os.fspath(item) for item in inputs]
    entries, problems = expand_inputs(
        inputs, suffixes=SUPPORTED_SUFFIXES, follow_links=follow_links
    )
    for problem in problems:
        summary.fail(Failure(problem.path, problem.reason, "find"))
    return entries


def read_documents(
    entries: Iterable[Entry],
    summary: Summary,
    skip: dict[str, str] | None = None,
    on_skip: Callable[[], None] | None = None,
) -> Iterator[Document]:
    """Documents of `entries`, lazily; unreadable ones are failures, unchanged ones skipped."""
    skip = skip or {}
    for entry in entries:
        try:
            document = read_document(entry.path)
        except ReadError as err:
            summary.fail(Failure(err.path, err.reason))
            continue
        except OSError as err:
            summary.fail(Failure(str(entry.path), f"cannot read: {err.strerror or err}"))
            continue
        document.id = entry.id
        for warning in document.meta.get("warnings", []):
            summary.warn(Failure(str(entry.path), warning, "decode"))
        digest = content_hash(document.text)
        if skip.get(document.id) == digest:
            if on_skip:
                on_skip()
            continue
        document.meta.update(manifest_entry(entry.path))
        document.meta["hash"] = digest
        yield document


def annotate_documents(
    pipeline: Any,
    documents: Iterable[Document],
    summary: Summary,
    *,
    batch_size: int = 16,
    n_process: int = 1,
    expected_chars: int | None = None,
) -> Iterator[Record]:
    """Records of documents; a document a component fails on is a failure, the rest go on.
    Several processes: forked workers make the records (`nlp.parallel`) where possible;
    `expected_chars` (the input's estimated size) lets them end together."""
    if n_process > 1 and can_fork():
        yield from annotate_parallel(
            pipeline,
            documents,
            lambda file, stage, reason: summary.fail(Failure(file, reason, stage)),
            batch_size=batch_size,
            n_process=n_process,
            expected_chars=expected_chars,
        )
        return

    def failed(document: Document, stage: str, reason: str) -> None:
        summary.fail(Failure(document.meta.get("source", document.id), reason, stage))

    stream = ((doc.text, doc) for doc in documents)
    for spacy_doc, document in pipe_safely(
        pipeline, stream, failed, batch_size=batch_size, n_process=n_process
    ):
        yield doc_to_record(spacy_doc, document.id, document.meta)


def annotate_paths(
    paths: Iterable[str | Path],
    pipeline: Any = None,
    *,
    base: str | None = None,
    failures: list[Failure] | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    follow_links: bool = False,
) -> Iterator[Record]:
    """Records for files, folders and globs (the API behind `fichas index` on documents)."""
    if pipeline is None:
        pipeline = nlp.load(base=base)
    summary = Summary(failures=[] if failures is None else failures)
    entries = find_files(paths, summary, follow_links)
    yield from annotate_documents(
        pipeline,
        read_documents(entries, summary),
        summary,
        batch_size=batch_size,
        n_process=n_process,
    )


def annotate_to_jsonl(
    inputs: list[str],
    out: Path,
    pipeline: Any,
    *,
    errors_path: Path | None = None,
    force: bool = False,
    batch_size: int = 16,
    n_process: int = 1,
    progress: bool = True,
    follow_links: bool = False,
) -> Summary:
    """Annotate files into a JSONL output, resuming where a previous run stopped.

    Raises `OutputLocked` at once if another run is writing `out`."""
    out = Path(out)
    with OutputLock(out), _ErrorLog(errors_path) as log:
        summary = Summary(log=log)
        entries = find_files(inputs, summary, follow_links)
        if force and out.exists():
            out.unlink()
        fingerprint = pipeline_fingerprint(pipeline)
        skip, corrupt = rewrite_output(
            out, lambda r: r.get("meta", {}).get("pipeline") == fingerprint
        )
        for problem in corrupt:
            summary.warn(Failure(str(out), problem, "resume"))
        if skip:
            skip = _drop_replaced(entries, skip, out)
        _write_records(
            entries, out, pipeline, summary, skip, fingerprint, batch_size, n_process, progress
        )
    return summary


def _write_records(
    entries: list[Entry],
    out: Path,
    pipeline: Any,
    summary: Summary,
    skip: dict[str, str],
    fingerprint: str,
    batch_size: int,
    n_process: int,
    progress: bool,
) -> None:
    """Annotate the entries not skipped and append their records, each whole."""
    bar = _progress(len(entries), progress)

    def skipped() -> None:
        summary.skipped += 1
        bar.update(1)

    documents = read_documents(entries, summary, skip, on_skip=skipped)
    documents = _with_meta(documents, pipeline=fingerprint)
    with JsonlAppender(out) as appender:
        try:
            records = annotate_documents(
                pipeline,
                documents,
                summary,
                batch_size=batch_size,
                n_process=n_process,
                expected_chars=_input_bytes(entries, skip) if n_process > 1 else None,
            )
            for count, record in enumerate(records, 1):
                appender.write(record, sync=count % FSYNC_EVERY == 0)
                summary.done += 1
                bar.update(1)
        finally:
            appender.sync()
            bar.close()


def _input_bytes(entries: list[Entry], skip: dict[str, str]) -> int:
    """The size on disk of the entries a resumed run may annotate: about their characters
    (a PDF's more), enough for `nlp.parallel` to make its last tasks smaller."""
    total = 0
    for entry in entries:
        if entry.id in skip:
            continue
        try:
            total += entry.path.stat().st_size
        except OSError:
            continue
    return total


def _with_meta(documents: Iterable[Document], **meta: str) -> Iterator[Document]:
    for document in documents:
        document.meta.update(meta)
        yield document


def _drop_replaced(entries: list[Entry], skip: dict[str, str], out: Path) -> dict[str, str]:
    """Rewrite the output without records whose file changed, or whose file now has
    another id, so a changed document is replaced and none is kept twice."""
    current: dict[str, str] = {}
    ids_of_source = {str(e.path): e.id for e in entries}
    for entry in entries:
        if entry.id not in skip:
            continue
        try:
            current[entry.id] = content_hash(read_document(entry.path).text)
        except (ReadError, OSError):
            continue

    def keep(record: Record) -> bool:
        source = record.get("meta", {}).get("source")
        if source in ids_of_source and ids_of_source[source] != record["id"]:
            return False
        return current.get(record["id"], skip[record["id"]]) == skip[record["id"]]

    kept, _ = rewrite_output(out, keep)
    return kept


class _ErrorLog:
    """Failures appended to an errors JSONL file as they happen (nothing if no path);
    the file is removed at the end of a run that had nothing to report."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.count = 0
        self._handle = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = path.open("w", encoding="utf-8")

    def write(self, failure: Failure, warning: bool = False) -> None:
        self.count += 1
        if self._handle:
            line = {**failure.to_json(), **({"warning": True} if warning else {})}
            self._handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._handle.flush()

    def __enter__(self) -> _ErrorLog:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle:
            self._handle.close()
            if not self.count and self.path is not None:
                os.unlink(self.path)


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="annotate", disable=not enabled, leave=False)


def annotate_to_docbin(
    inputs: list[str],
    out: Path,
    pipeline: Any,
    *,
    errors_path: Path | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    progress: bool = True,
    follow_links: bool = False,
) -> Summary:
    """Annotate files into a spaCy DocBin (values kept in user data), written atomically."""
    from spacy.tokens import DocBin

    out = Path(out)
    with OutputLock(out), _ErrorLog(errors_path) as log:
        summary = Summary(log=log)
        entries = find_files(inputs, summary, follow_links)
        docbin = DocBin(store_user_data=True)
        bar = _progress(len(entries), progress)

        def failed(document: Document, stage: str, reason: str) -> None:
            summary.fail(Failure(document.meta.get("source", document.id), reason, stage))

        stream = ((d.text, d) for d in read_documents(entries, summary))
        for spacy_doc, document in pipe_safely(
            pipeline, stream, failed, batch_size=batch_size, n_process=n_process
        ):
            spacy_doc._.doc_id = document.id
            docbin.add(spacy_doc)
            summary.done += 1
            bar.update(1)
        bar.close()
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(docbin.to_bytes())
        os.replace(tmp, out)
    return summary
