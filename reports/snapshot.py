"""The shape of a report's stored snapshot, shared by the page, the workbook and the PDF.

A snapshot is plain JSON::

    {"title": …, "subtitle": …, "sections": [
        {"key": "core", "title": "一、核心成果",
         "tables": [{"title": "业务指标达成情况", "columns": [{"label", "type"}],
                     "rows": [[…], …], "note": ""}],
         "prose": [{"key": "highlights", "title": "本月亮点"}],
         "charts": [{"title", "kind": "bar", "unit": "percent|int|decimal",
                     "labels": […], "values": […]}]},
    …]}

Numbers stay numbers (rates as fractions, days as floats) so that the workbook holds
real numbers with number formats; ``None`` is an empty cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .choices import ColumnType


def num(value):
    """A JSON value: Decimals become floats (rounded to 4 places), dates ISO strings,
    None stays None."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(round(value, 4))
    if isinstance(value, float):
        return round(value, 4)
    return value


def column(label, kind: str = ColumnType.TEXT) -> dict:
    return {"label": str(label), "type": str(kind)}


def table(title, columns: list[dict], rows: list[list], *, note="", row_types=None) -> dict:
    """``row_types``: for a table whose rows are of different kinds (a count, a rate, a
    number of days in the same column), the type of each row's value column, by row."""
    data = {
        "title": str(title),
        "columns": columns,
        "rows": [[v if isinstance(v, str) else num(v) for v in row] for row in rows],
        "note": str(note),
    }
    if row_types is not None:
        data["types"] = [
            [c["type"] if t is None else str(t) for c, t in zip(columns, types, strict=True)]
            for types in row_types
        ]
    return data


def types_of(tab: dict, index: int) -> list[str]:
    """The column types of row ``index`` (its own where the table gives them)."""
    if "types" in tab:
        return tab["types"][index]
    return [c["type"] for c in tab["columns"]]


def chart(title, labels: list, values: list, *, unit: str = ColumnType.INT) -> dict:
    return {
        "title": str(title),
        "kind": "bar",
        "unit": str(unit),
        "labels": [str(label) for label in labels],
        "values": [num(v) for v in values],
    }


def section(key: str, title, *, tables=(), prose=(), charts=()) -> dict:
    return {
        "key": key,
        "title": str(title),
        "tables": list(tables),
        "prose": [{"key": k, "title": str(t)} for k, t in prose],
        "charts": list(charts),
    }


def find_table(data: dict, section_key: str, title: str) -> dict:
    """One table of a snapshot, by its section's key and its title (tests, demo)."""
    for sec in data["sections"]:
        if sec["key"] == section_key:
            for tab in sec["tables"]:
                if tab["title"] == title:
                    return tab
    raise KeyError((section_key, title))
