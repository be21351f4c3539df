"""The one registry of value parsers: a rule names its parser (`"parser": "amount"`), the
rule validator accepts only names registered here, and the entities component reads
every value through `parse_value`.

A parser gets the named groups of the rule's match, the surface of the span, the
document's decimal mark and the rules folder; it returns the guide's value, or None
(or raises ValueError/KeyError) when the match cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from nlp.values.dates import date_value
from nlp.values.money import amount_value
from nlp.values.percent import percent_value
from nlp.values.programs import canonical_name, normalize_key
from nlp.values.years import year_value

Groups = Mapping[str, str | None]
ValueParser = Callable[[Groups, str, str | None, str | None], Any]


def _amount(groups: Groups, surface: str, decimal: str | None, rules_dir: str | None) -> Any:
    if groups.get("scale2") and not groups.get("scale"):  # the `$` rule's other scale group
        groups = {**groups, "scale": groups["scale2"]}
    return amount_value(dict(groups), decimal, rules_dir)


def _program(groups: Groups, surface: str, decimal: str | None, rules_dir: str | None) -> Any:
    """A name: its canonical form; the key is linked later, per document (`nlp.programs`)."""
    return {"name": canonical_name(surface, rules_dir), "key": None}


def _program_key(groups: Groups, surface: str, decimal: str | None, rules_dir: str | None) -> Any:
    """A budget key alone: its program is named later, per document (`nlp.programs`)."""
    return {"name": None, "key": normalize_key(surface)}


VALUE_PARSERS: dict[str, ValueParser] = {
    "year": lambda groups, surface, decimal, rules_dir: year_value(dict(groups)),
    "date": lambda groups, surface, decimal, rules_dir: date_value(dict(groups), rules_dir),
    "percent": lambda groups, surface, decimal, rules_dir: percent_value(dict(groups), decimal),
    "amount": _amount,
    "program": _program,
    "program_key": _program_key,
}


def parse_value(
    parser: str, groups: Groups, surface: str, decimal: str | None, rules_dir: str | None
) -> Any:
    """The value a registered parser reads from a match; None when it cannot be read."""
    try:
        return VALUE_PARSERS[parser](groups, surface, decimal, rules_dir)
    except (ValueError, KeyError):
        return None


__all__ = ["VALUE_PARSERS", "ValueParser", "parse_value"]
