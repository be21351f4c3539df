"""Read a document file into (id, text, meta): detect encodings, extract PDF text layers.

Every error names the file and the reason in one line (`ReadError`), so a batch can
report it and go on. Text is returned exactly as decoded: offsets refer to it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.settings import max_bytes

TEXT_SUFFIXES = (".txt", ".md")
PDF_SUFFIXES = (".pdf",)
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + PDF_SUFFIXES

# Encodings we accept, tried by charset-normalizer; cp1252 and latin-1 are what
# Mexican government offices' older tools still write.
_CANDIDATE_ENCODINGS = ["utf_8", "cp1252", "latin_1"]
_PAGE_SEPARATOR = "\f"


class ReadError(Exception):
    """A document that cannot be read; `str()` is `<file>: <reason>`."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


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


def decode_text(path: Path | str, data: bytes) -> tuple[str, dict[str, Any]]:
    """Decode a text file: UTF-8 (with or without BOM), else what charset-normalizer finds."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), {"encoding": "utf_8_sig"}
        except UnicodeDecodeError as err:
            raise ReadError(
                path, f"undecodable bytes after a UTF-8 BOM at byte {err.start}"
            ) from err
    if b"\x00" in data[:8192]:
        raise ReadError(path, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), {"encoding": "utf_8"}
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_CANDIDATE_ENCODINGS).best()
    if best is None:
        raise ReadError(path, "undecodable bytes: not UTF-8, cp1252 or latin-1 text")
    text = str(best)
    if _looks_binary(text):
        raise ReadError(path, "binary file (control characters), not text")
    return text, {"encoding": best.encoding}


def _looks_binary(text: str) -> bool:
    """Too many control characters for a human-written document."""
    sample = text[:8192]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > max(8, len(sample) // 100)


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


def iter_paths(inputs: list[str]) -> tuple[list[Path], list[ReadError]]:
    """Expand files, folders (recursively) and globs into supported files, sorted and unique."""
    import glob

    found: list[Path] = []
    missing: list[ReadError] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        elif path.exists():
            found.append(path)
        else:
            matches = sorted(glob.glob(item, recursive=True))
            if matches:
                found.extend(Path(m) for m in matches if Path(m).is_file())
            else:
                missing.append(ReadError(path, "no such file or folder"))
    unique = list(dict.fromkeys(found))
    return unique, missing
