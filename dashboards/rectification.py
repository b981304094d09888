"""Rectification metrics (DOMAIN.md §9): on-time completion rate, average cycle, counts
by level and state, red projects, tracking due today.

The ``rectification`` app is built in parallel and is not a dependency of this one: its
project model is looked up lazily (``apps.is_installed`` / ``apps.get_model``), and every
function here answers ``None`` (the pages then say the module is not enabled) until a
model with the fields below exists. The functions take a queryset, so the caller scopes
it (``Project.objects.visible_to(user)``).

The fields expected on the project model (API.md "Rectification" names them so), by
role; adapt :data:`FIELDS` if the model spells one differently:
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from .kpi import ratio
from .periods import ZONE, Period

#: The model's candidate labels, first found wins.
MODEL_LABELS = ("rectification.Project", "rectification.RectificationProject")
#: role -> field name on the project model.
FIELDS = {
    "number": "number",  # REF-YYYY-NNN
    "title": "title",
    "store": "store",  # FK to org.Store
    "level": "level",  # A | B | C
    "status": "status",  # draft … closed | cancelled
    "health": "health",  # green | yellow | red
    "next_tracking_on": "next_tracking_on",  # date the next tracking log is due
    "ops": "ops_specialist",  # FK to the ops specialist
    # Optional: without them the on-time rate and the average cycle stay empty.
    "planned_closure": "closure_on",  # date: the plan's closure date
    "kicked_off_at": "kicked_off_at",  # datetime of the third signature
    # The moment of closure: the project model has no closure column; it is the time of
    # the status history's move to ``closed`` (reverse relation to the events, each with
    # ``at`` and ``to_status``).
    "events": "events",
}
#: The roles the on-time rate and the average cycle need.
OPTIONAL = ("planned_closure", "kicked_off_at", "events")
CLOSED, CANCELLED = "closed", "cancelled"
#: Shown instead of the on-time rate while no visible project has closed yet (acceptance
#: and closure arrive after the projects themselves).
NO_CLOSURE = _("暂无已闭环项目")
#: Statuses in which tracking logs are due (execution and observation).
TRACKED = ("executing", "observing")
ON_TIME_TARGET = 0.85

if __doc__:  # list the contract in the module's documentation
    __doc__ += "".join(f"\n- ``{name}``: {role}" for role, name in FIELDS.items())


def _has(model, role: str) -> bool:
    try:
        model._meta.get_field(FIELDS[role])
    except FieldDoesNotExist:
        return False
    return True


def project_model():
    """The rectification project model, or None while the app or a required field is
    missing."""
    if not apps.is_installed("rectification"):
        return None
    for label in MODEL_LABELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if all(_has(model, role) for role in FIELDS if role not in OPTIONAL):
            return model
        return None
    return None


def measures_closure(model) -> bool:
    """Whether the model records planned and actual closure (for the on-time rate)."""
    return model is not None and all(_has(model, role) for role in OPTIONAL)


def available() -> bool:
    return project_model() is not None


def visible_projects(user):
    """The projects ``user`` may see, or None when the module is not there."""
    model = project_model()
    if model is None:
        return None
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        return manager.visible_to(user)
    return manager.none()  # a project model without visibility shows nothing


@dataclass
class RectificationKpis:
    period: Period
    due: int | None  # planned closure in the period (cancelled left out)
    on_time: int | None  # of those, closed by the planned closure date
    closed: int | None  # closed in the period
    avg_cycle_days: float | None  # kick-off → closure, over those closed in the period
    projects: object  # the scoped queryset, for the counts by level and state on demand
    red: int
    ever_closed: int | None = None  # visible projects closed at any time

    @cached_property
    def by_level_status(self) -> list[dict]:
        """Counts by level and state (one query, run only where shown)."""
        level, status = _f("level"), _f("status")
        return list(
            self.projects.values(level, status).annotate(n=Count("pk")).order_by(level, status)
        )

    @property
    def on_time_rate(self):
        if not self.ever_closed:
            return None
        return ratio(self.on_time, self.due)

    @property
    def on_time_note(self):
        """Why the on-time rate is empty although the module is on (None otherwise)."""
        return NO_CLOSURE if self.due is not None and not self.ever_closed else None


def _f(role: str) -> str:
    return FIELDS[role]


def closure_moments(model):
    """The moment each project moved to ``closed`` (its last such move), as a subquery
    on the status history."""
    events = model._meta.get_field(_f("events")).related_model
    link = model._meta.get_field(_f("events")).field.name
    return Subquery(
        events._default_manager.filter(**{link: OuterRef("pk"), "to_status": CLOSED})
        .order_by("-at")
        .values("at")[:1]
    )


def kpis(projects, period: Period) -> RectificationKpis | None:
    """On-time completion rate, average cycle and red count for ``period`` (one query)."""
    if projects is None:
        return None
    return kpis_for(projects, [period])[0]


def kpis_for(projects, periods: list[Period]) -> list[RectificationKpis] | None:
    """:func:`kpis` for several periods in one grouped query (the board's current and
    previous period)."""
    if projects is None:
        return None
    status = _f("status")
    red = Q(**{_f("health"): "red"}) & ~Q(**{f"{status}__in": [CLOSED, CANCELLED]})
    aggregates = {"red": Count("pk", filter=red)}
    base = projects
    closure = measures_closure(projects.model)
    if closure:
        planned, closed_at, kicked_off = _f("planned_closure"), "closure_at", _f("kicked_off_at")
        # Only projects whose status is closed count (a reopened one has moved on).
        closed_now = Q(**{status: CLOSED})
        projects = projects.annotate(closure_at=closure_moments(projects.model)).annotate(
            closed_on=TruncDate(closed_at, tzinfo=ZONE)
        )
        cycle = ExpressionWrapper(F(closed_at) - F(kicked_off), output_field=DurationField())
        aggregates["ever_closed"] = Count("pk", filter=closed_now)
        for i, period in enumerate(periods):
            due = Q(
                **{f"{planned}__gte": period.first_day, f"{planned}__lte": period.last_day}
            ) & ~Q(**{status: CANCELLED})
            # Closed by the end of the planned closure day: the Beijing date of the closure
            # is on or before the planned date (a column, so compared in the database).
            on_time = due & closed_now & Q(closed_on__lte=F(planned))
            closed_in = closed_now & Q(
                **{f"{closed_at}__gte": period.start, f"{closed_at}__lt": period.end}
            )
            aggregates.update(
                {
                    f"due_{i}": Count("pk", filter=due),
                    f"on_time_{i}": Count("pk", filter=on_time),
                    f"closed_{i}": Count("pk", filter=closed_in),
                    f"cycle_{i}": Avg(
                        cycle, filter=closed_in & Q(**{f"{kicked_off}__isnull": False})
                    ),
                }
            )
    row = projects.aggregate(**aggregates)
    result = []
    for i, period in enumerate(periods):
        cycle = row.get(f"cycle_{i}")
        result.append(
            RectificationKpis(
                period=period,
                due=row.get(f"due_{i}"),
                on_time=row.get(f"on_time_{i}"),
                closed=row.get(f"closed_{i}"),
                avg_cycle_days=cycle.total_seconds() / 86400 if cycle else None,
                projects=base,
                red=row["red"],
                ever_closed=row.get("ever_closed"),
            )
        )
    return result


def red_projects(projects, *, limit: int = 20):
    """Red (严重延迟 or past a deadline) projects still open, most severe level first."""
    if projects is None:
        return None
    status = _f("status")
    return list(
        projects.filter(**{_f("health"): "red"})
        .exclude(**{f"{status}__in": [CLOSED, CANCELLED]})
        .select_related(_f("store"))
        .order_by(_f("level"), _f("next_tracking_on"), "pk")[:limit]
    )


def tracking_due(projects, day: dt.date, *, limit: int = 20):
    """Projects whose next tracking log is due on or before ``day`` (the ops
    specialist's "tracking due today")."""
    if projects is None:
        return None
    return list(
        projects.filter(**{f"{_f('next_tracking_on')}__lte": day, f"{_f('status')}__in": TRACKED})
        .select_related(_f("store"))
        .order_by(_f("next_tracking_on"), "pk")[:limit]
    )


def project_attr(project, role: str):
    return getattr(project, FIELDS[role])
