"""Excel export of the project board (导出 Excel): exactly the rows the board shows
(visible to the person, under the same filters)."""

from __future__ import annotations

import tempfile

import xlsxwriter
from django.utils.translation import gettext as _

from . import rules

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 500


def columns(today):
    yes, no = _("是"), _("否")

    def tracking_late(p):
        return yes if rules.tracking_late(p.status, p.next_tracking_on, today) else no

    return [
        (_("项目编号"), 15, "text", lambda p: p.number),
        (_("项目名称"), 30, "text", lambda p: p.title),
        (_("门店编码"), 10, "text", lambda p: p.store.code),
        (_("门店"), 20, "text", lambda p: p.store.name),
        (_("区域"), 8, "text", lambda p: p.store.region.name),
        (_("门店分层"), 8, "text", lambda p: p.store.get_tier_display()),
        (_("问题级别"), 12, "text", lambda p: p.get_level_display()),
        (_("状态"), 10, "text", lambda p: p.get_status_display()),
        (_("健康度"), 8, "text", lambda p: p.get_health_display()),
        (_("当前进度"), 8, "percent", lambda p: p.progress / 100),
        (_("运营专家"), 10, "text", lambda p: str(p.ops_specialist)),
        (_("来源问题"), 16, "text", lambda p: p.issue.number if p.issue else ""),
        (_("启动日期"), 12, "date", lambda p: p.start_on),
        (_("执行期开始"), 12, "date", lambda p: p.execution_from),
        (_("执行期结束"), 12, "date", lambda p: p.execution_to),
        (_("验收日期"), 12, "date", lambda p: p.acceptance_on),
        (_("闭环日期"), 12, "date", lambda p: p.closure_on),
        (_("最近跟踪日期"), 12, "date", lambda p: p.last_tracked_on),
        (_("下次跟踪日期"), 12, "date", lambda p: p.next_tracking_on),
        (_("跟踪逾期"), 8, "text", tracking_late),
        (_("逾期措施"), 8, "number", lambda p: getattr(p, "late_measures", 0)),
    ]


def write_projects(queryset, *, today, handle=None):
    """Write ``queryset`` as one sheet and return the file rewound, ready to stream."""
    if handle is None:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
    )
    sheet = book.add_worksheet(_("整改项目"))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "percent": book.add_format({"num_format": "0%"}),
    }
    cols = columns(today)
    for index, (title, width, _kind, _getter) in enumerate(cols):
        sheet.set_column(index, index, width)
        sheet.write_string(0, index, title, header)
    sheet.freeze_panes(1, 1)
    row = 0
    for row, project in enumerate(queryset.iterator(chunk_size=CHUNK), start=1):
        for index, (_title, _width, kind, getter) in enumerate(cols):
            value = getter(project)
            if value is None or value == "":
                continue
            if kind == "date":
                sheet.write_datetime(row, index, value, formats["date"])
            elif kind == "percent":
                sheet.write_number(row, index, value, formats["percent"])
            elif kind == "number":
                sheet.write_number(row, index, value)
            else:
                sheet.write_string(row, index, str(value))
    sheet.autofilter(0, 0, max(row, 1), len(cols) - 1)
    book.close()
    handle.seek(0)
    return handle
