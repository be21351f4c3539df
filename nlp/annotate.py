"""Batch annotation: stream files through the pipeline and append one record per document.

Built for thousands of documents and for being interrupted: files are read lazily,
records are written (and flushed) as they are made, documents already in the output
with the same content hash are skipped, and a bad file is reported, not fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.readers import Document, ReadError, iter_paths, read_document
from nlp.records import JsonlAppender, Record, content_hash, doc_to_record, read_jsonl, repair_jsonl

#: fsync the output every this many records (each record is flushed at once).
FSYNC_EVERY = 50


@dataclass
class Failure:
    """A document that could not be annotated: which file and why."""

    file: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


@dataclass
class Summary:
    """What a batch run did."""

    done: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def line(self) -> str:
        return f"annotated {self.done}, skipped {self.skipped} (unchanged), failed {self.failed}"


def pipeline_fingerprint(pipeline: Any) -> str:
    """What a record depends on besides its text: package version, base model, and the
    rules and section model of our components. A resumed run re-annotates documents whose
    records were made by another pipeline, instead of keeping stale annotations."""
    import hashlib

    from nlp import __version__

    digest = hashlib.sha256(__version__.encode())
    digest.update(
        f"{pipeline.meta.get('name')}-{pipeline.meta.get('version')}:{','.join(pipeline.pipe_names)}".encode()
    )
    folders: set[Path] = set()
    for _name, component in pipeline.pipeline:
        rules_dir = getattr(component, "rules_dir", None)
        if rules_dir is not None or hasattr(component, "_ensure_loaded"):
            from nlp.settings import rules_dir as default_rules_dir

            folders.add(Path(rules_dir) if rules_dir else default_rules_dir())
        model_dir = getattr(component, "model_dir", "absent")
        if model_dir != "absent":
            from nlp.components.sections import SHIPPED_MODEL_DIR

            folders.add(Path(model_dir) if model_dir else SHIPPED_MODEL_DIR)
    for folder in sorted(folders):
        for path in sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json", ".tsv")
        ):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def existing_hashes(out: Path) -> dict[str, str]:
    """id -> content hash of the records already in a JSONL output (for resuming)."""
    if not out.exists():
        return {}
    repair_jsonl(out)
    hashes = {}
    for record in read_jsonl(out):
        hashes[record["id"]] = record.get("meta", {}).get("hash") or content_hash(record["text"])
    return hashes


def read_documents(
    paths: Iterable[Path],
    failures: list[Failure],
    skip: dict[str, str] | None = None,
    on_skip: Callable[[], None] | None = None,
) -> Iterator[Document]:
    """Documents of `paths`, lazily; unreadable ones go to `failures`, unchanged ones skipped."""
    from nlp.manifest import manifest_entry

    skip = skip or {}
    for path in paths:
        try:
            document = read_document(path)
        except ReadError as err:
            failures.append(Failure(err.path, err.reason))
            continue
        except OSError as err:
            failures.append(Failure(str(path), f"cannot read: {err.strerror or err}"))
            continue
        if skip.get(document.id) == content_hash(document.text):
            if on_skip:
                on_skip()
            continue
        document.meta.update(manifest_entry(path))
        document.meta["hash"] = content_hash(document.text)
        yield document


def annotate_documents(
    pipeline: Any, documents: Iterable[Document], *, batch_size: int = 16, n_process: int = 1
) -> Iterator[Record]:
    """Records of documents, streamed through `pipeline.pipe` (as_tuples keeps id and meta)."""
    stream = ((doc.text, (doc.id, doc.meta)) for doc in documents)
    for spacy_doc, (doc_id, meta) in pipeline.pipe(
        stream, as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        yield doc_to_record(spacy_doc, doc_id, meta)


def annotate_paths(
    paths: Iterable[str | Path],
    pipeline: Any = None,
    *,
    base: str | None = None,
    failures: list[Failure] | None = None,
    batch_size: int = 16,
    n_process: int = 1,
) -> Iterator[Record]:
    """Records for files, folders and globs (the API behind `fichas index` on documents)."""
    if pipeline is None:
        import nlp

        pipeline = nlp.load(base=base)
    failures = [] if failures is None else failures
    files, missing = iter_paths([str(p) for p in paths])
    failures.extend(Failure(m.path, m.reason) for m in missing)
    yield from annotate_documents(
        pipeline, read_documents(files, failures), batch_size=batch_size, n_process=n_process
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
) -> Summary:
    """Annotate files into a JSONL output, resuming where a previous run stopped."""
    summary = Summary()
    files, missing = iter_paths(inputs)
    summary.failures.extend(Failure(m.path, m.reason) for m in missing)
    if force and out.exists():
        out.unlink()
    fingerprint = pipeline_fingerprint(pipeline)
    _drop_other_pipelines(out, fingerprint)
    skip = existing_hashes(out)
    if skip:
        files = _drop_replaced(files, skip, out)
    bar = _progress(len(files), progress)

    def skipped() -> None:
        summary.skipped += 1
        bar.update(1)

    documents = _with_meta(
        read_documents(files, summary.failures, skip, on_skip=skipped), pipeline=fingerprint
    )
    errors = _ErrorLog(errors_path)
    errors.extend(summary.failures)
    sent: dict[str, str] = {}

    def tracked(docs: Iterable[Document]) -> Iterator[Document]:
        for document in docs:
            sent[document.id] = document.meta.get("source", document.id)
            yield document

    with JsonlAppender(out) as appender:
        try:
            for count, record in enumerate(
                annotate_documents(
                    pipeline, tracked(documents), batch_size=batch_size, n_process=n_process
                ),
                1,
            ):
                appender.write(record, sync=count % FSYNC_EVERY == 0)
                sent.pop(record["id"], None)
                summary.done += 1
                bar.update(1)
        finally:
            appender.sync()
            bar.close()
    # Documents read but never returned failed inside the pipeline.
    for source in sent.values():
        summary.failures.append(Failure(source, "the pipeline failed on this document"))
    errors.extend(summary.failures)
    errors.close()
    return summary


def _with_meta(documents: Iterable[Document], **meta: str) -> Iterator[Document]:
    for document in documents:
        document.meta.update(meta)
        yield document


def _drop_other_pipelines(out: Path, fingerprint: str) -> None:
    """Remove records made by another pipeline from the output, so they are made again."""
    from nlp.records import dumps, write_atomic

    if not out.exists():
        return
    repair_jsonl(out)
    records = list(read_jsonl(out))
    kept = [r for r in records if r.get("meta", {}).get("pipeline") == fingerprint]
    if len(kept) != len(records):
        write_atomic(out, "".join(dumps(r) + "\n" for r in kept))


def _drop_replaced(files: list[Path], skip: dict[str, str], out: Path) -> list[Path]:
    """Rewrite the output without records whose file changed, so a changed document is replaced."""
    from nlp.records import dumps, write_atomic

    current = {}
    for path in files:
        try:
            current[path.stem] = content_hash(read_document(path).text)
        except (ReadError, OSError):
            continue
    changed = {
        doc_id for doc_id, digest in skip.items() if doc_id in current and current[doc_id] != digest
    }
    if changed:
        kept = [r for r in read_jsonl(out) if r["id"] not in changed]
        write_atomic(out, "".join(dumps(r) + "\n" for r in kept))
        for doc_id in changed:
            skip.pop(doc_id, None)
    return files


class _ErrorLog:
    """Failures appended to an errors JSONL file as they happen (nothing if no path)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.written: list[Failure] = []
        self._handle = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = path.open("w", encoding="utf-8")

    def extend(self, failures: Iterable[Failure]) -> None:
        for failure in failures:
            if failure in self.written:
                continue
            self.written.append(failure)
            if self._handle:
                self._handle.write(json.dumps(failure.to_json(), ensure_ascii=False) + "\n")
                self._handle.flush()

    def close(self) -> None:
        if self._handle:
            self._handle.close()
            if not self.written and self.path is not None:
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
) -> Summary:
    """Annotate files into a spaCy DocBin (values kept in user data), written atomically."""
    from spacy.tokens import DocBin

    summary = Summary()
    files, missing = iter_paths(inputs)
    summary.failures.extend(Failure(m.path, m.reason) for m in missing)
    docbin = DocBin(store_user_data=True)
    documents = read_documents(files, summary.failures)
    stream = ((d.text, d.id) for d in documents)
    bar = _progress(len(files), progress)
    for spacy_doc, doc_id in pipeline.pipe(
        stream, as_tuples=True, batch_size=batch_size, n_process=n_process
    ):
        spacy_doc._.doc_id = doc_id
        docbin.add(spacy_doc)
        summary.done += 1
        bar.update(1)
    bar.close()
    tmp = out.with_name(f".{out.name}.tmp")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_bytes(docbin.to_bytes())
    os.replace(tmp, out)
    errors = _ErrorLog(errors_path)
    errors.extend(summary.failures)
    errors.close()
    return summary
