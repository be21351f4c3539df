"""What a document id may be: it names a record in the index and appears in URLs.

Batch annotation makes ids from file stems or relative paths (`nlp/paths.py`), so an id
may contain `/`; it may not climb (`..`), be absolute, or hold control characters, so an
id read from someone else's records cannot become `../../etc/passwd` in a link.
"""

from __future__ import annotations

from urllib.parse import quote

MAX_ID_CHARS = 255


def id_problem(doc_id: object) -> str | None:
    """Why `doc_id` is not a valid document id (None when it is)."""
    if not isinstance(doc_id, str) or not doc_id:
        return "the id must be a non-empty string"
    if len(doc_id) > MAX_ID_CHARS:
        return f"the id is {len(doc_id)} characters long; the limit is {MAX_ID_CHARS}"
    if any(ord(ch) < 32 or ord(ch) == 127 or 0xD800 <= ord(ch) <= 0xDFFF for ch in doc_id):
        return f"the id {doc_id[:60]!r} contains control characters"
    if "\\" in doc_id or doc_id.startswith("/") or doc_id.endswith("/"):
        return f"the id {doc_id[:60]!r} must be a relative path with '/' between names"
    if any(part in ("", ".", "..") for part in doc_id.split("/")):
        return f"the id {doc_id[:60]!r} has an empty, '.' or '..' path segment"
    return None


def id_url(doc_id: str) -> str:
    """`doc_id` as one URL path segment: every `/`, `?`, `#`, `%` and space encoded."""
    return quote(doc_id, safe="")
