"""Search results and annotation records as typed tables, and files analysts can open.

Analysts work in spreadsheets: a CSV must open in Excel on Windows with its accents
(UTF-8 *with* a byte-order mark), and amounts, percents and years must arrive as
numbers, not as JSON text. `typed_columns` adds them to any frame with `label` and
`value` columns; `write_table` writes csv, xlsx (openpyxl), parquet (pyarrow) or json,
atomically; `records_to_frames` builds entity and section frames straight from
annotation records, without an index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nlp.index_rows import add_near_years, entity_columns, sections_with_gaps
from nlp.records import write_atomic

TYPED_COLUMNS = ("amount", "currency", "percent", "year_start", "year_end", "date")
FORMATS = ("csv", "xlsx", "parquet", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}
BOM = "\ufeff"


class ExportError(ValueError):
    """An export that cannot be written (unknown format, missing library)."""


def typed_value(label: Any, value: Any) -> dict[str, Any]:
    """The typed columns of one entity value (a dict or its JSON text); empty for sections."""
    if isinstance(value, str) and label != "DATE":
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if isinstance(value, str) and label == "DATE" and value.startswith('"'):
        value = json.loads(value)
    if label == "AMOUNT" and isinstance(value, dict):
        return {"amount": value.get("amount"), "currency": value.get("currency")}
    if label == "PERCENT" and isinstance(value, (int, float)):
        return {"percent": float(value)}
    if label == "YEAR" and isinstance(value, dict):
        return {"year_start": value.get("start"), "year_end": value.get("end")}
    if label == "DATE" and isinstance(value, str) and value[:4].isdigit():
        return {"date": value, "year_start": int(value[:4]), "year_end": int(value[:4])}
    return {}


def typed_columns(df: Any) -> Any:
    """`df` with amount, currency, percent, year_start, year_end and date columns typed
    (float, text, float, nullable int, nullable int, datetime: a partial date such as
    `2012-10` is its first day; `value` keeps it as written)."""
    import pandas as pd

    entity = df["label"].notna()
    typed = (
        [typed_value(label, value) for label, value in zip(df["label"], df["value"], strict=True)]
        if entity.any()
        else [{}] * len(df)  # section rows: no values
    )
    out = df.copy()
    for name in TYPED_COLUMNS:
        out[name] = [t.get(name) for t in typed]
    out["amount"] = pd.to_numeric(out["amount"], errors="coerce").astype("float64")
    out["percent"] = pd.to_numeric(out["percent"], errors="coerce").astype("float64")
    out["year_start"] = pd.array(out["year_start"].tolist(), dtype="Int64")
    out["year_end"] = pd.array(out["year_end"].tolist(), dtype="Int64")
    out["currency"] = out["currency"].astype("string")
    out["date"] = pd.to_datetime(out["date"].map(_full_date), errors="coerce", format="%Y-%m-%d")
    return out


def _full_date(value: Any) -> Any:
    """`2012-10` -> `2012-10-01`, `2012` -> `2012-01-01`; None stays None."""
    if not isinstance(value, str):
        return None
    parts = value[:10].split("-")
    return "-".join([*parts, *["01"] * (3 - len(parts))])


def export_format(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The format to write: `fmt`, else the file's suffix; an ExportError when neither is known."""
    chosen = (fmt or Path(path or "").suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ExportError(f"unknown export format {chosen!r}; one of: {', '.join(FORMATS)}")
    return chosen


def table_bytes(df: Any, fmt: str) -> bytes:
    """`df` as the bytes of a csv (UTF-8 with BOM), xlsx, parquet or json file."""
    import io

    fmt = export_format(None, fmt)
    if fmt == "csv":
        return (BOM + df.to_csv(index=False)).encode("utf-8")
    if fmt == "json":
        rows = json_rows(df)
        return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "xlsx":
        _need("openpyxl", "xlsx")
        df.to_excel(buffer, index=False, sheet_name="fichas", engine="openpyxl")
    else:
        _need("pyarrow", "parquet")
        df.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def json_rows(df: Any) -> list[dict[str, Any]]:
    """Rows as JSON data: NA as null, dates as ISO text, `value` parsed back from JSON."""
    out = []
    for row in df.astype(object).where(df.notna(), None).to_dict(orient="records"):
        for key, item in row.items():
            if hasattr(item, "isoformat"):
                row[key] = item.isoformat()[:10]
        if isinstance(row.get("value"), str) and row.get("label") != "DATE":
            row["value"] = json.loads(row["value"])
        elif isinstance(row.get("value"), str) and row["value"].startswith('"'):
            row["value"] = json.loads(row["value"])
        out.append(row)
    return out


def _need(module: str, fmt: str) -> None:
    try:
        __import__(module)
    except ImportError as err:
        raise ExportError(
            f"{fmt} export needs {module}: pip install 'fichas[export]' (or bash scripts/setup.sh)"
        ) from err


def write_table(df: Any, path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Write `df` to `path` atomically (readers see the old file or the new one); returns
    the format written. The format is `fmt`, else the file's suffix."""
    fmt = export_format(path, fmt)
    write_atomic(path, table_bytes(df, fmt))
    return fmt


# --- annotation records -> frames -----------------------------------------------------------

ENTITY_FRAME = (
    "doc_id",
    "label",
    "surface",
    "start",
    "end",
    "section",
    *TYPED_COLUMNS,
    "near_year_start",
    "near_year_end",
    "program_name",
    "program_key",
    "value",
)
SECTION_FRAME = ("doc_id", "label", "start", "end", "inferred", "text")


def records_to_frames(records: Iterable[dict[str, Any]]) -> tuple[Any, Any]:
    """(entities, sections) DataFrames of annotation records, typed as the index types them.

    Entities carry their section's label, typed values and the year of their sentence
    (`near_year_*`, as `fichas index` computes it); sections cover the text as in the
    index (a gap with words is an inferred `other` section).
    """
    import pandas as pd

    entity_rows: list[dict[str, Any]] = []
    section_rows: list[dict[str, Any]] = []
    for record in records:
        text, doc_id = record["text"], record["id"]
        sections = sections_with_gaps(record)
        for start, end, label, inferred in sections:
            section_rows.append(
                {"doc_id": doc_id, "label": label, "start": start, "end": end}
                | {"inferred": bool(inferred), "text": text[start:end]}
            )
        ents = [entity_columns(e, text) for e in sorted(record["entities"], key=_start)]
        add_near_years(ents, text, sections)
        for ent in ents:
            ent["doc_id"], ent["value"] = doc_id, ent.pop("value_json")
            ent["section"] = next((s[2] for s in sections if s[0] <= ent["start"] < s[1]), None)
            entity_rows.append(ent)
    entities = _retype(pd.DataFrame(entity_rows, columns=list(ENTITY_FRAME)))
    return entities, pd.DataFrame(section_rows, columns=list(SECTION_FRAME))


def _start(ent: dict[str, Any]) -> int:
    return ent["start"]


def _retype(df: Any) -> Any:
    import pandas as pd

    for name in ("year_start", "year_end", "near_year_start", "near_year_end"):
        df[name] = pd.array(df[name].tolist(), dtype="Int64")
    for name in ("amount", "percent"):
        df[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    for name in ("currency", "program_name", "program_key", "section"):
        df[name] = df[name].astype("string")
    df["date"] = pd.to_datetime(df["date"].map(_full_date), errors="coerce", format="%Y-%m-%d")
    return df
