"""The content of each report kind, computed over one scope (the whole network or one
region) and one period. Every figure comes from the dashboards' computations
(``dashboards.metrics``, ``dashboards.meetings``, ``dashboards.rectification``,
``dashboards.board.make_row`` and ``dashboards.kpi``); this module only picks them,
groups the rectification projects by store and tier the way the source's tool 5 asks,
and lays them out as a snapshot (``reports.snapshot``).

Sections and labels follow the sources: 月度效果评估报告 (000, 一、核心成果 … 四、下月重点) and
工具5 月度整改工作汇总 (002, 一、整体数据概览 … 五、下月计划)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from closedloop.org.models import Store
from dashboards import meetings, metrics, rectification, store_metrics
from dashboards.board import _values, make_row
from dashboards.choices import (
    DEFAULT_RESPONSE_TARGETS,
    DEFAULT_TARGETS,
    ActionStatus,
    Deviation,
    Metric,
    Unit,
)
from dashboards.formatting import value as fmt
from dashboards.kpi import percent, ratio
from dashboards.models import ActionItem, KpiTarget
from dashboards.periods import Period, local_date, series
from issues.choices import VOID_STATUSES, Category
from issues.models import Issue
from issues.selectors import overdue_q

from .choices import BOTTOM_STORES, TOP_ISSUES, TOP_STORES, TREND_MONTHS, TREND_WEEKS, ColumnType
from .snapshot import chart, column, section, table

T = ColumnType
#: How a board metric's unit is typed in a report table.
UNIT_TYPES = {
    Unit.RATE: T.PERCENT,
    Unit.COUNT: T.INT,
    Unit.DAYS: T.DECIMAL,
    Unit.POINTS: T.DECIMAL,
    Unit.MINUTES: T.DECIMAL,
}
#: Metrics of the KPI tables, in the board's order.
ISSUE_METRICS = [
    Metric.RESOLUTION_RATE,
    Metric.AVG_RESOLUTION_DAYS,
    Metric.BACKLOG,
    Metric.SUBMITTED,
    Metric.RESPONSE_RATE_P0,
    Metric.RESPONSE_RATE_P1,
    Metric.RESPONSE_RATE_P2,
    Metric.RESPONSE_RATE_P3,
]
MEETING_METRICS = [Metric.MEETING_ATTENDANCE, Metric.DECISION_CLARITY, Metric.ACTION_COMPLETION]
RECTIFICATION_METRICS = [Metric.RECTIFICATION_ON_TIME, Metric.RECTIFICATION_AVG_CYCLE]
#: Project states as the source's tool 5 counts them.
NOT_STARTED = ("draft",)
IN_PROGRESS = (
    "kicked_off",
    "executing",
    "pending_acceptance",
    "observing",
    "pending_closure",
)
CLOSED, CANCELLED = rectification.CLOSED, rectification.CANCELLED


@dataclass(frozen=True)
class Scope:
    """What one report covers: the counted issues and the rectification projects (None
    while the rectification module is not there) of the network or one region."""

    region: object | None  # org.Region

    @property
    def slices(self) -> metrics.Slices:
        return metrics.Slices(region=self.region.code if self.region else "")

    def issues(self):
        return self.slices.apply(Issue.objects.exclude(status__in=VOID_STATUSES))

    def projects(self):
        model = rectification.project_model()
        if model is None:
            return None
        projects = model._default_manager.all()
        if self.region is not None:
            projects = projects.filter(**{f"{rectification.FIELDS['store']}__region": self.region})
        return projects

    def stores(self):
        stores = Store.objects.all()
        return stores.filter(region=self.region) if self.region is not None else stores

    def action_items(self):
        items = ActionItem.objects.exclude(status=ActionStatus.CANCELLED)
        if self.region is not None:
            items = items.filter(issue__store__region=self.region)
        return items


# --- the KPI table (weekly and monthly effect) -------------------------------------------


def kpi_rows(scope: Scope, period: Period, *, now: dt.datetime, with_meeting: bool):
    """The board's lines (``BoardRow``) for ``period`` against the previous one, the
    period's issue KPIs and the counted issues: issues, the meeting (national only),
    rectification and the stores' DMS metrics, each where its module is there."""
    previous = period.previous()
    issues = scope.issues()
    current_kpis, previous_kpis = metrics.issue_kpis(issues, [period, previous], now=now)
    meeting_now, meeting_then = meetings.measures([period, previous], now=now)
    rect = rectification.kpis_for(scope.projects(), [period, previous])  # None: module off
    rect_now, rect_then = rect or (None, None)
    store = store_metrics.averages(None, [period, previous], stores=scope.stores())
    store_now, store_then = store or (None, None)
    now_values = _values(current_kpis, meeting_now, rect_now, store_now)
    then_values = _values(previous_kpis, meeting_then, rect_then, store_then)
    targets = {t.metric: t for t in KpiTarget.objects.in_force(period.last_day)}
    wanted = ISSUE_METRICS + (MEETING_METRICS if with_meeting else [])
    if rect_now is not None:
        wanted += RECTIFICATION_METRICS
    if store_now:  # metrics some store reported
        wanted += [m for m, code in store_metrics.BOARD_METRICS.items() if code in store_now]
    rows = []
    for metric in wanted:
        default = DEFAULT_TARGETS.get(metric)
        if metric.startswith("response_rate_"):
            default = DEFAULT_RESPONSE_TARGETS[metric.rsplit("_", 1)[1]]
        rows.append(
            make_row(
                metric,
                current=now_values.get(metric),
                previous=then_values.get(metric),
                target=targets.get(metric),
                default_target=default,
            )
        )
    return rows, current_kpis, issues


