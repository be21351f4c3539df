"""The catalogue of programs: validation, lookups by name of any year and by key, linking
of PROGRAM mentions, the `fichas catalog` command and the program/agency search filters.

Sentences are written for these tests in the style of fichas and circulars.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nlp.catalog import (
    agency_programs,
    key_in_year,
    link_value,
    load,
    lookup,
    name_in_year,
)
from nlp.catalog_check import check, summary
from nlp.values.programs import link

REPO = Path(__file__).resolve().parent.parent


def _copy_rules(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    return rules


def _append(rules: Path, *rows: list[str]) -> None:
    with (rules / "catalog" / "programs.tsv").open("a", encoding="utf-8") as handle:
        for row in rows:
            handle.write("\t".join(row) + "\n")


def _row(pid: str, name: str, keys: str = "", years: str = "", **cols: str) -> list[str]:
    """A catalogue row; other columns by name (aliases, acronyms, other_names, agency...)."""
    row = {"id": pid, "name": name, "level": "federal", "role": "program", "ramo": "20"}
    row |= {"keys": keys, "agency": "bienestar", "years": years, "sources": "written for a test"}
    row |= cols
    order = (
        "id name level role ramo keys agency years aliases acronyms other_names replaced_by sources"
    )
    return [row.get(column, "") for column in order.split()]


# --- the data ---------------------------------------------------------------------------


def test_catalogue_checks_clean_with_200_federal_programs() -> None:
    entries, errors = check()
    assert errors == []
    counts = summary(entries)
    assert counts["federal program"] >= 200
    assert counts["federal alignment"] >= 10  # the PND and sectoral programs
    assert len({e.id for e in entries}) == len(entries)


def test_cli_check_and_show() -> None:
    from nlp.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "check"])
    assert result.exit_code == 0, result.output
    assert "catalogue ok" in result.output
    shown = runner.invoke(app, ["catalog", "show", "S072", "--year", "2010"])
    assert shown.exit_code == 0, shown.output
    assert "prospera: PROSPERA Programa de Inclusión Social" in shown.output
    assert "in 2010: Programa de Desarrollo Humano Oportunidades (S072)" in shown.output
    ambiguous = runner.invoke(app, ["catalog", "show", "S072"])
    assert ambiguous.exit_code == 1
    assert "becas_basica_bienestar" in ambiguous.output


# --- lookups ----------------------------------------------------------------------------


def test_renames_resolve_in_both_directions() -> None:
    old = lookup("Programa de Desarrollo Humano Oportunidades")
    new = lookup("PROSPERA Programa de Inclusión Social")
    assert old is not None and old is new and old.id == "prospera"
    assert name_in_year(new, 2010) == "Programa de Desarrollo Humano Oportunidades"
    assert name_in_year(old, 2016) == "PROSPERA Programa de Inclusión Social"
    pension = lookup("Pensión para el Bienestar de las Personas Adultas Mayores")
    assert lookup("programa 70 y mas") is pension  # accents, case, leading `Programa`
    assert lookup("Pensión para Adultos Mayores") is pension
    assert [name_in_year(pension, y) for y in (2010, 2015, 2022)] == [
        "Programa 70 y Más",
        "Programa de Pensión para Adultos Mayores",
        "Pensión para el Bienestar de las Personas Adultas Mayores",
    ]


def test_a_reused_key_resolves_by_year() -> None:
    assert lookup("S072", year=2016).id == "prospera"
    assert lookup("S-072", year=2021).id == "becas_basica_bienestar"
    assert lookup("S072") is None  # two programs held it: the year decides
    assert key_in_year(lookup("prospera"), 2012) == "S072"
    assert lookup("PRAH", year=2012).id == "prevencion_riesgos"  # a reused acronym too
    assert lookup("PRAH", year=2018).id == "regularizacion_asentamientos"


def test_ambiguous_short_name_is_left_unlinked(tmp_path: Path) -> None:
    assert lookup("PEC") is None  # Escuelas de Calidad and the Programa Especial Concurrente
    assert link_value({"name": "PEC", "key": None}) == {"name": "PEC", "key": None, "id": None}
    rules = _copy_rules(tmp_path)
    _append(
        rules,
        _row("prueba_uno", "Programa Uno de Prueba", years="2010-2015", other_names="PUP"),
        _row("prueba_dos", "Programa Dos de Prueba", years="2012-2018", other_names="PUP"),
    )
    assert lookup("PUP", rules_dir=str(rules)) is None
    assert lookup("PUP", year=2011, rules_dir=str(rules)).id == "prueba_uno"
    assert lookup("PUP", year=2013, rules_dir=str(rules)) is None  # both ran in 2013


def test_link_gives_canonical_name_id_and_only_the_stated_key() -> None:
    assert link("Programa IMSS-Oportunidades") == {
        "name": "IMSS-BIENESTAR",
        "key": None,
        "id": "imss_bienestar",
    }
    assert link("Programa del Seguro Popular", stated_key="U005")["id"] == "seguro_popular"
    assert link("Programa Estatal de Apoyo Inventado") == {
        "name": "Programa Estatal de Apoyo Inventado",
        "key": None,
        "id": None,
    }
    # An E key is numbered again in every ramo: alone it does not link.
    assert link_value({"name": "E012", "key": "E012"})["id"] is None
    assert link_value({"name": "S241", "key": "S241"})["id"] == "seguro_vida_jefas"


def test_agency_programs_follow_agency_renames() -> None:
    by_old_name = {e.id for e in agency_programs("SEDESOL")}
    assert by_old_name == {e.id for e in agency_programs("Secretaría de Bienestar")}
    assert {"prospera", "pension_adultos_mayores", "coinversion_social"} <= by_old_name
    assert "procampo" in {e.id for e in agency_programs("SAGARPA")}
    assert agency_programs("Secretaría de Marina") is None


# --- check() errors -----------------------------------------------------------------------


def test_check_errors_name_file_line_and_field(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    lines = len((rules / "catalog" / "programs.tsv").read_text(encoding="utf-8").splitlines())
    _append(
        rules,
        _row("prospera", "Otro programa con un id repetido"),
        _row("clave_encimada", "Programa que reusa una clave", keys="S176:2015-2016"),
        _row("nombre_doble", "Programa Nombre Doble", aliases="Programa de Apoyo Alimentario"),
        _row("sin_agencia", "Programa sin Agencia", agency="secretaria_inexistente"),
    )
    _, errors = check(str(rules))
    path = str(rules / "catalog" / "programs.tsv")
    assert f"{path}:{lines + 1}: field id: duplicate id 'prospera'" in "\n".join(errors)
    assert any(e.startswith(f"{path}:{lines + 2}: field keys: key S176") for e in errors)
    assert any(e.startswith(f"{path}:{lines + 3}: field aliases:") for e in errors)
    assert any(e.startswith(f"{path}:{lines + 4}: field agency: unknown") for e in errors)
    assert len(errors) == 4


def test_a_malformed_row_is_one_clear_error(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    _append(rules, _row("mal", "Programa con Años Malos", years="2019-2010"))
    entries, errors = check(str(rules))
    assert entries == ()
    assert len(errors) == 1 and "field years" in errors[0] and "programs.tsv:" in errors[0]


# --- the pipeline -------------------------------------------------------------------------


def _programs(pipeline, text: str) -> list[tuple[str, dict]]:
    return [(e.text, e._.value) for e in pipeline(text).ents if e.label_ == "PROGRAM"]


def test_known_name_ends_where_it_ends_without_line_breaks(blank_pipeline) -> None:
    text = (
        "Nombre del Programa: Programa de Desarrollo Humano Oportunidades Modalidad: S072 "
        "Dependencia: SEDESOL Unidad Responsable: Coordinación Nacional"
    )
    found = _programs(blank_pipeline, text)
    assert found[0] == (
        "Programa de Desarrollo Humano Oportunidades",
        {"name": "PROSPERA Programa de Inclusión Social", "key": "S072", "id": "prospera"},
    )


def test_a_quoted_brand_inside_a_known_name_is_part_of_it(blank_pipeline) -> None:
    text = (
        "Reglas de Operación del Programa de Esquemas de Financiamiento y Subsidio Federal para\n"
        "Vivienda “Esta es tu casa” para el ejercicio fiscal 2009."
    )
    surface, value = _programs(blank_pipeline, text)[0]
    assert surface.endswith("Vivienda “Esta es tu casa”")
    assert value["id"] == "esta_es_tu_casa"


def test_acronym_defined_in_the_document_links_through_its_definition(blank_pipeline) -> None:
    text = (
        "La Secretaría opera el Programa de Fomento a la Economía Social (PFES) desde 2013. "
        "En 2016 el PFES apoyó 1,200 proyectos productivos."
    )
    found = _programs(blank_pipeline, text)
    assert [surface for surface, _ in found] == [
        "Programa de Fomento a la Economía Social",
        "PFES",
        "PFES",
    ]
    assert {value["id"] for _, value in found} == {"fomento_economia_social"}


def test_an_undefined_ambiguous_acronym_is_not_a_mention(blank_pipeline) -> None:
    assert _programs(blank_pipeline, "El PEC informó sus avances en 2014.") == []


def test_catalog_is_cached() -> None:
    assert load() is load()


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])


# --- index and search ---------------------------------------------------------------------


def _record(doc_id: str, text: str, mentions: list[tuple[str, dict]]) -> dict:
    """A record with PROGRAM entities at the first place each surface occurs."""
    entities = []
    for surface, value in mentions:
        start = text.index(surface)
        entities.append(
            {"start": start, "end": start + len(surface), "label": "PROGRAM", "value": value}
        )
    sections = [{"start": 0, "end": len(text), "label": "description"}]
    meta = {"year": int(doc_id[-4:])}
    return {"id": doc_id, "text": text, "entities": entities, "sections": sections, "meta": meta}


@pytest.fixture(scope="module")
def program_db(tmp_path_factory) -> Path:
    from nlp.index import build_index

    records = [  # values as different annotators and pipeline versions wrote them
        _record(
            "015_informe_70_y_mas_2010",
            "El Programa 70 y más entregó apoyos bimestrales en 2010.",
            [("Programa 70 y más", {"name": "Programa 70 y Más", "key": None})],
        ),
        _record(
            "020_ficha_pension_adultos_mayores_2015",
            "La Pensión para Adultos Mayores (S176) amplió su cobertura.",
            [
                (
                    "Pensión para Adultos Mayores",
                    {"name": "Pensión para Adultos Mayores", "key": "S176"},
                ),
                ("S176", {"name": "Pensión para Adultos Mayores", "key": "S176"}),
            ],
        ),
        _record(
            "030_ficha_pension_bienestar_2022",
            "La Pensión para el Bienestar de las Personas Adultas Mayores es universal.",
            [
                (
                    "Pensión para el Bienestar de las Personas Adultas Mayores",
                    link("Pensión para el Bienestar de las Personas Adultas Mayores"),
                )
            ],
        ),
        _record(
            "040_nota_procampo_2010",
            "El PROCAMPO pagó por hectárea sembrada en 2010.",
            [("PROCAMPO", link("PROCAMPO"))],
        ),
        _record(
            "050_ficha_becas_basica_2021",
            "El Programa de Becas de Educación Básica para el Bienestar Benito Juárez (S072) "
            "creció.",
            [
                (
                    "Programa de Becas de Educación Básica para el Bienestar Benito Juárez",
                    link("Programa de Becas de Educación Básica para el Bienestar Benito Juárez"),
                )
            ],
        ),
    ]
    db = tmp_path_factory.mktemp("catalog") / "fichas.db"
    stats = build_index(records, db)
    assert not stats.errors, stats.errors
    return db


def test_search_by_key_finds_every_name_of_the_program(program_db: Path) -> None:
    from nlp.search import search

    hits = search(program_db, program="S176", label="PROGRAM")
    assert set(hits["surface"]) == {
        "Programa 70 y más",
        "Pensión para Adultos Mayores",
        "S176",
        "Pensión para el Bienestar de las Personas Adultas Mayores",
    }
    by_id = search(program_db, program="pension_adultos_mayores", label="PROGRAM")
    assert set(by_id["surface"]) == set(hits["surface"])


def test_search_reused_key_with_the_document_year(program_db: Path) -> None:
    from nlp.search import search

    hits = search(program_db, program="S072", label="PROGRAM", doc_year=2021)
    assert set(hits["doc_id"]) == {"050_ficha_becas_basica_2021"}


def test_search_by_agency_under_any_of_its_names(program_db: Path) -> None:
    from nlp.index_schema import SearchError
    from nlp.search import search

    sedesol = search(program_db, agency="SEDESOL", label="PROGRAM")
    assert "040_nota_procampo_2010" not in set(sedesol["doc_id"])
    assert "015_informe_70_y_mas_2010" in set(sedesol["doc_id"])
    sagarpa = search(program_db, agency="SADER", label="PROGRAM")
    assert set(sagarpa["doc_id"]) == {"040_nota_procampo_2010"}
    both = search(program_db, agency="SAGARPA", program="S176", label="PROGRAM")
    assert both.empty
    with pytest.raises(SearchError, match="unknown agency"):
        search(program_db, agency="Secretaría de Marina")


def test_agency_errors_name_file_line_and_field(tmp_path: Path) -> None:
    rules = _copy_rules(tmp_path)
    path = rules / "catalog" / "agencies.tsv"
    lines = len(path.read_text(encoding="utf-8").splitlines())
    with path.open("a", encoding="utf-8") as handle:
        handle.write("sedatu\tOtra Secretaría\t15\t2013-\t\t\tescrito para la prueba\n")
        handle.write("unidad_x\tUnidad X\t20\t2020-2010\t\tsecretaria_x\tescrito para la prueba\n")
    _, errors = check(str(rules))
    assert errors == [
        f"{path}:{lines + 1}: field id: duplicate agency id 'sedatu'",
        f"{path}:{lines + 2}: field years: years '2020-2010' end before they start",
        f"{path}:{lines + 2}: field parent: unknown agency 'secretaria_x'",
    ]


def test_every_catalogue_name_is_matched_whole() -> None:
    """The gazetteer regex (a prefix trie of every name and alias) finds each one entire."""
    from nlp.gazetteer import gazetteer
    from nlp.textmap import normalize

    pattern, _ = gazetteer(None)
    missed = []
    for entry in load().entries:
        for item in (entry.name, *(a.value for a in entry.aliases)):
            if not item[:1].isupper() and not item[:1].isdigit():
                continue
            norm = normalize(f"Según el informe, {item}, opera en 2020.").norm
            name = normalize(item).norm
            start = norm.index(name)
            if not any(m.span() == (start, start + len(name)) for m in pattern.finditer(norm)):
                missed.append(item)
    assert missed == []
