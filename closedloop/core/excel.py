"""Excel helpers every app shares."""

from __future__ import annotations

import io
from collections.abc import Iterable

import xlsxwriter
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_response(sheets: Iterable[tuple[str, Iterable[str]]], filename: str) -> HttpResponse:
    """An import template to download: one sheet per ``(title, headers)``, the headers in
    bold on the first row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    for title, headers in sheets:
        sheet = book.add_worksheet(title)
        for col, header in enumerate(headers):
            sheet.write(0, col, header, bold)
            sheet.set_column(col, col, 16)
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
