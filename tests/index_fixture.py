"""The index tests' records: five guide records built from inline markup.

The fixture (`tests/data/index_records.jsonl`) is built by `build_records()` below
from inline markup, so every offset is computed, never typed: regenerate it with
`python tests/index_fixture.py` (tests/test_index.py checks that the file is current). In the
markup an entity is `⟦surface|LABEL⟧` or `⟦surface|LABEL|json value⟧`; PROGRAM, YEAR and
PERCENT values are filled like the gold tool does when omitted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nlp.gazetteer import program_lookup
from nlp.records import content_hash, dumps
from nlp.textmap import fold

FIXTURE = Path(__file__).parent / "data" / "index_records.jsonl"
_ENTITY_RE = re.compile(r"⟦(?P<surface>[^|⟧]+)\|(?P<label>[A-Z]+)(?:\|(?P<value>[^⟧]+))?⟧", re.S)

MDP = 1_000_000.0


def _amount(millions: float) -> str:
    return json.dumps({"amount": round(millions * MDP, 2), "currency": "MXN"})


PES_E012 = json.dumps({"name": "Prestaciones Sociales", "key": "E012"})

DOCS: list[dict[str, Any]] = [
    {
        "id": "000_ficha_imss_oportunidades_2012",
        "kind": "ficha",
        "parts": [
            ("other", "Ficha de Monitoreo ⟦2012|YEAR⟧\n\n"),
            (
                "description",
                "**Descripción del Programa:**\n\nEl ⟦Programa IMSS-Oportunidades|PROGRAM⟧ es "
                "administrado por el "
                "Instituto Mexicano del Seguro Social y proporciona servicios de salud "
                "gratuitos a la población que "
                "carece de seguridad social.\n\n",
            ),
            (
                "results",
                "**Resultados**\n\nDurante ⟦2012|YEAR⟧, la mortalidad infantil en población "
                "amparada por "
                "⟦IMSS-Oportunidades|PROGRAM⟧ se redujo en un ⟦17%|PERCENT⟧ respecto a su "
                "meta.\n\n",
            ),
            (
                "coverage",
                "**Análisis de la Cobertura**\n\nPara ⟦2012|YEAR⟧ la proporción de la "
                "población atendida con "
                "respecto a la población objetivo fue de ⟦107.36%|PERCENT⟧.\n\n",
            ),
            (
                "budget",
                "**Datos Presupuestarios**\n\nAño\tPresupuesto del Programa (MDP)\t%\n"
                f"⟦2011|YEAR⟧\t⟦8,171.89|AMOUNT|{_amount(8171.89)}⟧\t⟦12.01 %|PERCENT⟧\n"
                f"⟦2012|YEAR⟧\t⟦8,500|AMOUNT|{_amount(8500)}⟧\t⟦2.10 %|PERCENT⟧\n\n",
            ),
            (
                "alignment",
                "**Análisis del Sector**\n\nEstá vinculado con el ⟦Programa Sectorial de "
                "Salud|PROGRAM⟧ "
                "⟦2007-2012|YEAR⟧ en el objetivo 2.\n\n",
            ),
            (
                "recommendations",
                "**Recomendaciones**\n\nDepurar el padrón de beneficiarios y vincular los "
                "padrones del "
                "Programa con los de otras instituciones de salud.\n",
            ),
        ],
    },
    {
        "id": "001_ficha_imss_bienestar_2022",
        "kind": "ficha",
        "parts": [
            ("other", "⟦**IMSS**\n\n**BIENESTAR**|PROGRAM⟧\n\nFicha de Monitoreo ⟦2022|YEAR⟧\n\n"),
            (
                "description",
                "Descripción del programa\n\nEl ⟦Programa IMSS-BIENESTAR|PROGRAM⟧, antes "
                "⟦IMSS-PROSPERA|PROGRAM⟧, proporciona servicios de salud a población sin "
                "seguridad social en "
                "localidades de alto rezago social.\n\n",
            ),
            (
                "coverage",
                "**Análisis de la Cobertura y Presupuesto**\n\nRespecto a ⟦2021|YEAR⟧, se "
                "observa un discreto "
                "incremento del ⟦0.77%|PERCENT⟧ en la población atendida. ",
            ),
            (
                "budget",
                "En el ejercicio fiscal ⟦2022|YEAR⟧ se asignó un presupuesto de ⟦20,184.01 "
                "millones de "
                f"pesos|AMOUNT|{_amount(20184.01)}⟧ del Ramo 19, ⟦48%|PERCENT⟧ más respecto "
                "al otorgado el año previo. De "
                "este monto, un ⟦12.4%|PERCENT⟧ se destinó a la ⟦Estrategia de Transformación "
                "de los Servicios de "
                "Salud|PROGRAM⟧.\n\n",
            ),
            (
                "alignment",
                "Vinculación con el PND\n\nEl programa se alinea con el ⟦Plan Nacional de "
                "Desarrollo|PROGRAM⟧ "
                "⟦2019-2024|YEAR⟧.\n\n",
            ),
            (
                "recommendations",
                (
                    "Recomendaciones\n\nContar con un sistema nominal que mida a las personas "
                    "beneficiadas.\n"
                ),
            ),
        ],
    },
    {
        "id": "002_circular_reglas_operacion_imss_oportunidades_2009",
        "kind": "circular",
        "parts": [
            (
                "other",
                'México, D.F. a ⟦02 de enero de 2009|DATE|"2009-01-02"⟧.\n\nCIRCULAR No. '
                "23/2008.\n\n"
                "**Ref.: REGLAS DE OPERACIÓN DEL PROGRAMA\n⟦IMSS-OPORTUNIDADES|PROGRAM⟧ PARA "
                "⟦2009|YEAR⟧.**\n\n",
            ),
            (
                "description",
                "El Diario Oficial de la Federación, en su edición del pasado ⟦31 de diciembre de "
                '2008|DATE|"2008-12-31"⟧, publicó el Acuerdo por el que la Unidad del ⟦Programa '
                "IMSS-Oportunidades|PROGRAM⟧ emite las Reglas de Operación para el ejercicio "
                "de ⟦2009|YEAR⟧, con un "
                f"presupuesto de ⟦7,821.23 millones de pesos|AMOUNT|{_amount(7821.23)}⟧. Las "
                "familias beneficiarias se "
                "inscriben en el padrón del Programa.\n\n",
            ),
            (None, "Atentamente,\nEl Despacho\n"),  # no section: indexed as an inferred `other`
        ],
    },
    {
        "id": "003_ficha_programa_institucional_imss_2021",
        "kind": "ficha",
        "parts": [
            (
                "other",
                (
                    "⟦Programa Institucional del Instituto Mexicano del Seguro Social|PROGRAM⟧ "
                    "⟦2020-2024|YEAR⟧\n\n"
                ),
            ),
            (
                "results",
                "Indicadores\n\nEl ⟦67%|PERCENT⟧ de los indicadores tienen un enfoque de "
                "gestión y el "
                "⟦50%|PERCENT⟧ se encuentran muy rezagados respecto de su meta sexenal, "
                "⟦2020|YEAR⟧ o ⟦2021|YEAR⟧ según "
                "el último valor reportado.\n\n",
            ),
            (
                "alignment",
                "Seguimiento de los objetivos\n\n1.1 Porcentaje de la población con carencia "
                "por acceso a "
                "los servicios de salud adscrita al ⟦Programa IMSS-BIENESTAR|PROGRAM⟧.\n\n",
            ),
            (
                "recommendations",
                "Recomendaciones\n\nSe recomienda revisar las metas sexenales de los indicadores "
                "rezagados del ⟦PIIMSS|PROGRAM⟧.\n",
            ),
        ],
    },
    {
        "id": "004_ficha_prestaciones_sociales_2020",
        "kind": "ficha",
        "parts": [
            (
                "other",
                f"Ficha de Monitoreo ⟦2020-2021|YEAR⟧\nPp ⟦E012|PROGRAM|{PES_E012}⟧ "
                f"⟦Prestaciones sociales|PROGRAM|{PES_E012}⟧\n\nInstituto Mexicano del Seguro "
                "Social\n\n",
            ),
            (
                "results",
                "¿Cuáles son los resultados del programa y cómo los mide?\nLos resultados al "
                "cierre de "
                "⟦2020|YEAR⟧ registraron una proporción de ⟦70.33%|PERCENT⟧ de usuarios "
                "atendidos; es decir, se "
                "registró una disminución de la cobertura de ⟦-23.96%|PERCENT⟧ respecto al "
                "año anterior. Los centros "
                "suspendieron actividades a partir del ⟦23 de marzo de "
                '2020|DATE|"2020-03-23"⟧.\n\n',
            ),
            (
                "coverage",
                "Cuantificación de Poblaciones\nValor ⟦2020|YEAR⟧\nPoblación Objetivo (PO) "
                "40,497,488\n"
                "Población Atendida (PA) 577,288\nPoblación Atendida/Población Objetivo ⟦1.43 "
                "%|PERCENT⟧\n\n",
            ),
            (
                "budget",
                "Presupuesto\n\nEl presupuesto ejercido en ⟦2020|YEAR⟧ fue de ⟦2,862.45 "
                "millones de "
                f"pesos|AMOUNT|{_amount(2862.45)}⟧, ⟦12.5%|PERCENT⟧ menos que en ⟦2019|YEAR⟧.\n\n",
            ),
            (
                "recommendations",
                "Recomendaciones\n\nIntegrar un padrón único de usuarios de centros vacacionales y "
                "velatorios.\n",
            ),
        ],
    },
]


def _default_value(label: str, surface: str) -> Any:
    if label == "PROGRAM":
        program = program_lookup().get(fold(surface))
        return {"name": program.name if program else surface, "key": None}
    if label == "YEAR":
        years = [int(y) for y in re.findall(r"\d{4}", surface)]
        return {"start": min(years), "end": max(years)}
    if label == "PERCENT":
        return float(re.search(r"-?\d+(?:\.\d+)?", surface).group())
    raise ValueError(f"{label} {surface!r} needs an explicit value")


def build_record(doc: dict[str, Any]) -> dict[str, Any]:
    """One guide record from a markup document; offsets come from the assembled text."""
    text, entities, sections = "", [], []
    for label, part in doc["parts"]:
        start = len(text)
        pos = 0
        for match in _ENTITY_RE.finditer(part):
            text += part[pos : match.start()]
            surface = match["surface"]
            value = (
                json.loads(match["value"])
                if match["value"]
                else _default_value(match["label"], surface)
            )
            entities.append(
                {
                    "start": len(text),
                    "end": len(text) + len(surface),
                    "label": match["label"],
                    "value": value,
                }
            )
            text += surface
            pos = match.end()
        text += part[pos:]
        if label is not None:
            sections.append({"start": start, "end": len(text), "label": label})
    for ent in entities:
        assert "⟦" not in text[ent["start"] : ent["end"]]
    meta = {"source": f"corpus/{doc['id']}.txt", "kind": doc["kind"], "hash": content_hash(text)}
    return {"id": doc["id"], "text": text, "entities": entities, "sections": sections, "meta": meta}


def build_records() -> list[dict[str, Any]]:
    return [build_record(doc) for doc in DOCS]


def render() -> str:
    return "".join(dumps(record) + "\n" for record in build_records())


if __name__ == "__main__":
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(render(), encoding="utf-8")
    print(f"wrote {FIXTURE}")
