"""`fichas_sections`: contiguous, non-overlapping `doc.spans["sections"]` covering the doc.

The text is cut into blocks (`nlp.blocks`), headings are found by the rules of
`rules/sections/headings.jsonl` (`nlp.headings`), and each block gets
a section label in one of three modes (config `mode`):

- `rules`: a heading opens its section; text before the first heading is `other`;
- `classifier`: the trained classifier alone (words, layout, neighbours, Viterbi);
- `combined` (default): the classifier also sees the rules' output, and heading
  blocks keep the label of their rule (the classifier picks when rules disagree).

Consecutive blocks with one label become one section span; `doc.spans["headings"]`
holds the headings with the label they opened. The model (`model_dir`, default the
shipped `nlp/resources/section_model/`) and the rules are loaded on first use and
saved with the pipeline by `to_disk`, so `spacy.load(path)` needs neither the
repository's `rules/` nor its resources. Only spaCy and the stdlib at import time.
"""

from __future__ import annotations

import shutil
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from nlp.components.headings import heading_spans
from nlp.extensions import doc_text, doc_textmap, register_extensions
from nlp.heading_rules import RULES_FILE, HeadingRule, dump_rules, load_rules
from nlp.headings import HeadingMatcher, heading_matcher
from nlp.section_arrays import load_section_model  # speed (issue 16): no sklearn import
from nlp.section_model import (
    DEFAULT_PARAMS,
    MODES,
    DocBlocks,
    analyze,
    block_bounds,
    rules_labels,
)
from nlp.settings import HEADINGS_KEY, PACKAGE_DIR, SECTIONS_KEY

SHIPPED_MODEL_DIR = PACKAGE_DIR / "resources" / "section_model"
MODEL_SUBDIR = "model"


class SectionSegmenter:
    """Blocks → labels (rules, classifier or both) → section and heading spans."""

    def __init__(
        self,
        nlp: Language,
        name: str,
        rules_dir: str | None = None,
        model_dir: str | None = None,
        mode: str = "combined",
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"fichas_sections: mode {mode!r} must be one of {MODES}")
        register_extensions()
        self.name = name
        self.rules_dir = rules_dir
        self.model_dir = model_dir
        self.mode = mode
        self._matcher: HeadingMatcher | None = None
        self._model: Any = None
        self._model_loaded = False

    # ---------------------------------------------------------------- resources

    @property
    def matcher(self) -> HeadingMatcher:
        if self._matcher is None:
            self._matcher = heading_matcher(self.rules_dir)
        return self._matcher

    @property
    def rules(self) -> list[HeadingRule]:
        return self.matcher.rules

    @property
    def section_model(self) -> Any:
        """The section model, loaded on first use (None when there is none to load).

        Not called `model`: spaCy inspects `component.model` of every pipe (tok2vec
        listeners) and would load it while the pipeline is being built.
        """
        if not self._model_loaded:
            path = Path(self.model_dir) if self.model_dir else SHIPPED_MODEL_DIR
            try:
                self._model = load_section_model(path)
            except FileNotFoundError:
                if self.mode != "rules":
                    warnings.warn(
                        f"fichas_sections: no section model in {path}; using the rules alone "
                        "(train one with `fichas train`)",
                        UserWarning,
                        stacklevel=2,
                    )
                self._model = None
            self._model_loaded = True
        return self._model

    def set_model(self, model: Any) -> None:
        """Swap in another fitted `SectionModel` (a cross-validation fold's, for instance)."""
        self._model = model
        self._model_loaded = True

    def set_rules(self, rules: Sequence[HeadingRule]) -> None:
        """Swap in another list of validated heading rules."""
        self._matcher = HeadingMatcher(rules)

    # ---------------------------------------------------------------- processing

    def __call__(self, doc: Doc) -> Doc:
        return next(self._process([doc]))

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 64) -> Iterator[Doc]:
        """Classify all blocks of a batch of docs with one `predict_proba` call."""
        for batch in minibatch(stream, size=batch_size):
            yield from self._process(list(batch))

    def _process(self, docs: list[Doc]) -> Iterator[Doc]:
        model = self.section_model if self.mode != "rules" else None
        max_chars = (
            model.params.get("max_chars") if model is not None else DEFAULT_PARAMS["max_chars"]
        )
        analyses = [
            analyze(doc_text(doc), self.matcher, tm=doc_textmap(doc), max_chars=max_chars)
            for doc in docs
        ]
        if model is None:
            labels = [rules_labels(a) for a in analyses]
        else:
            labels = model.predict(analyses, self.mode)
        for doc, analysis, block_labels in zip(docs, analyses, labels):
            set_section_spans(doc, analysis, block_labels)
            yield doc

    # ---------------------------------------------------------------- serialization

    # ---------------------------------------------------------------- scoring

    def score(self, examples: Iterable[Any], **kwargs: Any) -> dict[str, Any]:
        """`spans_sections_p/_r/_f/_per_type` through spaCy's scorer, for `nlp.evaluate()`
        (the guide's per-character section scores are `fichas evaluate`)."""
        return Scorer.score_spans(
            examples,
            f"spans_{SECTIONS_KEY}",
            getter=lambda doc, attr: doc.spans.get(attr[len("spans_") :], []),
            has_annotation=lambda doc: SECTIONS_KEY in doc.spans,
            **kwargs,
        )

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the heading rules and the model next to the pipeline's config."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / RULES_FILE.name).write_text(dump_rules(self.rules), encoding="utf-8")
        target = path / MODEL_SUBDIR
        if target.exists():
            shutil.rmtree(target)
        if self.section_model is not None:
            self.section_model.save(target)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> SectionSegmenter:
        """Read the rules and model written by `to_disk` (the repo's `rules/` is not needed)."""
        path = Path(path)
        self._matcher = HeadingMatcher(load_rules(path / RULES_FILE.name))
        if (path / MODEL_SUBDIR).exists():
            self.set_model(load_section_model(path / MODEL_SUBDIR))
        else:
            self.set_model(None)
        return self


