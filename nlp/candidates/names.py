"""Candidates of open program names: capitalized names after `Programa`, `Plan`,
`Estrategia`, `Fondo`… (the spaCy `Matcher` patterns of `program_patterns.jsonl`), cut
and filtered by the name rules of `nlp.program_names`, so names never seen before are found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import regex
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from nlp.candidates import LABEL_RANK, Candidate, DocView
from nlp.program_names import (
    ProgramRules,
    cut_name,
    is_name,
    program_rules,
    quoted_tail_end,
    skip_type_phrase,
    trim_name,
)
from nlp.rules import read_jsonl_rules, rules_path

#: The longest program name the open patterns look for, in tokens.
MAX_NAME_TOKENS = 40


class ProgramNames:
    """The name patterns as a candidate source; the Matcher runs only where a head word is."""

    def __init__(self, vocab: Vocab, rules_dir: str | None = None) -> None:
        self.vocab = vocab
        self.rules: ProgramRules = program_rules(rules_dir)
        self.matcher = Matcher(vocab)
        path = rules_path(rules_dir, "entities", "program_patterns.jsonl")
        patterns: list[list[dict[str, Any]]] = []
        for index, item in enumerate(read_jsonl_rules(path), 1):
            where = f"{path}: pattern {index} ({item.get('id', '?')})"
            if not isinstance(item.get("id"), str) or not isinstance(item.get("pattern"), list):
                raise ValueError(f"{where}: needs a string `id` and a list `pattern`")
            try:
                self.matcher.add(item["id"], [item["pattern"]], greedy="LONGEST")
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{where}: not a spaCy Matcher pattern: {err}") from err
            patterns.append(item["pattern"])
        self.continues = continuation_test(patterns)
        heads = sorted(map(regex.escape, self.rules.head_words), key=len, reverse=True)
        # a head glued to a number by extraction (`2019-2020Programa`) starts a name too
        self.head_re = regex.compile(r"(?<![^\W\d])(?:" + "|".join(heads) + r")(?!\w)")

    def __call__(self, view: DocView) -> Iterator[Candidate]:
        doc = view.doc
        for match_id, start, end in self._windowed_matches(view):
            end = trim_name(doc, start, end, self.rules)
            if not is_name(doc, start, end, self.rules):
                continue
            start = skip_type_phrase(doc, start, end, self.rules)
            span = doc[start:end]
            yield Candidate(
                span.start_char,
                quoted_tail_end(view.text, span.end_char),
                "PROGRAM",
                self.vocab.strings[match_id],
                LABEL_RANK["PROGRAM"],
                0,
                parser="program",
            )

    def _windowed_matches(self, view: DocView) -> list[tuple[int, int, int]]:
        """Matches in windows that start at a head word (`Programa`, `Fondo`…): the patterns
        cannot match anywhere else, and most of a document has no head word. Each match is
        already cut (`nlp.program_names.cut_name`)."""
        doc, text = view.doc, view.text
        matches: list[tuple[int, int, int]] = []
        last_end = -1
        for hit in self.head_re.finditer(text):
            head = doc.char_span(hit.start(), hit.end())
            if head is None or head.start < last_end:
                continue
            window = doc[head.start : self._window_end(doc, head.start)]
            for match_id, start, end in self.matcher(window):
                if start == 0:
                    # cut first: a second name after the cut (`… Hambre y con el Programa …`)
                    # gets its own window
                    end = cut_name(doc, text, head.start, head.start + end, self.rules)
                    matches.append((match_id, head.start, end))
                    last_end = end
        return matches

    def _window_end(self, doc: Doc, start: int) -> int:
        """End of the window of a head at token `start`: the first later token no pattern
        token after a first one accepts ends every match from `start`, so the Matcher stops
        there (speed, issue 16: ~4x fewer tokens; matches from `start` are the same)."""
        limit = min(len(doc), start + MAX_NAME_TOKENS)
        if self.continues is None:
            return limit
        for i in range(start + 1, limit):
            if not self.continues(doc[i].text):
                return i
        return limit


def continuation_test(patterns: list[list[dict[str, Any]]]) -> Callable[[str], bool] | None:
    """A test every token after the first of a match passes (its text in an `ORTH`/`TEXT`
    list or matching a `REGEX`, searched as spaCy does), or None for any other token spec."""
    words: set[str] = set()
    regexes: list[re.Pattern[str]] = []
    for pattern in patterns:
        for spec in pattern[1:]:
            attrs = set(spec) - {"OP"}
            if spec.get("OP") == "!" or len(attrs) != 1 or not attrs <= {"ORTH", "TEXT"}:
                return None
            value = spec[attrs.pop()]
            if isinstance(value, str):
                words.add(value)
            elif isinstance(value, dict) and list(value) == ["IN"]:
                words.update(value["IN"])
            elif isinstance(value, dict) and list(value) == ["REGEX"]:
                regexes.append(re.compile(value["REGEX"]))
            else:
                return None
    return lambda text: text in words or any(r.search(text) for r in regexes)
