"""Issue KPIs in the database (DOMAIN.md §9): conditional aggregation over the issues the
person asking may see, a handful of queries whatever the number of issues.

Definitions, for a period ``[start, end)`` in Beijing time; rejected and duplicate issues
never count:

- resolution rate = issues submitted in the period that are resolved or closed at its
  end ÷ issues submitted in the period;
- average resolution time = mean days from submission to resolution over the issues
  resolved in the period;
- backlog = issues open at the period's end: submitted before it and neither resolved
  nor closed by then (the stored timestamps say when);
- response rate per priority = issues whose response fell due in the period (up to now
  while the period runs) and were answered by their stored due time ÷ those that fell
  due; the same per department. The priority is the issue's, or its suggested priority
  while it waits for triage (the one its response clock runs on).

An issue reopened after the period's end carries no resolution time any more (the
reopen clears it, see ``issues.services.reopen``): it counts as open at that end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError
from closedloop.org.choices import StoreTier
from closedloop.org.models import Department, Region
from issues.choices import VOID_STATUSES, Category, Priority
from issues.models import Issue, SystemicIssue

from .kpi import ratio
from .periods import Period

PRIORITIES = tuple(Priority.values)
SECONDS_PER_DAY = Decimal(86400)

#: Resolution-time distribution buckets: (key, label, upper bound in days or None).
RESOLUTION_BUCKETS = [
    ("d1", "≤1", 1),
    ("d3", "1–3", 3),
    ("d7", "3–7", 7),
    ("d15", "7–15", 15),
    ("d30", "15–30", 30),
    ("more", ">30", None),
]


@dataclass(frozen=True)
class Slices:
    """Optional slices of the issues: region code, store tier, department code,
    category code."""

    region: str = ""
    tier: str = ""
    department: str = ""
    category: str = ""

    @classmethod
    def from_params(cls, params) -> Slices:
        """Read and check ``region``, ``tier``, ``department``, ``category``; an unknown
        value is a ``DomainError`` on its parameter (400 / a message on the page)."""
        values = {name: (params.get(name) or "").strip() for name in cls.__dataclass_fields__}
        errors = {}
        for name, value in values.items():
            # A code never holds NUL (PostgreSQL text cannot) nor runs this long.
            if "\x00" in value or len(value) > 64:
                errors[name] = [_("参数值无效。")]
                values[name] = ""
        if values["tier"] and values["tier"] not in StoreTier.values:
            errors["tier"] = [_("门店分层应为 A、B 或 C。")]
        if values["category"] and values["category"] not in Category.values:
            errors["category"] = [_("问题分类无效。")]
        # Region and department codes: a lookup each, only when given.
        for model, name in ((Region, "region"), (Department, "department")):
            if values[name] and not model.objects.filter(code=values[name]).exists():
                errors[name] = [
                    _("区域“%(c)s”不存在。") % {"c": values[name]}
                    if name == "region"
                    else _("部门“%(c)s”不存在。") % {"c": values[name]}
                ]
        if errors:
            raise DomainError(next(iter(errors.values()))[0], errors=errors)
        return cls(**values)

    def apply(self, issues):
        if self.region:
            issues = issues.filter(store__region__code=self.region)
        if self.tier:
            issues = issues.filter(store__tier=self.tier)
        if self.department:
            issues = issues.filter(department__code=self.department)
        if self.category:
            issues = issues.filter(category=self.category)
        return issues

    def query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    @property
    def active(self) -> bool:
        return any(self.__dict__.values())


def counted_issues(user, slices: Slices | None = None):
    """The issues that count for ``user``: visible to them, in the slices, never
    rejected or duplicate."""
    issues = Issue.objects.visible_to(user).exclude(status__in=VOID_STATUSES)
    return (slices or Slices()).apply(issues)


# --- building blocks (Q objects over one issue row) --------------------------------------


def submitted_in(period: Period) -> Q:
    return Q(submitted_at__gte=period.start, submitted_at__lt=period.end)


def done_by(moment: dt.datetime) -> Q:
    """Resolved or closed before ``moment``."""
    return Q(resolved_at__lt=moment) | Q(closed_at__lt=moment)


def not_done_by(moment: dt.datetime) -> Q:
    """Neither resolved nor closed before ``moment`` (a missing time is not done)."""
    return (Q(resolved_at__isnull=True) | Q(resolved_at__gte=moment)) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=moment)
    )


def open_at(moment: dt.datetime) -> Q:
    """Submitted before ``moment`` and neither resolved nor closed by then."""
    return Q(submitted_at__lt=moment) & not_done_by(moment)


def resolved_in(period: Period) -> Q:
    return Q(resolved_at__gte=period.start, resolved_at__lt=period.end)


def of_priority(priority: str) -> Q:
    """The priority the response clock runs on: the issue's, or the suggested one
    before triage."""
    return Q(priority=priority) | Q(priority="", suggested_priority=priority)


def response_fell_due(period: Period, now: dt.datetime) -> Q:
    return Q(response_due_at__gte=period.start, response_due_at__lt=period.elapsed_end(now))


ANSWERED_IN_TIME = Q(first_response_at__isnull=False, first_response_at__lte=F("response_due_at"))
RESOLUTION_TIME = ExpressionWrapper(
    F("resolved_at") - F("submitted_at"), output_field=DurationField()
)


# --- results -----------------------------------------------------------------------------


@dataclass
class ResponseRate:
    due: int
    met: int

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.met, self.due)


@dataclass
class IssueKpis:
    period: Period
    submitted: int = 0
    solved: int = 0  # of those submitted, resolved or closed at the end
    resolved: int = 0  # resolved in the period
    avg_resolution_days: Decimal | None = None
    backlog: int = 0
    response: dict[str, ResponseRate] = field(default_factory=dict)

    @property
    def resolution_rate(self) -> Decimal | None:
        return ratio(self.solved, self.submitted)

    def response_rate(self, priority: str) -> Decimal | None:
        entry = self.response.get(priority)
        return entry.rate if entry else None


def _days(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / SECONDS_PER_DAY).quantize(Decimal("0.01"))


def issue_kpis(
    issues,
    periods: list[Period],
    *,
    now: dt.datetime | None = None,
    response: bool = True,
    averages: bool = True,
) -> list[IssueKpis]:
    """The issue KPIs of each period, in one aggregate query over ``issues`` (already
    scoped, see :func:`counted_issues`). ``response=False`` and ``averages=False`` leave
    the response rates and the average resolution time out (the backlog-over-time series
    needs neither)."""
    now = now or timezone.now()
    aggregates = {}
    for i, period in enumerate(periods):
        aggregates[f"submitted_{i}"] = Count("pk", filter=submitted_in(period))
        aggregates[f"solved_{i}"] = Count("pk", filter=submitted_in(period) & done_by(period.end))
        aggregates[f"resolved_{i}"] = Count("pk", filter=resolved_in(period))
        if averages:
            aggregates[f"avg_{i}"] = Avg(RESOLUTION_TIME, filter=resolved_in(period))
        aggregates[f"backlog_{i}"] = Count("pk", filter=open_at(period.end))
        if response:
            fell_due = response_fell_due(period, now)
            for priority in PRIORITIES:
                due = fell_due & of_priority(priority)
                aggregates[f"due_{priority}_{i}"] = Count("pk", filter=due)
                aggregates[f"met_{priority}_{i}"] = Count("pk", filter=due & ANSWERED_IN_TIME)
    latest_end = max(p.end for p in periods)
    earliest = min(p.start for p in periods)
    # Rows that can count in no period are left out before aggregating: submitted,
    # answered-due and done all before the first period began (most of a long history).
    relevant = (
        Q(submitted_at__gte=earliest)
        | Q(response_due_at__gte=earliest)
        | Q(resolved_at__gte=earliest)
        | not_done_by(earliest)
    )
    row = issues.filter(relevant, submitted_at__lt=latest_end).aggregate(**aggregates)
    results = []
    for i, period in enumerate(periods):
        results.append(
            IssueKpis(
                period=period,
                submitted=row[f"submitted_{i}"],
                solved=row[f"solved_{i}"],
                resolved=row[f"resolved_{i}"],
                avg_resolution_days=_days(row.get(f"avg_{i}")),
                backlog=row[f"backlog_{i}"],
                response={
                    p: ResponseRate(row[f"due_{p}_{i}"], row[f"met_{p}_{i}"]) for p in PRIORITIES
                }
                if response
                else {},
            )
        )
    return results


@dataclass
class DepartmentResponse:
    code: str
    name: str
    due: int
    met: int
    by_priority: dict[str, ResponseRate]

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.met, self.due)


def department_response(issues, period: Period, *, now=None) -> list[DepartmentResponse]:
    """部门响应率: per department, the issues whose response fell due in the period and
    were answered in time (one grouped query). Issues not yet routed to a department
    are left out (no department owes their response yet)."""
    now = now or timezone.now()
    aggregates = {"due": Count("pk"), "met": Count("pk", filter=ANSWERED_IN_TIME)}
    for priority in PRIORITIES:
        aggregates[f"due_{priority}"] = Count("pk", filter=of_priority(priority))
        aggregates[f"met_{priority}"] = Count("pk", filter=of_priority(priority) & ANSWERED_IN_TIME)
    rows = (
        issues.filter(response_fell_due(period, now), department__isnull=False)
        .values("department__code", "department__name")
        .annotate(**aggregates)
        .order_by("department__code")
    )
    return [
        DepartmentResponse(
            code=row["department__code"],
            name=row["department__name"],
            due=row["due"],
            met=row["met"],
            by_priority={p: ResponseRate(row[f"due_{p}"], row[f"met_{p}"]) for p in PRIORITIES},
        )
        for row in rows
    ]


def category_pareto(issues, period: Period) -> list[dict]:
    """问题分类 Pareto: issues submitted in the period per category, largest first, with
    each share and the cumulative share (one grouped query)."""
    rows = list(
        issues.filter(submitted_in(period))
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")
    )
    total = sum(row["n"] for row in rows)
    labels = dict(Category.choices)
    cumulative = 0
    result = []
    for row in rows:
        cumulative += row["n"]
        result.append(
            {
                "category": row["category"],
                "label": str(labels.get(row["category"], row["category"])),
                "count": row["n"],
                "share": ratio(row["n"], total),
                "cumulative": ratio(cumulative, total),
            }
        )
    return result


def resolution_distribution(issues, period: Period) -> list[dict]:
    """How long the issues resolved in the period took, in day buckets (one query)."""
    aggregates = {}
    lower = None
    for key, _label, upper in RESOLUTION_BUCKETS:
        q = Q()
        if lower is not None:
            q &= Q(took__gt=dt.timedelta(days=lower))
        if upper is not None:
            q &= Q(took__lte=dt.timedelta(days=upper))
        aggregates[key] = Count("pk", filter=q)
        lower = upper
    row = issues.filter(resolved_in(period)).annotate(took=RESOLUTION_TIME).aggregate(**aggregates)
    total = sum(row.values())
    return [
        {
            "bucket": key,
            "label": _("%(b)s 天") % {"b": label},
            "count": row[key],
            "share": ratio(row[key], total),
        }
        for key, label, _upper in RESOLUTION_BUCKETS
    ]


def systemic_counts(user) -> dict[str, int]:
    """系统性改进, as the source counts them: identified (all), pushed to HQ (pushed, in
    progress or landed), landed, and still being pushed (pushed or in progress)."""
    from issues.choices import SystemicStatus as S

    return SystemicIssue.objects.visible_to(user).aggregate(
        identified=Count("pk"),
        pushed=Count("pk", filter=Q(status__in=[S.PUSHED, S.IN_PROGRESS, S.LANDED])),
        landed=Count("pk", filter=Q(status=S.LANDED)),
        in_progress=Count("pk", filter=Q(status__in=[S.PUSHED, S.IN_PROGRESS])),
    )