def _token_boundary(starts: Sequence[int], ends: Sequence[int], char: int) -> int:
    """Index of the first token of a section that starts at `char` (a token cut is kept whole)."""
    j = bisect_right(starts, char) - 1
    if j < 0:
        return 0
    return j if char < ends[j] else j + 1


def set_section_spans(doc: Doc, analysis: DocBlocks, labels: Sequence[str]) -> None:
    """Write `doc.spans["sections"]` (contiguous, covering the doc) and `doc.spans["headings"]`."""
    bounds = block_bounds(analysis.blocks, len(doc_text(doc)))
    segments: list[tuple[int, str]] = []  # (start char, label)
    for (start, _end), label in zip(bounds, labels):
        if not segments or segments[-1][1] != label:
            segments.append((start, label))
    if not segments:
        segments = [(0, "other")]
    offsets = doc.to_array(["IDX", "LENGTH"]) if len(doc) else None  # speed: no list per token
    starts = offsets[:, 0] if offsets is not None else []
    ends = offsets[:, 0] + offsets[:, 1] if offsets is not None else []
    cuts: list[tuple[int, str]] = []
    for k, (char, label) in enumerate(segments):
        tok = 0 if k == 0 else _token_boundary(starts, ends, char)
        while cuts and cuts[-1][0] >= tok:  # a later section starting on the same token wins
            cuts.pop()
        if cuts and cuts[-1][1] == label:
            continue
        cuts.append((tok, label))
    spans = []
    for k, (tok, label) in enumerate(cuts):
        end = cuts[k + 1][0] if k + 1 < len(cuts) else len(doc)
        if end > tok:
            spans.append(Span(doc, tok, end, label=label))
    doc.spans[SECTIONS_KEY] = spans
    heading_labels = {}
    for block, label in zip(analysis.blocks, labels):
        if block.heading >= 0:
            heading_labels[block.heading] = label
    chosen = [heading_labels.get(k, m.label) for k, m in enumerate(analysis.headings)]
    doc.spans[HEADINGS_KEY] = heading_spans(doc, analysis.tm, analysis.headings, chosen)


@Language.factory(
    "fichas_sections",
    default_config={"rules_dir": None, "model_dir": None, "mode": "combined"},
    assigns=["doc.spans"],
)
def make_sections(
    nlp: Language, name: str, rules_dir: str | None, model_dir: str | None, mode: str
) -> SectionSegmenter:
    """Sections of fichas, evaluations and circulars (see the module docstring)."""
    return SectionSegmenter(nlp, name, rules_dir=rules_dir, model_dir=model_dir, mode=mode)
