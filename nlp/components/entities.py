"""`fichas_entities`: PROGRAM, YEAR, DATE, AMOUNT and PERCENT as `doc.ents` with `Span._.value`.

The component only wires the parts together (docs/entities.md tells the whole path):
candidate sources (`nlp.candidates`: regex rules, gazetteer, open names, table cells)
-> one overlap resolution (`nlp.overlaps`) -> program mentions a document links
(`nlp.programs`) -> values (`nlp.values.registry`, then `nlp.programs.program_values`)
-> token-aligned `doc.ents` (`nlp.matching`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from nlp.candidates import Candidate, CandidateSource, DocView
from nlp.candidates.gazetteer import Gazetteer
from nlp.candidates.names import ProgramNames
from nlp.candidates.regex_rules import RegexRules
from nlp.candidates.tables import TableCells
from nlp.extensions import doc_text, doc_textmap, register_extensions
from nlp.matching import Entity, set_entities, trim
from nlp.overlaps import known_names_end, resolve
from nlp.programs import linked_mentions, program_values, widen_over_markup
from nlp.settings import ENTITY_LABELS
from nlp.settings import rules_dir as default_rules_dir
from nlp.values.numbers import decimal_convention
from nlp.values.registry import parse_value


class EntityRecognizer:
    """Rule-based recognizer of the guide's entities; all rules come from a rules folder."""

    def __init__(
        self, nlp: Language, name: str = "fichas_entities", rules_dir: str | None = None
    ) -> None:
        register_extensions()
        self.nlp = nlp
        self.name = name
        self.rules_dir = str(rules_dir) if rules_dir else None
        self.sources: list[CandidateSource] = []  # built on first use, or by from_disk

    def _ensure_loaded(self) -> None:
        """Build every source once; a component never re-reads rules per document."""
        if not self.sources:
            self._load_rules()

    def _load_rules(self) -> None:
        self.sources = [
            RegexRules(self.rules_dir),
            Gazetteer(self.rules_dir),
            TableCells(self.rules_dir),
            ProgramNames(self.nlp.vocab, self.rules_dir),
        ]

    def __call__(self, doc: Doc) -> Doc:
        self._ensure_loaded()
        text = doc_text(doc)
        chosen = self.choose(doc, text)
        for cand in chosen:
            if cand.value is None and cand.parser:
                surface = text[cand.start : cand.end]
                cand.value = parse_value(
                    cand.parser, cand.groups, surface, cand.decimal, self.rules_dir
                )
        program_values(chosen, text, self.rules_dir)
        set_entities(doc, _entities(chosen, text))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    def candidates(self, doc: Doc, text: str | None = None) -> list[Candidate]:
        """Every possible entity in original offsets, before overlap resolution."""
        self._ensure_loaded()
        textmap = doc_textmap(doc)
        text = doc_text(doc) if text is None else text
        view = DocView(doc, text, textmap, decimal_convention(textmap.norm))
        return [cand for source in self.sources for cand in source(view)]

    def choose(self, doc: Doc, text: str) -> list[Candidate]:
        """The entities resolution keeps, with the mentions they make known (acronyms, keys)."""
        # a catalogue name ends where it ends: open names running past it are dropped
        candidates = known_names_end(self.candidates(doc, text), "program.gazetteer")
        chosen = resolve(candidates, text, self.rules_dir)
        extra = linked_mentions(text, chosen, self.rules_dir)
        return resolve(candidates + extra, text, self.rules_dir) if extra else chosen

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        """`ents_p`, `ents_r`, `ents_f`, `ents_per_type` through spaCy's scorer, so
        `nlp.evaluate()` and `spacy evaluate` report entities (the guide's own scoring, with
        values, is `fichas evaluate`)."""
        return Scorer.score_spans(examples, "ents", **kwargs)

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """Save the rules with the pipeline so it loads anywhere, without the repo's rules/."""
        target = Path(path) / "rules"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(default_rules_dir(self.rules_dir), target)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> EntityRecognizer:
        self.rules_dir = str(Path(path) / "rules")
        self._load_rules()
        return self


def _entities(chosen: list[Candidate], text: str) -> list[Entity]:
    """Chosen candidates with a value, trimmed of spaces (a name split by markup widened)."""
    out = []
    for cand in chosen:
        if cand.value is None:
            continue
        start, end = trim(text, cand.start, cand.end)
        if cand.label == "PROGRAM" and "**" in text[start:end]:
            start, end = widen_over_markup(text, start, end)
        if start < end:
            out.append(Entity(start, end, cand.label, cand.value, cand.rule, cand.column))
    return out


@Language.factory(
    "fichas_entities",
    default_config={"rules_dir": None},
    assigns=["doc.ents", "span._.value"],
    retokenizes=True,
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_entities(nlp: Language, name: str, rules_dir: str | None) -> EntityRecognizer:
    """Factory of the entity recognizer (`rules_dir=None`: the project's rules folder)."""
    return EntityRecognizer(nlp, name, rules_dir)


__all__ = ["EntityRecognizer", "make_entities", "ENTITY_LABELS"]
