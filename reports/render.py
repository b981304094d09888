"""A stored snapshot made readable: each cell formatted by its column's type, each chart
as SVG, each prose block with its text — one context for the page and the PDF."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .charts import bar_svg
from .choices import ColumnType
from .models import Report
from .snapshot import types_of

DASH = "—"


def cell(value, kind: str) -> str:
    if value is None or value == "":
        return DASH
    if kind == ColumnType.PERCENT:
        pct = (Decimal(str(value)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"{pct}%"
    if kind == ColumnType.DECIMAL:
        text = f"{Decimal(str(value)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"
        return text[:-2] if text.endswith(".0") else text
    if kind == ColumnType.INT:
        return f"{int(value)}"
    return str(value)


def sections(report: Report) -> list[dict]:
    out = []
    for sec in report.data.get("sections", []):
        tables = []
        for tab in sec["tables"]:
            tables.append(
                {
                    **tab,
                    "cells": [
                        [
                            (cell(v, k), k != ColumnType.TEXT)
                            for v, k in zip(row, types_of(tab, i), strict=False)
                        ]
                        for i, row in enumerate(tab["rows"])
                    ],
                }
            )
        out.append(
            {
                **sec,
                "tables": tables,
                "prose": [
                    {**p, "text": report.prose.get(p["key"], "")} for p in sec.get("prose", [])
                ],
                "charts": [{**c, "svg": bar_svg(c)} for c in sec.get("charts", [])],
            }
        )
    return out