def unit_type(row) -> str:
    """The column type of a board row's values: a rate as a percent, a count whole,
    days and points with one decimal."""
    return UNIT_TYPES[row.unit]


def kpi_table(title, rows, *, current_label, previous_label) -> dict:
    """指标 | 本期 | 上期 | 目标 | 达成率 | 偏差 | 趋势: one line per metric, its values as
    numbers typed by the metric's unit (a rate as a fraction shown as a percent)."""
    columns = [
        column(_("指标")),
        column(current_label, T.DECIMAL),
        column(previous_label, T.DECIMAL),
        column(_("目标"), T.DECIMAL),
        column(_("达成率"), T.PERCENT),
        column(_("偏差")),
        column(_("趋势")),
    ]
    lines = [
        [
            row.label,
            row.current,
            row.previous,
            row.target,
            row.achievement,
            str(Deviation(row.deviation).label) if row.deviation else "—",
            row.trend.arrow if row.trend else "→",
        ]
        for row in rows
    ]
    types = [(None, unit_type(r), unit_type(r), unit_type(r), None, None, None) for r in rows]
    return table(title, columns, lines, row_types=types)


def _issue_line(issue, now) -> list:
    return [
        issue.number,
        issue.store.name,
        issue.title,
        issue.priority or issue.suggested_priority,
        issue.department.name if issue.department_id else "—",
        issue.get_status_display(),
        local_date(issue.submitted_at),
        (local_date(now) - local_date(issue.submitted_at)).days,
    ]


def issue_columns() -> list[dict]:
    return [
        column(_("问题编号")),
        column(_("门店")),
        column(_("问题标题")),
        column(_("优先级")),
        column(_("责任部门")),
        column(_("状态")),
        column(_("提交日期"), T.DATE),
        column(_("已持续天数"), T.INT),
    ]


def project_columns() -> list[dict]:
    return [
        column(_("项目编号")),
        column(_("门店")),
        column(_("项目名称")),
        column(_("级别")),
        column(_("状态")),
        column(_("计划闭环日期"), T.DATE),
        column(_("下次跟踪日期"), T.DATE),
    ]


def _project_line(project) -> list:
    return [
        project.number,
        project.store.name,
        project.title,
        project.level,
        project.get_status_display(),
        getattr(project, rectification.FIELDS["planned_closure"], None),
        project.next_tracking_on,
    ]


# --- the weekly quality report ----------------------------------------------------------


