"""A report as an Excel workbook (XlsxWriter): a sheet per section, named by the
section's Chinese title; each of its tables with a bold title and a header row, the
first table's header frozen; numbers as real numbers with number formats (rates
``0.0%``, days ``0.0``, counts ``0``), dates as dates; the prose as text below."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter
from django.utils.translation import gettext as _

from dashboards.exports import XLSX_CONTENT_TYPE, _sheet_name

from .choices import ColumnType
from .models import Report
from .snapshot import types_of

__all__ = ["XLSX_CONTENT_TYPE", "workbook"]

#: Where the first table's header row is (title on row 0, report title on row 1).
FIRST_HEADER_ROW = 3


def workbook(report: Report) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    bold = book.add_format({"bold": True, "font_size": 14})
    caption = book.add_format({"bold": True, "font_size": 12})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    formats = {
        ColumnType.PERCENT: book.add_format({"num_format": "0.0%"}),
        ColumnType.DECIMAL: book.add_format({"num_format": "0.0"}),
        ColumnType.INT: book.add_format({"num_format": "0"}),
        ColumnType.DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    used: set[str] = set()
    for sec in report.data.get("sections", []):
        sheet = book.add_worksheet(_sheet_name(sec["title"], used))
        sheet.write_string(0, 0, sec["title"], bold)
        sheet.write_string(1, 0, report.title)
        row = FIRST_HEADER_ROW - 1
        for n, tab in enumerate(sec["tables"]):
            if n:
                row += 1
            sheet.write_string(row, 0, tab["title"], caption)
            row += 1
            for col, column in enumerate(tab["columns"]):
                sheet.write_string(row, col, column["label"], header)
                sheet.set_column(col, col, 26 if col == 0 else 14)
            if n == 0:
                sheet.freeze_panes(row + 1, 0)
            row += 1
            if not tab["rows"]:
                sheet.write_string(row, 0, _("暂无数据"))
                row += 1
            for i, values in enumerate(tab["rows"]):
                for col, (value, kind) in enumerate(zip(values, types_of(tab, i), strict=False)):
                    _write(sheet, row, col, value, kind, formats)
                row += 1
            if tab.get("note"):
                sheet.write_string(row, 0, tab["note"])
                row += 1
        for block in sec.get("prose", []):
            row += 1
            sheet.write_string(row, 0, block["title"], caption)
            row += 1
            sheet.merge_range(row, 0, row, 5, report.prose.get(block["key"], ""), wrap)
            sheet.set_row(row, 120)
            row += 1
    book.close()
    return buffer.getvalue()


def _write(sheet, row, col, value, kind, formats) -> None:
    if value is None or value == "":
        return
    if kind in (ColumnType.PERCENT, ColumnType.DECIMAL, ColumnType.INT):
        sheet.write_number(row, col, float(value), formats[kind])
    elif kind == ColumnType.DATE:
        sheet.write_datetime(row, col, dt.datetime.fromisoformat(value), formats[kind])
    else:
        sheet.write_string(row, col, str(value))
