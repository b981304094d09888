"""Excel export of the dashboards' tables: each chart's table as a sheet, the numbers as
real numbers (rates with a percent format), headers frozen, Chinese titles."""

from __future__ import annotations

import io
import re

import xlsxwriter
from django.utils.translation import gettext as _

from .choices import Unit
from .tables import INT, METRIC, NUMBER, RATE, Table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title)[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:26]}-{n}"
        n += 1
    used.add(name.lower())
    return name


def write_tables(tables: list[Table], *, subtitle: str = "") -> bytes:
    """A workbook with one sheet per table: title, subtitle (period and slices), the
    header row (frozen) and the rows."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    title_format = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        RATE: book.add_format({"num_format": "0.0%"}),
        NUMBER: book.add_format({"num_format": "0.0"}),
        INT: book.add_format({"num_format": "0"}),
    }
    used: set[str] = set()
    for table in tables:
        sheet = book.add_worksheet(_sheet_name(table.title, used))
        sheet.write_string(0, 0, table.title, title_format)
        notes = " · ".join(part for part in (subtitle, table.note) if part)
        if notes:
            sheet.write_string(1, 0, notes)
        first = 3
        for col, column in enumerate(table.columns):
            sheet.write_string(first, col, column.label, header)
            sheet.set_column(col, col, 22 if col == 0 else 14)
        sheet.freeze_panes(first + 1, 1)
        for r, row in enumerate(table.rows, start=first + 1):
            for col, column in enumerate(table.columns):
                value = row.get(column.key)
                if value is None or value == "":
                    continue
                kind = column.kind
                if kind == METRIC:
                    kind = RATE if row.get("_unit") == Unit.RATE else NUMBER
                if kind in (RATE, NUMBER, INT):
                    sheet.write_number(r, col, float(value), formats[kind])
                else:
                    sheet.write_string(r, col, str(value))
        if not table.rows:
            sheet.write_string(first + 1, 0, _("暂无数据"))
    book.close()
    return buffer.getvalue()
