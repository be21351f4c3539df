"""Candidates of the program gazetteer: any name, alias or earlier name of a known program."""

from __future__ import annotations

from collections.abc import Iterator

from nlp.candidates import LABEL_RANK, Candidate, DocView
from nlp.gazetteer import gazetteer


class Gazetteer:
    """The gazetteer's one compiled regex (`nlp.gazetteer`), as a candidate source."""

    def __init__(self, rules_dir: str | None = None) -> None:
        self.pattern, _ = gazetteer(rules_dir)

    def __call__(self, view: DocView) -> Iterator[Candidate]:
        for match in self.pattern.finditer(view.textmap.norm):  # type: ignore[attr-defined]
            start, end = view.textmap.span(*match.span())
            yield Candidate(
                start,
                end,
                "PROGRAM",
                "program.gazetteer",
                LABEL_RANK["PROGRAM"],
                1,
                parser="program",
            )