def weekly(scope: Scope, period: Period, *, now: dt.datetime) -> dict:
    """服务质量周报: the week's KPIs, top open P0/P1, overdue issues, the meeting's action
    items and the red rectification projects — what the Wednesday meeting reads."""
    rows, kpis, issues = kpi_rows(scope, period, now=now, with_meeting=scope.region is None)
    top = meetings.top_issues(issues, now=now, limit=TOP_ISSUES)
    overdue_q_now = overdue_q(now, soon_hours=0)
    overdue = issues.filter(overdue_q_now)
    overdue_count = overdue.count()
    overdue_rows = list(
        overdue.select_related("store", "department").order_by("submitted_at", "pk")[:20]
    )
    meeting_day = period.last_day + dt.timedelta(days=3)  # the Wednesday after the week
    items = list(
        scope.action_items()
        .filter(
            Q(status=ActionStatus.OPEN, due_on__lte=meeting_day)
            | Q(
                status=ActionStatus.DONE,
                completed_at__gte=period.start,
                completed_at__lt=period.end,
            )
        )
        .select_related("owner", "issue")
        .order_by("status", "due_on", "pk")
    )
    projects = scope.projects()
    red = rectification.red_projects(projects) if projects is not None else None
    trend_periods = series(period, TREND_WEEKS)
    trend = metrics.issue_kpis(issues, trend_periods, now=now, response=False, averages=False)
    sections = [
        section(
            "kpis",
            _("一、本周核心指标"),
            tables=[
                kpi_table(_("核心指标"), rows, current_label=_("本周"), previous_label=_("上周"))
            ],
            charts=[
                chart(
                    _("近%(n)d周新增问题数") % {"n": TREND_WEEKS},
                    [p.code for p in trend_periods],
                    [k.submitted for k in trend],
                ),
                chart(
                    _("近%(n)d周待解决问题数") % {"n": TREND_WEEKS},
                    [p.code for p in trend_periods],
                    [k.backlog for k in trend],
                ),
            ],
        ),
        section(
            "top_issues",
            _("二、重点问题（未解决的P0/P1，超期优先）"),
            tables=[
                table(_("重点问题"), issue_columns(), [_issue_line(i, now) for i in top]),
            ],
        ),
        section(
            "overdue",
            _("三、超期问题"),
            tables=[
                table(
                    _("超期问题"),
                    issue_columns(),
                    [_issue_line(i, now) for i in overdue_rows],
                    note=_("共 %(n)d 个超期问题，列出最早的 %(m)d 个。")
                    % {"n": overdue_count, "m": len(overdue_rows)},
                ),
            ],
        ),
        section(
            "actions",
            _("四、周会行动项"),
            tables=[
                table(
                    _("行动项"),
                    [
                        column(_("行动项")),
                        column(_("负责人")),
                        column(_("截止日期"), T.DATE),
                        column(_("状态")),
                        column(_("关联问题")),
                    ],
                    [
                        [
                            item.text,
                            str(item.owner),
                            item.due_on,
                            item.get_status_display(),
                            item.issue.number if item.issue_id else item.project_number or "—",
                        ]
                        for item in items
                    ],
                )
            ],
        ),
        section(
            "red_projects",
            _("五、红灯整改项目"),
            tables=[
                table(
                    _("红灯项目"),
                    project_columns(),
                    [_project_line(p) for p in red or ()],
                    note="" if red is not None else str(_("整改模块未启用")),
                )
            ],
        ),
    ]
    return {
        "summary": {
            "submitted": kpis.submitted,
            "resolution_rate": kpis.resolution_rate,
            "backlog": kpis.backlog,
            "overdue": overdue_count,
            "red_projects": len(red or ()),
        },
        "sections": sections,
    }


# --- the monthly effect evaluation report -----------------------------------------------


def _short(row) -> str:
    """问题解决率:82%(目标85%,达成率96%) — the source's way of writing a line."""
    text = f"{row.label}：{fmt(row.current, row.unit)}"
    if row.target is not None:
        text += _("（目标%(t)s，达成率%(a)s）") % {
            "t": fmt(row.target, row.unit),
            "a": f"{percent(row.achievement)}%" if row.achievement is not None else "—",
        }
    return text


