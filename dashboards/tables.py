"""Every chart's table: the numbers a chart draws, shown under it, printed, and exported
to Excel (``exports.py``) from the very same rows. A table may carry a chart spec, which
``static/js/dashboards.js`` turns into an ECharts option (vendored, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from issues.choices import Priority

from . import formatting
from .board import Board, Process
from .choices import Deviation, Metric, Unit

TEXT, INT, RATE, NUMBER = "text", "int", "rate", "number"
#: A value in the row's own unit (``row["_unit"]``): the board mixes rates, days, counts.
METRIC = "metric"


@dataclass
class Column:
    key: str
    label: str
    kind: str = TEXT  # text | int | rate | number | metric


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    chart: dict | None = None
    note: str = ""
    #: Extra CSS class per row (e.g. the tone of a target row); not exported.
    row_classes: list[str] = field(default_factory=list)

    def cell(self, row: dict, column: Column) -> str:
        value = row.get(column.key)
        if value is None:
            return formatting.DASH
        if column.kind == RATE:
            return formatting.rate(value)
        if column.kind == NUMBER:
            return formatting.value(value, Unit.DAYS)
        if column.kind == METRIC:
            return formatting.with_unit(value, row["_unit"])
        return str(value)

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.key}"

    def display_rows(self) -> list[list[dict]]:
        """Each row's cells as ``{"text", "numeric"}`` (numbers are right-aligned)."""
        return [
            [{"text": self.cell(row, c), "numeric": c.kind != TEXT} for c in self.columns]
            for row in self.rows
        ]


def _chart_series(table: Table, x: str, series: list[dict], **options) -> dict:
    """A chart spec: categories from column ``x``, one data list per series."""
    kinds = {c.key: c.kind for c in table.columns}
    spec = {"categories": [str(row.get(x) or "") for row in table.rows], "series": []}
    for entry in series:
        unit = Unit.RATE if kinds[entry["col"]] == RATE else Unit.COUNT
        spec["series"].append(
            {
                "name": entry.get("name")
                or next(c.label for c in table.columns if c.key == entry["col"]),
                "type": entry.get("type", "bar"),
                "axis": entry.get("axis", 0),
                "data": [
                    formatting.chart_number(row.get(entry["col"]), unit) for row in table.rows
                ],
                "dashed": bool(entry.get("dashed")),
            }
        )
    spec.update(options)
    return spec


# --- the board ----------------------------------------------------------------------------


def board_table(board: Board) -> Table:
    columns = [
        Column("metric", _("指标")),
        Column("baseline", _("基线值"), METRIC),
        Column("target", _("目标值"), METRIC),
        Column("current", _("当前值"), METRIC),
        Column("achievement", _("达成率"), RATE),
        Column("trend", _("趋势")),
        Column("deviation", _("偏差")),
    ]
    rows = []
    for row in board.rows:
        rows.append(
            {
                "_unit": row.unit,
                "metric": row.label,
                "baseline": row.baseline,
                "target": row.target,
                "current": row.current,
                "achievement": row.achievement,
                "trend": f"{row.trend.arrow} {formatting.delta(row.trend.delta, row.unit)}".strip(),
                "deviation": str(Deviation(row.deviation).label) if row.deviation else None,
            }
        )
    return Table("board", _("核心业务指标"), columns, rows)


def response_table(board: Board) -> Table:
    columns = [
        Column("priority", _("优先级")),
        Column("due", _("到期数"), INT),
        Column("met", _("按时响应"), INT),
        Column("rate", _("响应率"), RATE),
        Column("target", _("目标"), RATE),
        Column("status", _("是否达标")),
    ]
    rows = []
    for priority in Priority.values:
        entry = board.kpis.response[priority]
        target = board.response_target(priority)
        rate = entry.rate
        rows.append(
            {
                "priority": str(Priority(priority).label),
                "due": entry.due,
                "met": entry.met,
                "rate": rate,
                "target": target,
                "status": formatting.yes_no(None if rate is None else rate >= target),
            }
        )
    table = Table("response", _("各优先级响应率"), columns, rows)
    table.chart = _chart_series(
        table,
        "priority",
        [
            {"col": "rate", "name": _("响应率")},
            {"col": "target", "name": _("目标"), "type": "line", "dashed": True},
        ],
        percent=True,
    )
    return table


def department_table(board: Board) -> Table:
    columns = [
        Column("department", _("部门")),
        Column("due", _("到期数"), INT),
        Column("met", _("按时响应"), INT),
        Column("rate", _("部门响应率"), RATE),
    ] + [Column(p, p, RATE) for p in Priority.values]
    rows = []
    for dept in board.departments:
        row = {"department": dept.name, "due": dept.due, "met": dept.met, "rate": dept.rate}
        row.update({p: dept.by_priority[p].rate for p in Priority.values})
        rows.append(row)
    table = Table("departments", _("部门响应率"), columns, rows)
    table.chart = _chart_series(
        table, "department", [{"col": "rate", "name": _("部门响应率")}], percent=True
    )
    return table


