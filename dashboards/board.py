"""The KPI board and the process metrics, assembled from the database aggregates
(``metrics``, ``meetings``, the guarded ``rectification`` and ``store_metrics``) and the
pure functions of ``kpi``. A fixed number of queries whatever the number of issues."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from . import meetings, metrics, rectification, store_metrics
from .choices import (
    DEFAULT_RESPONSE_TARGETS,
    DEFAULT_TARGETS,
    METRIC_INFO,
    Method,
    Metric,
)
from .kpi import TrendArrow, achievement_rate, deviation, trend
from .metrics import PRIORITIES, Slices
from .models import KpiTarget
from .periods import Period, series

#: The board's order of metrics (the source's table first).
ORDER = list(Metric.values)
#: The overview cards (shown with or without a target).
HEADLINE = [
    Metric.RESOLUTION_RATE,
    Metric.AVG_RESOLUTION_DAYS,
    Metric.BACKLOG,
    Metric.SUBMITTED,
]
#: How many periods the "over time" charts show.
SERIES_LENGTH = 12


def response_metric(priority: str) -> str:
    return f"response_rate_{priority}"


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass
class BoardRow:
    metric: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    previous: Decimal | None
    direction: str
    method: str = Method.STANDARD
    valid_from: dt.date | None = None
    achievement: Decimal | None = None
    trend: TrendArrow | None = None
    deviation: str | None = None
    #: What the rate counts over (e.g. responses due), where that helps the reader.
    count: int | None = None

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)

    @property
    def unit(self) -> str:
        return METRIC_INFO[self.metric][0]


def make_row(metric, *, current, previous, target=None, default_target=None) -> BoardRow:
    """One line of the board: a target row (baseline, target, achievement, deviation)
    when a target is given, else the values and the trend only."""
    natural = METRIC_INFO[metric][1]
    if target is not None:
        row = BoardRow(
            metric=metric,
            baseline=target.baseline,
            target=target.target,
            current=_dec(current),
            previous=_dec(previous),
            direction=target.direction,
            method=target.method,
            valid_from=target.valid_from,
        )
    else:
        row = BoardRow(
            metric=metric,
            baseline=None,
            target=_dec(default_target),
            current=_dec(current),
            previous=_dec(previous),
            direction=natural,
        )
    if row.target is not None:
        row.achievement = achievement_rate(
            current=row.current,
            target=row.target,
            baseline=row.baseline,
            direction=row.direction,
            method=row.method,
        )
        row.deviation = deviation(row.achievement)
    row.trend = trend(current=row.current, previous=row.previous, direction=row.direction)
    return row


@dataclass
class Board:
    period: Period
    previous_period: Period
    slices: Slices
    kpis: metrics.IssueKpis
    previous_kpis: metrics.IssueKpis
    meeting: meetings.MeetingMeasures
    previous_meeting: meetings.MeetingMeasures
    rectification: rectification.RectificationKpis | None
    previous_rectification: rectification.RectificationKpis | None
    store: dict | None
    previous_store: dict | None
    targets: dict[str, KpiTarget]
    departments: list[metrics.DepartmentResponse] = field(default_factory=list)
    values: dict[str, tuple] = field(default_factory=dict)
    rows: list[BoardRow] = field(default_factory=list)

    def row(self, metric: str) -> BoardRow:
        """The metric's line: with its target if one is in force, else values only."""
        current, previous = self.values.get(metric, (None, None))
        return make_row(
            metric,
            current=current,
            previous=previous,
            target=self.targets.get(metric),
            default_target=DEFAULT_TARGETS.get(metric),
        )

    @property
    def headline(self) -> list[BoardRow]:
        return [self.row(metric) for metric in HEADLINE]

    def response_target(self, priority: str) -> Decimal:
        target = self.targets.get(response_metric(priority))
        if target is not None:
            return target.target
        return Decimal(str(DEFAULT_RESPONSE_TARGETS[priority]))

    @property
    def response_rows(self) -> list[BoardRow]:
        rows = []
        for priority in PRIORITIES:
            metric = response_metric(priority)
            current, previous = self.values[metric]
            row = make_row(
                metric,
                current=current,
                previous=previous,
                target=self.targets.get(metric),
                default_target=DEFAULT_RESPONSE_TARGETS[priority],
            )
            row.count = self.kpis.response[priority].due
            rows.append(row)
        return rows

    @property
    def store_rows(self) -> list[BoardRow]:
        if self.store is None:
            return []
        return [self.row(metric) for metric in store_metrics.BOARD_METRICS]

    @property
    def meeting_rows(self) -> list[BoardRow]:
        return [
            self.row(m)
            for m in (Metric.MEETING_ATTENDANCE, Metric.DECISION_CLARITY, Metric.ACTION_COMPLETION)
        ]


