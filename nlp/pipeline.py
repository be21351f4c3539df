"""Build the fichas pipeline: a base model (a setting) followed by the project's components."""

from __future__ import annotations

import gc
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import spacy
from spacy.language import Language

from nlp.components.entities import make_entities
from nlp.components.sections import make_sections
from nlp.settings import BLANK, VERSION, resolve_base

#: The factories this module adds (imported above, so they are registered).
FACTORIES = (make_entities, make_sections)

#: Base-model components the project does not use; excluded so they cost nothing.
#: tok2vec + ner stay: their ORG/LOC/PER spans are kept in doc.spans["base_ner"].
DEFAULT_BASE_EXCLUDE: tuple[str, ...] = (
    "parser",
    "morphologizer",
    "attribute_ruler",
    "lemmatizer",
    "senter",
)


#: `Rúbrica.-`, `ÚNICO.-`, `Adultos Mayores.- Para su conocimiento`: Mexican official
#: writing closes a phrase with `.-`, which spaCy's Spanish tokenizer leaves on the word.
#: The `.-` is matched before the letter behind it is tested (the same suffixes as
#: `(?<=[^\W\d_])\.-`; speed, issue 16: the lookbehind ran at every position of every word).
OFFICIAL_SUFFIX = r"\.-(?<=[^\W\d_]\.-)"


def split_official_suffix(pipeline: Language) -> Language:
    """Make `.-` after a word a token of its own (saved with the tokenizer by `to_disk`)."""
    current = pipeline.tokenizer.suffix_search
    pattern = current.__self__.pattern if current is not None else ""
    if OFFICIAL_SUFFIX not in pattern:
        joined = f"{pattern}|{OFFICIAL_SUFFIX}$" if pattern else f"{OFFICIAL_SUFFIX}$"
        pipeline.tokenizer.suffix_search = re.compile(joined).search
    return pipeline


#: `2019-2020Programa de…`, `2020Presupuesto`: extraction glues a number to the next word;
#: a zero-width infix splits a digit from a capitalized word (`COVID19`, `H1N1` stay whole).
#: The capitalized word is tested before the digit behind it (the same splits, sooner).
GLUED_WORD_INFIX = r"(?=[A-ZÁÉÍÓÚÑ][a-záéíóúñ])(?<=[0-9])"


def split_glued_words(pipeline: Language) -> Language:
    """Make a capitalized word glued to a number a token of its own (saved with the tokenizer)."""
    current = pipeline.tokenizer.infix_finditer
    pattern = current.__self__.pattern if current is not None else ""
    if GLUED_WORD_INFIX not in pattern:
        joined = f"{pattern}|{GLUED_WORD_INFIX}" if pattern else GLUED_WORD_INFIX
        pipeline.tokenizer.infix_finditer = re.compile(joined).finditer
    return pipeline


def load_base(base: str | None = None, exclude: tuple[str, ...] = DEFAULT_BASE_EXCLUDE) -> Language:
    """The base model by name, `blank` for a tokenizer only; W095 silenced around the load only."""
    name = resolve_base(base)
    if name == BLANK:
        return split_glued_words(split_official_suffix(spacy.blank("es")))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*\[W095\].*")
        return split_glued_words(split_official_suffix(spacy.load(name, exclude=list(exclude))))


#: A short text that takes each component through its set-up on first use (rules, gazetteer,
#: program names, heading rules, cues, section model): `warm` runs it once.
WARM_TEXT = (
    "PROGRAMA DE APOYO\n\nObjetivo general\n\nOtorgar en 2020 apoyos de $1,000 pesos "
    "al 50% de la población del Programa de Apoyo.\n"
)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: loading spaCy and compiling the rules allocate
    millions of objects that stay alive, and each collection they trigger walks spaCy's
    whole heap (~0.1 s of a ~1.1 s start-up, issue 16)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def warm(pipeline: Language) -> Language:
    """Run the pipeline once on `WARM_TEXT`, so each component compiles and loads what it
    builds on first use now: before workers are forked (they inherit it instead of each
    building it), with the collector paused. Records do not change: no component keeps
    anything of a document."""
    with gc_paused():
        try:
            pipeline(WARM_TEXT)
        except Exception:
            # a component that fails here fails on the documents too, where the batch
            # records the failure document by document (nlp.batch_pipe)
            pass
    return pipeline


def load(
    base: str | None = None,
    *,
    section_mode: str = "combined",
    rules_dir: str | None = None,
    exclude: tuple[str, ...] = DEFAULT_BASE_EXCLUDE,
    sections: bool = True,
    **_: Any,
) -> Language:
    """The fichas pipeline: base model + `fichas_entities` (+ `fichas_sections`)."""
    with gc_paused():
        pipeline = load_base(base, exclude)
        pipeline.add_pipe("fichas_entities", config={"rules_dir": rules_dir})
        if sections:
            config = {"rules_dir": rules_dir, "mode": section_mode}
            pipeline.add_pipe("fichas_sections", config=config)
    pipeline.meta["name"] = "fichas"
    pipeline.meta["lang"] = "es"
    pipeline.meta["version"] = VERSION  # saved in meta.json by `to_disk`
    return pipeline
