"""Decode the bytes of a text file into the text every offset indexes.

UTF-8 (with or without BOM), UTF-16 and UTF-32 with a BOM; a mostly-UTF-8 file with a
few bad bytes (one cp1252 character pasted in, a character cut at the end) is decoded
with a warning naming the byte offsets instead of being refused; otherwise
charset-normalizer chooses among the legacy encodings Mexican offices still write.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

from nlp.errors import ReadError

# Encodings we accept, tried by charset-normalizer; cp1252 and latin-1 are what
# Mexican government offices' older tools still write.
_CANDIDATE_ENCODINGS = ["utf_8", "cp1252", "latin_1"]

#: Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf_32_le"),
    (codecs.BOM_UTF32_BE, "utf_32_be"),
    (codecs.BOM_UTF8, "utf_8"),
    (codecs.BOM_UTF16_LE, "utf_16_le"),
    (codecs.BOM_UTF16_BE, "utf_16_be"),
)

#: At most this share of a mostly-UTF-8 file's bytes may be bad (and be decoded as cp1252).
MAX_BAD_SHARE = 0.01
#: Offsets named in a warning before "and N more".
_SHOWN_OFFSETS = 8


def decode_text(path: Path | str, data: bytes) -> tuple[str, dict[str, Any]]:
    """Text and meta (`encoding`, and `warnings` when bytes were repaired) of a text file."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(path, data[len(bom) :], encoding)
    if b"\x00" in data[:8192]:
        raise ReadError(path, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), {"encoding": "utf_8"}
    except UnicodeDecodeError:
        pass
    repaired = _mostly_utf8(data)
    if repaired is not None:
        return repaired
    return _legacy(path, data)


def _decode_with_bom(path: Path | str, body: bytes, encoding: str) -> tuple[str, dict[str, Any]]:
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as err:
        raise ReadError(
            path, f"undecodable bytes after a {encoding} BOM at byte {err.start}"
        ) from err
    name = "utf_8_sig" if encoding == "utf_8" else encoding
    return text, {"encoding": name}


def _bad_offsets(data: bytes) -> tuple[str, list[int], int]:
    """Text with bad bytes as lone surrogates, their byte offsets, and valid non-ASCII chars."""
    text = data.decode("utf-8", errors="surrogateescape")
    offsets: list[int] = []
    valid = 0
    position = 0
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            offsets.append(position)
            position += 1
        else:
            valid += code >= 0x80
            position += len(char.encode("utf-8")) if code >= 0x80 else 1
    return text, offsets, valid


def _mostly_utf8(data: bytes) -> tuple[str, dict[str, Any]] | None:
    """UTF-8 with a few bad bytes: a cut character at the end, or stray cp1252 bytes."""
    text, offsets, valid = _bad_offsets(data)
    cut_at_end = _is_cut_at_end(data, offsets)
    if not cut_at_end and (valid < len(offsets) or len(offsets) > MAX_BAD_SHARE * len(data) + 1):
        return None
    chars = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            chars.append("\ufffd" if cut_at_end else _cp1252(code - 0xDC00))
        else:
            chars.append(char)
    shown = ", ".join(str(o) for o in offsets[:_SHOWN_OFFSETS])
    more = f" and {len(offsets) - _SHOWN_OFFSETS} more" if len(offsets) > _SHOWN_OFFSETS else ""
    how = (
        "a character cut at the end, replaced by U+FFFD"
        if cut_at_end
        else "decoded as cp1252 (U+FFFD where cp1252 has no character)"
    )
    warning = f"{len(offsets)} invalid UTF-8 byte(s) at byte offset(s) {shown}{more}: {how}"
    return "".join(chars), {"encoding": "utf_8", "warnings": [warning]}


def _is_cut_at_end(data: bytes, offsets: list[int]) -> bool:
    """The only bad bytes are the start of a multi-byte sequence the file ends in."""
    if not offsets or offsets[0] < len(data) - 3 or offsets != list(range(offsets[0], len(data))):
        return False
    try:
        data[offsets[0] :].decode("utf-8")
    except UnicodeDecodeError as err:
        return err.reason == "unexpected end of data"
    return False


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return "\ufffd"


def _legacy(path: Path | str, data: bytes) -> tuple[str, dict[str, Any]]:
    """cp1252 or latin-1, as charset-normalizer finds."""
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