def _values(kpis, meeting, rect, store) -> dict[str, object]:
    values = {
        Metric.RESOLUTION_RATE: kpis.resolution_rate,
        Metric.AVG_RESOLUTION_DAYS: kpis.avg_resolution_days,
        Metric.BACKLOG: kpis.backlog,
        Metric.SUBMITTED: kpis.submitted,
        Metric.MEETING_ATTENDANCE: meeting.attendance_rate,
        Metric.DECISION_CLARITY: meeting.clarity_rate,
        Metric.ACTION_COMPLETION: meeting.completion_rate,
    }
    for priority in PRIORITIES:
        values[response_metric(priority)] = kpis.response_rate(priority)
    if rect is not None:
        values[Metric.RECTIFICATION_ON_TIME] = rect.on_time_rate
        values[Metric.RECTIFICATION_AVG_CYCLE] = (
            Decimal(str(round(rect.avg_cycle_days, 2))) if rect.avg_cycle_days is not None else None
        )
    if store is not None:
        for metric, code in store_metrics.BOARD_METRICS.items():
            entry = store.get(code)
            values[metric] = entry.value if entry else None
    return values


def build_board(
    user,
    period: Period,
    slices: Slices | None = None,
    *,
    now: dt.datetime | None = None,
    departments: bool = True,
) -> Board:
    """The board of ``period`` for ``user`` (their visible issues, in the slices)."""
    now = now or timezone.now()
    slices = slices or Slices()
    previous = period.previous()
    issues = metrics.counted_issues(user, slices)
    current_kpis, previous_kpis = metrics.issue_kpis(issues, [period, previous], now=now)
    current_meeting, previous_meeting = meetings.measures([period, previous], now=now)
    projects = rectification.visible_projects(user)
    rect, previous_rect = rectification.kpis_for(projects, [period, previous]) or (None, None)
    store = store_metrics.averages(user, [period, previous])
    targets = {t.metric: t for t in KpiTarget.objects.in_force(period.last_day)}
    board = Board(
        period=period,
        previous_period=previous,
        slices=slices,
        kpis=current_kpis,
        previous_kpis=previous_kpis,
        meeting=current_meeting,
        previous_meeting=previous_meeting,
        rectification=rect,
        previous_rectification=previous_rect,
        store=store[0] if store is not None else None,
        previous_store=store[1] if store is not None else None,
        targets=targets,
        departments=metrics.department_response(issues, period, now=now) if departments else [],
    )
    now_values = _values(current_kpis, current_meeting, rect, board.store)
    then_values = _values(previous_kpis, previous_meeting, previous_rect, board.previous_store)
    board.values = {m: (now_values.get(m), then_values.get(m)) for m in ORDER}
    board.rows = [
        make_row(m, current=now_values.get(m), previous=then_values.get(m), target=targets[m])
        for m in ORDER
        if m in targets
    ]
    return board


# --- process metrics ------------------------------------------------------------------------


@dataclass
class Process:
    board: Board
    systemic: dict
    pareto: list[dict]
    distribution: list[dict]
    series: list[metrics.IssueKpis]
    store_series: list[dict] | None
    series_periods: list[Period]
    red_projects: list | None


def build_process(user, period: Period, slices: Slices | None = None, *, now=None) -> Process:
    now = now or timezone.now()
    board = build_board(user, period, slices, now=now)
    issues = metrics.counted_issues(user, board.slices)
    periods = series(period, SERIES_LENGTH)
    return Process(
        board=board,
        systemic=metrics.systemic_counts(user),
        pareto=metrics.category_pareto(issues, period),
        distribution=metrics.resolution_distribution(issues, period),
        series=metrics.issue_kpis(issues, periods, now=now, response=False, averages=False),
        store_series=store_metrics.averages(user, periods),
        series_periods=periods,
        red_projects=rectification.red_projects(rectification.visible_projects(user)),
    )