def effect(scope: Scope, period: Period, *, now: dt.datetime) -> dict:
    """闭环机制月度效果评估报告: 一、核心成果 (业务指标达成情况, 本月亮点), 二、问题识别 (待改进指标,
    根本原因), 三、改进行动 (短期行动, 中期规划), 四、下月重点. The tables are computed; the
    prose (``prose``) is pre-filled from them and the quality lead edits it."""
    rows, kpis, issues = kpi_rows(scope, period, now=now, with_meeting=scope.region is None)
    departments = metrics.department_response(issues, period, now=now)
    pareto = metrics.category_pareto(issues, period)
    trend_periods = series(period, TREND_MONTHS)
    trend = metrics.issue_kpis(issues, trend_periods, now=now, response=False)
    short = [r for r in rows if r.deviation in (Deviation.CONTROLLABLE, Deviation.MAJOR)]
    improved = [
        r
        for r in rows
        if r.trend is not None and r.trend.tone == "good" and r.deviation != Deviation.MAJOR
    ]
    dept_target = DEFAULT_RESPONSE_TARGETS["P2"]
    weak_departments = [
        d for d in departments if d.rate is not None and float(d.rate) < dept_target
    ]
    sections = [
        section(
            "core",
            _("一、核心成果"),
            tables=[
                kpi_table(
                    _("业务指标达成情况"), rows, current_label=_("本月"), previous_label=_("上月")
                )
            ],
            prose=[("highlights", _("本月亮点"))],
            charts=[
                chart(
                    _("近%(n)d个月问题解决率") % {"n": TREND_MONTHS},
                    [p.code for p in trend_periods],
                    [k.resolution_rate for k in trend],
                    unit=T.PERCENT,
                )
            ],
        ),
        section(
            "problems",
            _("二、问题识别"),
            tables=[
                table(
                    _("待改进指标"),
                    [
                        column(_("指标")),
                        column(_("本月"), T.DECIMAL),
                        column(_("目标"), T.DECIMAL),
                        column(_("达成率"), T.PERCENT),
                        column(_("偏差")),
                    ],
                    [
                        [
                            r.label,
                            r.current,
                            r.target,
                            r.achievement,
                            str(Deviation(r.deviation).label),
                        ]
                        for r in short
                    ],
                    row_types=[(None, unit_type(r), unit_type(r), None, None) for r in short],
                ),
                table(
                    _("部门响应率"),
                    [
                        column(_("部门")),
                        column(_("应响应"), T.INT),
                        column(_("按时响应"), T.INT),
                        column(_("响应率"), T.PERCENT),
                    ],
                    [[d.name, d.due, d.met, d.rate] for d in departments],
                ),
                table(
                    _("问题分类分布"),
                    [
                        column(_("问题分类")),
                        column(_("问题数"), T.INT),
                        column(_("占比"), T.PERCENT),
                        column(_("累计占比"), T.PERCENT),
                    ],
                    [[p["label"], p["count"], p["share"], p["cumulative"]] for p in pareto],
                ),
            ],
            prose=[("root_causes", _("根本原因"))],
            charts=[
                chart(
                    _("问题分类分布"),
                    [p["label"] for p in pareto],
                    [p["count"] for p in pareto],
                )
            ],
        ),
        section(
            "actions",
            _("三、改进行动"),
            prose=[
                ("short_term", _("短期行动（本月完成）")),
                ("mid_term", _("中期规划（下月启动）")),
            ],
        ),
        section("next_focus", _("四、下月重点"), prose=[("next_focus", _("下月重点"))]),
    ]
    open_items = list(
        scope.action_items()
        .filter(status=ActionStatus.OPEN)
        .select_related("owner")
        .order_by("due_on", "pk")[:5]
    )
    prose = {
        "highlights": _numbered(
            [
                _("%(m)s从%(a)s变为%(b)s")
                % {"m": r.label, "a": fmt(r.previous, r.unit), "b": fmt(r.current, r.unit)}
                for r in improved
            ]
            or [_("本月各项指标与上月持平。")]
        ),
        "root_causes": _numbered(
            [
                _("%(c)s类问题%(n)d个，占%(s)s，是主要问题来源")
                % {"c": p["label"], "n": p["count"], "s": f"{percent(p['share'])}%"}
                for p in pareto[:2]
            ]
            + [
                _("%(d)s部门响应率%(r)s，低于目标%(t)d%%")
                % {"d": d.name, "r": fmt(d.rate, "rate"), "t": round(dept_target * 100)}
                for d in weak_departments
            ]
        ),
        "short_term": _numbered(
            [
                _("%(t)s（负责人：%(o)s，截止%(d)s）")
                % {
                    "t": item.text,
                    "o": str(item.owner),
                    "d": f"{item.due_on:%m-%d}",
                }
                for item in open_items
            ]
        ),
        "mid_term": "",
        "next_focus": "\n".join(
            f"- {_('确保%(m)s达到%(t)s') % {'m': r.label, 't': fmt(r.target, r.unit)}}"
            for r in short
        ),
    }
    lines = [_short(r) for r in rows if r.target is not None]
    return {
        "summary": {
            "submitted": kpis.submitted,
            "resolution_rate": kpis.resolution_rate,
            "below_target": len(short),
            "headline": lines[:3],
        },
        "sections": sections,
        "prose": prose,
    }


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, 1))


