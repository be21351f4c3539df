"""Read a document file into (id, text, meta): detect encodings, extract PDF text layers.

Every error names the file and the reason in one line (`ReadError`), so a batch can
report it and go on. Text is returned exactly as decoded: offsets refer to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.decoding import decode_text
from nlp.errors import ReadError
from nlp.paths import expand_inputs
from nlp.settings import max_bytes

__all__ = ["Document", "ReadError", "decode_text", "iter_paths", "read_document"]

TEXT_SUFFIXES = (".txt", ".md")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES

_PAGE_SEPARATOR = "\f"


@dataclass
class Document:
    """A decoded document: its id, its text, and what we know about where it came from."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


def doc_id_for(path: Path) -> str:
    """A document's id: its file name without the extension."""
    return path.stem


def read_document(path: str | Path, *, limit: int | None = None) -> Document:
    """Read one `.txt`, `.md` or `.pdf` file; raise `ReadError` naming the reason."""
    path = Path(path)
    if not path.exists():
        raise ReadError(path, "no such file")
    if path.is_dir():
        raise ReadError(path, "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(
            path,
            (
                f"unsupported file type {suffix or '(none)'}; expected one of "
                f"{', '.join(SUPPORTED_SUFFIXES)}"
            ),
        )
    size = path.stat().st_size
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise ReadError(
            path, f"file is {size:,} bytes, over the limit of {limit:,} (FICHAS_MAX_BYTES)"
        )
    if size == 0:
        raise ReadError(path, "empty file")
    data = path.read_bytes()
    if suffix in PDF_SUFFIXES:
        text, meta = _read_pdf(path, data)
    else:
        text, meta = decode_text(path, data)
    if not text.strip():
        raise ReadError(path, "no text (only whitespace)")
    meta = {"source": str(path), "format": suffix.lstrip("."), "bytes": size, **meta}
    return Document(id=doc_id_for(path), text=text, meta=meta)


def _read_pdf(path: Path, data: bytes) -> tuple[str, dict[str, Any]]:
    """Text layer of a PDF, pages joined by form feeds; page start offsets kept in meta."""
    if not data.startswith(b"%PDF"):
        raise ReadError(path, "not a PDF (missing %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise ReadError(path, "truncated PDF (no %%EOF marker at the end)")
    import pdfplumber

    try:
        pages: list[str] = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                pages.append(page.extract_text() or "")
    except Exception as err:  # pdfminer raises many kinds for damaged files
        raise ReadError(path, f"unreadable PDF ({type(err).__name__}: {err})") from err
    if not any(p.strip() for p in pages):
        raise ReadError(path, f"PDF without a text layer ({len(pages)} pages of images?)")
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(_PAGE_SEPARATOR)
    return _PAGE_SEPARATOR.join(pages), {"pages": len(pages), "page_starts": starts}


def page_of(meta: dict[str, Any], offset: int) -> int | None:
    """1-based page number of a character offset in a PDF's text (None for text files)."""
    starts = meta.get("page_starts")
    if not starts:
        return None
    from bisect import bisect_right

    return bisect_right(starts, offset)


def iter_paths(
    inputs: list[str], *, follow_links: bool = False
) -> tuple[list[Path], list[ReadError]]:
    """Files of files, folders (recursively) and globs, each once; skipped entries reported."""
    entries, problems = expand_inputs(
        inputs, suffixes=SUPPORTED_SUFFIXES, follow_links=follow_links
    )
    return [e.path for e in entries], problems
