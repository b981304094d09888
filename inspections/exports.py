"""Excel export of the improvement board (导出 Excel): exactly the rows the page shows
(the same annotated, filtered, ranked queryset), one sheet, streamed from a temporary
file."""

from __future__ import annotations

import datetime as dt
import tempfile

import xlsxwriter
from django.utils.translation import gettext as _

from .board import as_row
from .choices import Risk

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns():
    """(title, width, kind, key) of every column."""
    return [
        (_("排名"), 6, "number", "rank"),
        (_("门店编码"), 10, "text", "store"),
        (_("门店"), 20, "text", "store_name"),
        (_("区域"), 8, "text", "region_name"),
        (_("门店分层"), 8, "text", "tier"),
        (_("巡检日期"), 11, "date", "inspected_on"),
        (_("得分"), 7, "number", "score"),
        (_("问题数"), 7, "number", "findings"),
        (_("已解决"), 7, "number", "solved"),
        (_("进行中"), 7, "number", "in_progress"),
        (_("未开始"), 7, "number", "not_started"),
        (_("完成率"), 8, "percent", "completion_rate"),
        (_("下次跟进"), 11, "date", "next_follow_up_on"),
        (_("风险"), 14, "text", "risk_label"),
    ]


def write_board(queryset, handle=None):
    if handle is None:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(_("改进仪表盘"))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "percent": book.add_format({"num_format": "0%"}),
        "red": book.add_format({"bg_color": "#F8D7DA"}),
        "yellow": book.add_format({"bg_color": "#FFF3CD"}),
        "green": book.add_format({"bg_color": "#D1E7DD"}),
    }
    cols = columns()
    for index, (title, width, _kind, _key) in enumerate(cols):
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, title, header)
    sheet.freeze_panes(1, 3)
    row = 0
    for row, inspection in enumerate(queryset.iterator(chunk_size=500), start=1):
        data = as_row(inspection, rank=row)
        data["region_name"] = inspection.store.region.name
        data["risk_label"] = str(Risk(data["risk"]).label)
        for index, (_title, _width, kind, key) in enumerate(cols):
            value = data[key]
            if value is None or value == "":
                continue
            if kind == "date":
                sheet.write_datetime(
                    row, index, dt.datetime.combine(value, dt.time()), formats["date"]
                )
            elif kind == "percent":
                sheet.write_number(row, index, float(value), formats["percent"])
            elif kind == "number":
                sheet.write_number(row, index, float(value))
            elif key == "risk_label":
                sheet.write_string(row, index, str(value), formats[data["risk"]])
            else:
                sheet.write_string(row, index, str(value))
    sheet.autofilter(0, 0, max(row, 1), len(cols) - 1)
    book.close()
    handle.seek(0)
    return handle