# --- the monthly rectification summary (tool 5) -----------------------------------------


def month_projects(projects, period: Period):
    """本月整改项目: not cancelled, created by the month's end and not closed before it
    began (a project closed earlier is last month's result)."""
    f = rectification.FIELDS
    closed_before = Q(**{f["status"]: CLOSED}) & Q(closure_at__lt=period.start)
    return (
        projects.exclude(**{f["status"]: CANCELLED})
        .filter(created_at__lt=period.end)
        .annotate(closure_at=rectification.closure_moments(projects.model))
        .exclude(closed_before)
    )


CYCLE = ExpressionWrapper(
    F("closure_at") - F(rectification.FIELDS["kicked_off_at"]), output_field=DurationField()
)


def _grouped(projects, by: str, today: dt.date) -> dict:
    """Per value of ``by`` (store or tier): total, completed, overdue (open past the
    planned closure) and the mean cycle of the completed — one grouped query."""
    f = rectification.FIELDS
    done = Q(**{f["status"]: CLOSED})
    late = ~done & Q(**{f"{f['planned_closure']}__lt": today})
    rows = projects.values(by).annotate(
        total=Count("pk"),
        done=Count("pk", filter=done),
        overdue=Count("pk", filter=late),
        cycle=Avg(CYCLE, filter=done & Q(**{f"{f['kicked_off_at']}__isnull": False})),
    )
    return {row[by]: row for row in rows}


def _days(value) -> float | None:
    return round(value.total_seconds() / 86400, 1) if value is not None else None


