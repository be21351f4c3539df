"""Entity candidates: what every candidate source yields, and the one interface of a source.

A source (`regex_rules`, `gazetteer`, `names`, `tables`) is built once per rules folder
and called once per document with a `DocView`; it yields `Candidate` objects in
original-text offsets. Overlap resolution (`nlp.overlaps`) then chooses among them and
the value parsers (`nlp.values.registry`) read the values of the chosen ones.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from nlp.textmap import TextMap

if TYPE_CHECKING:  # spaCy only for the type: the index uses candidates without loading spaCy
    from spacy.tokens import Doc

#: Precedence of labels in overlap resolution (higher wins; see `nlp.overlaps`).
LABEL_RANK = {"DATE": 4, "AMOUNT": 3, "PERCENT": 3, "PROGRAM": 2, "YEAR": 1}


@dataclass
class Candidate:
    """A possible entity in original-text offsets, with what its value is read from.

    `parser` names a value parser of `nlp.values.registry`; `groups` are the named groups
    of the regex match it reads (`group` is the one this span covers, when a rule yields
    several spans). A source that knows the value already (a table cell) sets `value`.
    """

    start: int
    end: int
    label: str
    rule: str
    rank: int
    priority: int = 0
    context: str | None = None
    value: Any = None
    parser: str | None = None
    groups: Mapping[str, str | None] = field(default_factory=dict)
    group: str | None = None
    decimal: str | None = None
    column: str | None = None  # a table cell's column header

    @property
    def length(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class DocView:
    """One document as the sources see it: the Doc, its text, its normalized view and the
    decimal mark its unambiguous numbers use."""

    doc: Doc
    text: str
    textmap: TextMap
    decimal: str | None


class CandidateSource(Protocol):
    """The interface of every candidate source."""

    def __call__(self, view: DocView) -> Iterator[Candidate]: ...


__all__ = ["LABEL_RANK", "Candidate", "CandidateSource", "DocView"]
