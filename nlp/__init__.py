"""fichas: sections and entities of Mexican public-program documents, as a spaCy pipeline.

Importing the package is cheap; `load` and `build` import spaCy on first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nlp.settings import VERSION as __version__

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language


def load(base: str | None = None, **kwargs: Any) -> Language:
    """Return the fichas pipeline on the base model `base` (see `nlp.settings`)."""
    from nlp.pipeline import load as _load  # imports spaCy: lazy, so `import nlp` stays cheap

    return _load(base=base, **kwargs)


__all__ = ["__version__", "load"]
