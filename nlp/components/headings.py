"""`fichas_headings`: the heading rules alone, as `doc.spans["headings"]`.

The rules (`nlp.heading_rules`) and their matcher (`nlp.headings`) are plain Python; this
module is the spaCy side: the component, its serialization and the heading spans.
`fichas_sections` runs the matcher itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.blocks import line_end_offset, line_start_offset
from nlp.extensions import doc_textmap
from nlp.heading_rules import RULES_FILE, dump_rules, load_rules
from nlp.headings import HeadingMatch, HeadingMatcher, heading_matcher
from nlp.settings import HEADINGS_KEY
from nlp.textmap import TextMap


class HeadingsComponent:
    """`fichas_headings`: writes `doc.spans["headings"]` (label = first candidate, id = rule id)."""

    def __init__(self, nlp: Language, name: str, rules_dir: str | None) -> None:
        self.name = name
        self.rules_dir = rules_dir
        self._matcher: HeadingMatcher | None = None

    @property
    def matcher(self) -> HeadingMatcher:
        if self._matcher is None:
            self._matcher = heading_matcher(self.rules_dir)
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        tm = doc_textmap(doc)
        doc.spans[HEADINGS_KEY] = heading_spans(doc, tm, self.matcher.find(tm.norm))
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILE.name).write_text(dump_rules(self.matcher.rules), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> HeadingsComponent:
        self._matcher = HeadingMatcher(load_rules(Path(path) / RULES_FILE.name))
        return self


def heading_spans(
    doc: Doc, tm: TextMap, matches: Sequence[HeadingMatch], labels: Sequence[str] | None = None
) -> list[Any]:
    """Spans of the headings (expanded to tokens), with the chosen label and rule id."""
    out = []
    last_end = 0
    for k, match in enumerate(matches):
        start = line_start_offset(tm, match.start) if match.line_start else tm.start(match.start)
        nl = tm.norm.find("\n", match.end)
        at_line_end = not tm.norm[match.end : nl if nl >= 0 else len(tm.norm)].strip()
        end = line_end_offset(tm, match.end) if at_line_end else tm.end(match.end)
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or span.start < last_end:
            continue
        label = labels[k] if labels is not None else match.label
        out.append(Span(doc, span.start, span.end, label=label, span_id=match.rule_id))
        last_end = span.end
    return out


@Language.factory("fichas_headings", default_config={"rules_dir": None}, assigns=["doc.spans"])
def make_headings(nlp: Language, name: str, rules_dir: str | None) -> HeadingsComponent:
    """Heading rules alone (the sections component runs them itself)."""
    return HeadingsComponent(nlp, name, rules_dir)