def meeting_table(board: Board) -> Table:
    columns = [
        Column("metric", _("指标")),
        Column("numerator", _("达成数"), INT),
        Column("denominator", _("总数"), INT),
        Column("rate", _("当前值"), RATE),
        Column("target", _("目标"), RATE),
        Column("status", _("是否达标")),
    ]
    m = board.meeting
    pairs = {
        Metric.MEETING_ATTENDANCE: (m.attended, m.invited),
        Metric.DECISION_CLARITY: (m.clear, m.decisions),
        Metric.ACTION_COMPLETION: (m.actions_done, m.actions_due),
    }
    rows = []
    for row in board.meeting_rows:
        numerator, denominator = pairs[row.metric]
        rows.append(
            {
                "metric": row.label,
                "numerator": numerator,
                "denominator": denominator,
                "rate": row.current,
                "target": row.target,
                "status": formatting.yes_no(
                    None if row.current is None or row.target is None else row.current >= row.target
                ),
            }
        )
    return Table("meeting", _("决策效率"), columns, rows)


# --- process metrics ------------------------------------------------------------------------


def systemic_table(process: Process) -> Table:
    counts = process.systemic
    columns = [Column("label", _("系统性改进")), Column("count", _("数量"), INT)]
    rows = [
        {"label": _("识别系统性问题"), "count": counts["identified"]},
        {"label": _("推动总部改进"), "count": counts["pushed"]},
        {"label": _("成功落地改进"), "count": counts["landed"]},
        {"label": _("正在推动中"), "count": counts["in_progress"]},
    ]
    table = Table("systemic", _("系统性改进"), columns, rows, note=_("截至目前"))
    table.chart = _chart_series(table, "label", [{"col": "count"}])
    return table


def pareto_table(process: Process) -> Table:
    columns = [
        Column("label", _("问题分类")),
        Column("count", _("问题数"), INT),
        Column("share", _("占比"), RATE),
        Column("cumulative", _("累计占比"), RATE),
    ]
    table = Table("pareto", _("问题分类帕累托"), columns, process.pareto)
    table.chart = _chart_series(
        table,
        "label",
        [
            {"col": "count"},
            {"col": "cumulative", "type": "line", "axis": 1},
        ],
        percent_axis=1,
    )
    return table


def distribution_table(process: Process) -> Table:
    columns = [
        Column("label", _("解决时长")),
        Column("count", _("问题数"), INT),
        Column("share", _("占比"), RATE),
    ]
    table = Table(
        "distribution",
        _("解决时长分布"),
        columns,
        process.distribution,
        note=_("本期已解决的问题"),
    )
    table.chart = _chart_series(table, "label", [{"col": "count"}])
    return table


def backlog_table(process: Process) -> Table:
    columns = [
        Column("period", _("期间")),
        Column("submitted", _("提交问题数"), INT),
        Column("resolved", _("解决问题数"), INT),
        Column("rate", _("问题解决率"), RATE),
        Column("backlog", _("期末待解决"), INT),
    ]
    rows = [
        {
            "period": k.period.code,
            "submitted": k.submitted,
            "resolved": k.resolved,
            "rate": k.resolution_rate,
            "backlog": k.backlog,
        }
        for k in process.series
    ]
    table = Table("backlog", _("待解决问题数趋势"), columns, rows)
    table.chart = _chart_series(
        table,
        "period",
        [
            {"col": "backlog", "type": "line"},
            {"col": "submitted"},
            {"col": "resolved"},
        ],
    )
    return table


def store_metrics_table(process: Process) -> Table | None:
    if process.store_series is None:
        return None
    from .store_metrics import BOARD_METRICS

    columns = [Column("period", _("期间"))] + [
        Column(code, str(Metric(metric).label), NUMBER) for metric, code in BOARD_METRICS.items()
    ]
    rows = []
    for period, values in zip(process.series_periods, process.store_series, strict=True):
        row = {"period": period.code}
        for code in BOARD_METRICS.values():
            entry = values.get(code)
            row[code] = entry.value if entry else None
        rows.append(row)
    table = Table("store_metrics", _("门店指标趋势（DMS）"), columns, rows)
    table.chart = _chart_series(
        table,
        "period",
        [{"col": code, "type": "line"} for code in BOARD_METRICS.values()],
    )
    return table


def rectification_table(board: Board) -> Table | None:
    rect = board.rectification
    if rect is None:
        return None
    columns = [
        Column("metric", _("指标")),
        Column("value", _("当前值")),
        Column("target", _("目标")),
    ]
    rows = [
        {
            "metric": _("整改按期完成率"),
            "value": rect.on_time_note or formatting.rate(rect.on_time_rate),
            "target": "≥ 85%",
        },
        {
            "metric": _("整改平均周期"),
            "value": formatting.with_unit(rect.avg_cycle_days, Unit.DAYS),
            "target": formatting.DASH,
        },
        {"metric": _("红色项目"), "value": str(rect.red), "target": "0"},
    ]
    return Table("rectification", _("整改项目"), columns, rows)


def process_tables(process: Process) -> list[Table]:
    board = process.board
    tables = [
        response_table(board),
        department_table(board),
        meeting_table(board),
        systemic_table(process),
        pareto_table(process),
        distribution_table(process),
        backlog_table(process),
    ]
    for optional in (store_metrics_table(process), rectification_table(board)):
        if optional is not None:
            tables.append(optional)
    return tables
