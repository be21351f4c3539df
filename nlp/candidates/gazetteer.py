"""Candidates of the program gazetteer: any name, alias or earlier name of a known program."""

from __future__ import annotations

from collections.abc import Iterator

from nlp.candidates import LABEL_RANK, Candidate, DocView, regex_rules
from nlp.gazetteer import GazetteerScan


class Gazetteer:
    """The matches of the gazetteer's regex (`nlp.gazetteer`), as a candidate source."""

    def __init__(self, rules_dir: str | None = None) -> None:
        self.scan = GazetteerScan(rules_dir)  # speed (issue 16): the same matches

    def __call__(self, view: DocView) -> Iterator[Candidate]:
        for span in self.scan.spans(view.textmap.norm, timeout=regex_rules.RULE_TIMEOUT_S):
            start, end = view.textmap.span(*span)
            yield Candidate(
                start,
                end,
                "PROGRAM",
                "program.gazetteer",
                LABEL_RANK["PROGRAM"],
                1,
                parser="program",
            )
