"""`rules/` as data: every file loads and validates, every rule's own examples pass, and a
component can be pointed at another rules folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from nlp.entity_rules import load_regex_rules

RULES = load_regex_rules()
BRACKETS = re.compile(r"\[([^\]]*)\]")


def _examples() -> list[tuple[str, dict]]:
    import json

    out = [(f"{r.id}#{i}", e) for r in RULES for i, e in enumerate(r.examples)]
    for path in (REPO / "rules" / "entities").glob("program_patterns.jsonl"):
        for item in map(json.loads, path.read_text(encoding="utf-8").splitlines()):
            out += [(f"{item['id']}#{i}", e) for i, e in enumerate(item.get("examples", []))]
    return out


def test_rule_ids_are_unique_and_labels_known() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)) and len(ids) >= 20


@pytest.mark.parametrize("rule_id,example", _examples(), ids=[i for i, _ in _examples()])
def test_rule_examples(rule_id: str, example: dict, blank_pipeline) -> None:
    """The bracketed spans of an example are found, and the last one has the example's value."""
    marked = example["text"]
    plain = BRACKETS.sub(lambda m: m.group(1), marked)
    expected, shift = [], 0
    for match in BRACKETS.finditer(marked):
        start = match.start() - shift
        expected.append((start, start + len(match.group(1))))
        shift += 2
    doc = blank_pipeline(plain)
    found = {(e.start_char, e.end_char): e._.value for e in doc.ents}
    assert all(span in found for span in expected), (
        rule_id,
        [(doc.text[s:e], s, e) for s, e in found],
    )
    value = found[expected[-1]]
    if isinstance(example["value"], dict):  # the catalogue `id` is checked only where given
        assert {k: value.get(k) for k in example["value"]} == example["value"]
    else:
        assert value == pytest.approx(example["value"])


@pytest.mark.parametrize("rule_id,text", [(r.id, t) for r in RULES for t in r.counter_examples])
def test_rule_counter_examples(rule_id: str, text: str, blank_pipeline) -> None:
    label = next(r.label for r in RULES if r.id == rule_id)
    assert [e.text for e in blank_pipeline(text).ents if e.label_ == label] == []


def test_a_bad_rule_is_refused_naming_file_and_rule(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    with (rules / "entities" / "year.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(
            '{"id": "year.broken", "label": "YEAR", "regex": "(unclosed", "parser": "year"}\n'
        )
    with pytest.raises(
        ValueError, match=r"year.jsonl: rule 4 \(year.broken\): regex does not compile"
    ):
        load_regex_rules(str(rules))


def test_component_uses_another_rules_folder(tmp_path: Path) -> None:
    """An analyst's own gazetteer: a program added to a copy of rules/ is found by that pipeline
    only."""
    import spacy

    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    with (rules / "catalog" / "programs.tsv").open("a", encoding="utf-8") as handle:
        handle.write(
            "tlaloc_test\tTandem Tlaloc para el Bienestar\tfederal\tprogram\t10\t\teconomia\t2019-"
            "\tTandem Tlaloc\t\t\t\tthis test\n"
        )
    text = "El apoyo de Tandem Tlaloc se entregó en 2020."
    custom = spacy.blank("es")
    custom.add_pipe("fichas_entities", config={"rules_dir": str(rules)})
    default = spacy.blank("es")
    default.add_pipe("fichas_entities")
    assert [(e.text, e._.value) for e in custom(text).ents if e.label_ == "PROGRAM"] == [
        (
            "Tandem Tlaloc",
            {"name": "Tandem Tlaloc para el Bienestar", "key": None, "id": "tlaloc_test"},
        )
    ]
    assert [e.text for e in default(text).ents if e.label_ == "PROGRAM"] == []


# --- one loader: files are discovered, and every file has a kind -----------------------------


def _copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    return rules


@pytest.mark.issue(13)
def test_a_new_rule_file_is_discovered(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    (rules / "entities" / "extra_years.jsonl").write_text(
        '{"id": "year.fiscal_word", "label": "YEAR", "regex": "FY(?P<y1><<YEAR4>>)",'
        ' "parser": "year"}\n',
        encoding="utf-8",
    )
    assert "year.fiscal_word" in {r.id for r in load_regex_rules(str(rules))}


@pytest.mark.issue(13)
def test_an_unknown_file_in_rules_is_an_error_naming_it(tmp_path: Path) -> None:
    from nlp.rules import RulesError

    rules = _copy_rules(tmp_path)
    (rules / "lexicon" / "units.csv").write_text("word,unit\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"lexicon/units.csv: unknown rules file"):
        load_regex_rules(str(rules))


def test_a_tsv_without_its_columns_is_an_error_naming_it(tmp_path: Path) -> None:
    from nlp.rules import RulesError

    rules = _copy_rules(tmp_path)
    (rules / "lexicon" / "months.tsv").write_text("word\tnumber\nenero\t1\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"months.tsv: missing columns \['month'\]"):
        load_regex_rules(str(rules))


def test_the_schema_accepts_the_catalog_and_section_files(tmp_path: Path) -> None:
    from nlp.rules import rules_files

    rules = _copy_rules(tmp_path)
    files = rules_files(str(rules))
    assert [p.name for p in files["catalog"]] == ["agencies.tsv", "key_types.tsv", "programs.tsv"]
    assert [p.name for p in files["datasette_metadata"]] == ["datasette.json"]
    assert [p.name for p in files["heading_rules"]] == ["headings.jsonl"]
    assert {p.name for p in files["regex_rules"]} >= {"year.jsonl", "amount.jsonl"}


def test_a_bad_matcher_pattern_is_refused_naming_file_and_pattern(tmp_path: Path) -> None:
    import spacy

    rules = _copy_rules(tmp_path)
    path = rules / "entities" / "program_patterns.jsonl"
    number = len(path.read_text(encoding="utf-8").splitlines()) + 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "program.broken", "pattern": [{"TEXT": {"REGEXX": "x"}}]}\n')
    pipe = spacy.blank("es")
    pipe.add_pipe("fichas_entities", config={"rules_dir": str(rules)})
    expected = rf"program_patterns.jsonl: pattern {number} \(program.broken\)"
    with pytest.raises(ValueError, match=expected):
        pipe("Programa Uno")
