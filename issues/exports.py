"""Excel export of an issue list (导出 Excel).

The caller passes the queryset the page shows (already scoped by ``visible_to`` and the
filters); this module only writes it. XlsxWriter runs in ``constant_memory`` mode and rows
are read with ``iterator()``, so a large export never holds the table in memory; the
workbook is written to a temporary file that the response streams and then closes."""

from __future__ import annotations

import datetime as dt
import tempfile
from zoneinfo import ZoneInfo

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Dates and times are written as Beijing time, as the people reading them live it.
EXPORT_ZONE = ZoneInfo("Asia/Shanghai")
CHUNK = 500


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return timezone.localtime(value, EXPORT_ZONE).replace(tzinfo=None)


def _person(user) -> str:
    return str(user) if user is not None else ""


def columns():
    """(title, width, kind, getter) for every column; kind picks the cell format."""
    yes, no = _("是"), _("否")
    return [
        (_("编号"), 16, "text", lambda i: i.number),
        (_("问题标题"), 36, "text", lambda i: i.title),
        (_("门店编码"), 10, "text", lambda i: i.store.code),
        (_("门店"), 20, "text", lambda i: i.store.name),
        (_("区域"), 8, "text", lambda i: i.store.region.name),
        (_("问题分类"), 12, "text", lambda i: i.get_category_display()),
        (_("影响范围"), 8, "text", lambda i: i.get_impact_scope_display()),
        (_("优先级"), 10, "text", lambda i: i.get_priority_display() or _("待分级")),
        (_("状态"), 10, "text", lambda i: i.get_status_display()),
        (_("责任部门"), 10, "text", lambda i: i.department.name if i.department else ""),
        (_("处理人"), 10, "text", lambda i: _person(i.assignee)),
        (_("提交人"), 10, "text", lambda i: _person(i.submitted_by)),
        (_("来源渠道"), 8, "text", lambda i: i.get_channel_display()),
        (_("提交时间"), 17, "datetime", lambda i: _local(i.submitted_at)),
        (_("期望解决日期"), 12, "date", lambda i: i.expected_resolution_date),
        (_("响应截止"), 17, "datetime", lambda i: _local(i.response_due_at)),
        (_("首次响应时间"), 17, "datetime", lambda i: _local(i.first_response_at)),
        (_("响应超时"), 8, "text", lambda i: yes if selectors.response_breached(i) else no),
        (_("解决截止"), 17, "datetime", lambda i: _local(i.resolution_due_at)),
        (_("解决时间"), 17, "datetime", lambda i: _local(i.resolved_at)),
        (_("解决超时"), 8, "text", lambda i: yes if selectors.resolution_breached(i) else no),
        (_("关闭时间"), 17, "datetime", lambda i: _local(i.closed_at)),
        (_("解决方案"), 30, "text", lambda i: i.resolution),
        (_("评分"), 6, "number", lambda i: i.rating),
        (_("重开次数"), 8, "number", lambda i: i.reopen_count),
        (_("重复于"), 16, "text", lambda i: i.duplicate_of.number if i.duplicate_of else ""),
        (_("问题描述"), 50, "text", lambda i: i.description),
    ]


def write_issues(queryset, handle=None):
    """Write ``queryset`` as one sheet to ``handle`` (a new temporary file by default) and
    return it rewound, ready to stream."""
    if handle is None:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(_("问题列表"))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    cols = columns()
    for index, (title, width, _kind, _getter) in enumerate(cols):
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, title, header)
    sheet.freeze_panes(1, 1)
    row = 0
    for row, issue in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        for index, (_title, _width, kind, getter) in enumerate(cols):
            value = getter(issue)
            if value is None or value == "":
                continue
            if kind == "datetime":
                sheet.write_datetime(row, index, value, formats["datetime"])
            elif kind == "date":
                sheet.write_datetime(row, index, value, formats["date"])
            elif kind == "number":
                sheet.write_number(row, index, value)
            else:
                sheet.write_string(row, index, str(value))
    sheet.autofilter(0, 0, max(row, 1), len(cols) - 1)
    book.close()
    handle.seek(0)
    return handle