def rectification_summary(scope: Scope, period: Period, *, now: dt.datetime) -> dict:
    """月度整改工作汇总 (source tool 5), every section: 整体数据概览, 亮点与成绩 (top stores,
    cases), 问题与挑战 (bottom stores, common problems), 数据分析 (category, tier, trend),
    下月计划."""
    projects = scope.projects()
    if projects is None:
        return {
            "summary": {},
            "sections": [
                section(
                    "overview",
                    _("一、整体数据概览"),
                    tables=[table(_("整体数据概览"), [column(_("说明"))], [[_("整改模块未启用")]])],
                )
            ],
        }
    f = rectification.FIELDS
    today = local_date(now)
    month = month_projects(projects, period)
    status, level = f["status"], f["level"]
    counts = month.aggregate(
        total=Count("pk"),
        a=Count("pk", filter=Q(**{level: "A"})),
        b=Count("pk", filter=Q(**{level: "B"})),
        c=Count("pk", filter=Q(**{level: "C"})),
        done=Count("pk", filter=Q(**{status: CLOSED})),
        running=Count("pk", filter=Q(**{f"{status}__in": IN_PROGRESS})),
        waiting=Count("pk", filter=Q(**{f"{status}__in": NOT_STARTED})),
        red=Count("pk", filter=Q(**{f["health"]: "red"}) & ~Q(**{status: CLOSED})),
        overdue=Count(
            "pk",
            filter=Q(**{f"{f['planned_closure']}__lt": today}) & ~Q(**{status: CLOSED}),
        ),
    )
    previous = period.previous()
    trend_periods = series(period, TREND_MONTHS)
    trend = rectification.kpis_for(projects, trend_periods)
    current, before = trend[-1], trend[-2]
    completion = ratio(counts["done"], counts["total"])
    cycle_change = (
        round(current.avg_cycle_days - before.avg_cycle_days, 1)
        if current.avg_cycle_days is not None and before.avg_cycle_days is not None
        else None
    )
    on_time_target = DEFAULT_TARGETS[Metric.RECTIFICATION_ON_TIME]
    count, rate, days = (None, T.INT, None), (None, T.PERCENT, None), (None, T.DECIMAL, None)
    overview = table(
        _("整体数据概览"),
        [column(_("项目")), column(_("数值"), T.DECIMAL), column(_("说明"))],
        [
            [_("本月整改项目总数"), counts["total"], _("个")],
            [_("A级项目"), counts["a"], _("个")],
            [_("B级项目"), counts["b"], _("个")],
            [_("C级项目"), counts["c"], _("个")],
            [_("已完成项目"), counts["done"], _("个")],
            [_("完成率"), completion, ""],
            [_("进行中项目"), counts["running"], _("个")],
            [_("未启动项目"), counts["waiting"], _("个")],
            [
                _("按时完成率"),
                current.on_time_rate,
                _("目标≥%(t)d%%") % {"t": round(on_time_target * 100)},
            ],
            [
                _("平均整改周期（天）"),
                current.avg_cycle_days,
                _("环比%(d)s天") % {"d": _signed(cycle_change)},
            ],
            [_("风险项目（红灯）"), counts["red"], _("个")],
            [_("其中超期项目"), counts["overdue"], _("个")],
        ],
        row_types=[count] * 5 + [rate] + [count] * 2 + [rate, days] + [count] * 2,
    )
    # Stores: completion rate, mean cycle, overdue.
    stores = _grouped(month, f["store"], today)
    names = dict(Store.objects.filter(pk__in=stores).values_list("pk", "name"))
    ranked = sorted(
        (
            {
                "store": names[pk],
                "total": row["total"],
                "rate": ratio(row["done"], row["total"]),
                "cycle": _days(row["cycle"]),
                "overdue": row["overdue"],
            }
            for pk, row in stores.items()
        ),
        key=lambda r: (
            -(r["rate"] or 0),
            r["cycle"] if r["cycle"] is not None else 1e9,
            r["store"],
        ),
    )
    # Top: the best three that completed something; bottom: the worst two of the rest
    # (lowest completion, then most overdue).
    top = [r for r in ranked if r["rate"]][:TOP_STORES]
    bottom = sorted(
        (r for r in ranked if r not in top),
        key=lambda r: (r["rate"] or 0, -r["overdue"], r["store"]),
    )[:BOTTOM_STORES]
    store_columns = [
        column(_("排名")),
        column(_("门店")),
        column(_("项目数"), T.INT),
        column(_("完成率"), T.PERCENT),
        column(_("平均周期（天）"), T.DECIMAL),
        column(_("超期项目"), T.INT),
    ]

    def store_rows(rows, prefix):
        return [
            [f"{prefix} {i}", r["store"], r["total"], r["rate"], r["cycle"], r["overdue"]]
            for i, r in enumerate(rows, 1)
        ]

    cases = list(
        month.filter(
            **{status: CLOSED, "closure_at__gte": period.start, "closure_at__lt": period.end}
        )
        .select_related(f["store"])
        .order_by(level, "closure_at")[:2]
    )
    # Categories of the issues the projects came from; how many stores each touches.
    labels = dict(Category.choices)
    by_category = list(
        month.values("issue__category")
        .annotate(n=Count("pk"), stores=Count(f["store"], distinct=True))
        .order_by("-n", "issue__category")
    )
    category_total = sum(row["n"] for row in by_category)
    category_rows = [
        [
            str(labels.get(row["issue__category"], _("未关联问题"))),
            row["n"],
            ratio(row["n"], category_total),
            row["stores"],
        ]
        for row in by_category
    ]
    # 普遍性问题: a category of problem that several stores share (unlinked ones aside).
    common = [
        row
        for row, raw in zip(category_rows, by_category, strict=True)
        if raw["issue__category"] and raw["stores"] >= 2
    ][:2]
    # Store tiers: completion from the grouping, on-time and cycle from the dashboards'.
    tiers = _grouped(month, f"{f['store']}__tier", today)
    tier_rows = []
    for tier in ("A", "B", "C"):
        row = tiers.get(tier, {"total": 0, "done": 0, "overdue": 0, "cycle": None})
        tier_rows.append(
            [
                _("%(t)s类门店") % {"t": tier},
                row["total"],
                ratio(row["done"], row["total"]),
                _days(row["cycle"]),
            ]
        )
    red = rectification.red_projects(projects) or []
    sections = [
        section("overview", _("一、整体数据概览"), tables=[overview]),
        section(
            "highlights",
            _("二、亮点与成绩"),
            tables=[
                table(_("优秀门店表彰"), store_columns, store_rows(top, "Top")),
                table(
                    _("典型案例分享"),
                    [
                        column(_("项目编号")),
                        column(_("门店")),
                        column(_("项目名称")),
                        column(_("级别")),
                    ],
                    [[p.number, p.store.name, p.title, p.level] for p in cases],
                ),
                table(
                    _("关键数据改善"),
                    [column(_("指标")), column(_("上月"), T.DECIMAL), column(_("本月"), T.DECIMAL)],
                    [
                        [_("按时完成率"), before.on_time_rate, current.on_time_rate],
                        [_("平均整改周期（天）"), before.avg_cycle_days, current.avg_cycle_days],
                        [_("本月闭环项目数"), before.closed, current.closed],
                    ],
                    row_types=[
                        (None, T.PERCENT, T.PERCENT),
                        (None, T.DECIMAL, T.DECIMAL),
                        (None, T.INT, T.INT),
                    ],
                ),
            ],
        ),
        section(
            "challenges",
            _("三、问题与挑战"),
            tables=[
                table(_("重点问题门店"), store_columns, store_rows(bottom, "Bottom")),
                table(
                    _("普遍性问题"),
                    [
                        column(_("问题类型")),
                        column(_("项目数"), T.INT),
                        column(_("占比"), T.PERCENT),
                        column(_("影响门店数"), T.INT),
                    ],
                    common,
                ),
            ],
        ),
        section(
            "analysis",
            _("四、数据分析"),
            tables=[
                table(
                    _("问题类型分布"),
                    [
                        column(_("问题类型")),
                        column(_("项目数"), T.INT),
                        column(_("占比"), T.PERCENT),
                        column(_("影响门店数"), T.INT),
                    ],
                    category_rows,
                ),
                table(
                    _("门店分层表现"),
                    [
                        column(_("门店分层")),
                        column(_("项目数"), T.INT),
                        column(_("平均完成率"), T.PERCENT),
                        column(_("平均周期（天）"), T.DECIMAL),
                    ],
                    tier_rows,
                ),
                table(
                    _("月度趋势"),
                    [
                        column(_("月份")),
                        column(_("到期项目"), T.INT),
                        column(_("按时完成"), T.INT),
                        column(_("按时完成率"), T.PERCENT),
                        column(_("闭环项目"), T.INT),
                        column(_("平均周期（天）"), T.DECIMAL),
                    ],
                    [
                        [
                            k.period.code,
                            k.due,
                            k.on_time,
                            k.on_time_rate,
                            k.closed,
                            k.avg_cycle_days,
                        ]
                        for k in trend
                    ],
                ),
            ],
            charts=[
                chart(
                    _("按时完成率趋势"),
                    [k.period.code for k in trend],
                    [k.on_time_rate for k in trend],
                    unit=T.PERCENT,
                ),
                chart(
                    _("平均整改周期趋势（天）"),
                    [k.period.code for k in trend],
                    [k.avg_cycle_days for k in trend],
                    unit=T.DECIMAL,
                ),
            ],
        ),
        section(
            "plan",
            _("五、下月计划"),
            tables=[
                table(
                    _("工作重点"),
                    project_columns(),
                    [_project_line(p) for p in red[:5]],
                ),
                table(
                    _("预期目标"),
                    [column(_("目标")), column(_("数值"), T.DECIMAL)],
                    [
                        [_("整体完成率 ≥"), completion],
                        [_("按时完成率 ≥"), on_time_target],
                        [_("平均整改周期（天）≤"), current.avg_cycle_days],
                    ],
                    row_types=[(None, T.PERCENT), (None, T.PERCENT), (None, T.DECIMAL)],
                ),
                table(_("重点关注门店"), store_columns, store_rows(bottom, "Bottom")),
            ],
        ),
    ]
    return {
        "summary": {
            "total": counts["total"],
            "done": counts["done"],
            "on_time_rate": current.on_time_rate,
            "avg_cycle_days": current.avg_cycle_days,
            "red": counts["red"],
            "previous": previous.code,
        },
        "sections": sections,
    }


def _signed(value) -> str:
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"
