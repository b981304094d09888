"""The rollout view (试点 · 分批推广): stores by batch and go-live date, and each batch's
KPIs in the weeks before its stores went live against the weeks after, checked against
the source's pilot criteria (问题解决率 +20 pp, 平均解决时长 −30 %, 门店满意度 +20 分).

Each store is compared around its own go-live date (Beijing midnight), all in the
database: one grouped query for the issues, one for the stores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Min,
    Q,
    Value,
)
from django.db.models.functions import Least
from django.utils import timezone

from closedloop.org.models import Store

from . import metrics, store_metrics
from .choices import (
    PILOT_AVG_TIME_CHANGE,
    PILOT_RESOLUTION_RATE_GAIN,
    PILOT_SATISFACTION_GAIN,
    ROLLOUT_WINDOW_DAYS,
)
from .kpi import ratio
from .metrics import RESOLUTION_TIME


class LocalMidnight(Func):
    """A date column as the moment its day begins in Beijing (timestamptz)."""

    template = "((%(expressions)s)::timestamp AT TIME ZONE 'Asia/Shanghai')"
    output_field = DateTimeField()


def _window(issues_go_live: str, days: int, now: dt.datetime):
    go_live = LocalMidnight(F(issues_go_live))
    span = Value(dt.timedelta(days=days), output_field=DurationField())
    before_start = ExpressionWrapper(go_live - span, output_field=DateTimeField())
    after_end = Least(
        ExpressionWrapper(go_live + span, output_field=DateTimeField()),
        Value(now, output_field=DateTimeField()),
    )
    return go_live, before_start, after_end


@dataclass
class Side:
    submitted: int
    solved: int
    resolved: int
    avg_days: Decimal | None
    satisfaction: Decimal | None = None

    @property
    def resolution_rate(self):
        return ratio(self.solved, self.submitted)


@dataclass
class Batch:
    name: str
    stores: int
    first_go_live: dt.date | None
    last_go_live: dt.date | None
    before: Side
    after: Side
    store_rows: list = field(default_factory=list)

    @property
    def rate_gain(self) -> Decimal | None:
        a, b = self.after.resolution_rate, self.before.resolution_rate
        return None if a is None or b is None else a - b

    @property
    def time_change(self) -> Decimal | None:
        a, b = self.after.avg_days, self.before.avg_days
        if a is None or not b:
            return None
        return (a - b) / b

    @property
    def satisfaction_gain(self) -> Decimal | None:
        a, b = self.after.satisfaction, self.before.satisfaction
        return None if a is None or b is None else a - b

    @property
    def checks(self) -> dict[str, bool | None]:
        gain, change, sat = self.rate_gain, self.time_change, self.satisfaction_gain
        return {
            "resolution_rate": None
            if gain is None
            else gain >= Decimal(str(PILOT_RESOLUTION_RATE_GAIN)),
            "avg_time": None if change is None else change <= Decimal(str(PILOT_AVG_TIME_CHANGE)),
            "satisfaction": None if sat is None else sat >= PILOT_SATISFACTION_GAIN,
        }

    @property
    def passed(self) -> bool | None:
        """All criteria that can be measured are met; None when none can."""
        known = [v for v in self.checks.values() if v is not None]
        return all(known) if known else None


def _days(value):
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / Decimal(86400)).quantize(Decimal("0.01"))


def batches(user, *, days: int = ROLLOUT_WINDOW_DAYS, now=None) -> list[Batch]:
    now = now or timezone.now()
    stores = Store.objects.visible_to(user).filter(go_live_date__isnull=False)
    store_rows = list(
        stores.select_related("region").order_by("go_live_date", "rollout_batch", "code")
    )
    summary = {
        row["rollout_batch"]: row
        for row in stores.values("rollout_batch").annotate(
            n=Count("pk"), first=Min("go_live_date"), last=Max("go_live_date")
        )
    }
    go_live, before_start, after_end = _window("store__go_live_date", days, now)
    before = Q(submitted_at__gte=before_start, submitted_at__lt=go_live)
    after = Q(submitted_at__gte=go_live, submitted_at__lt=after_end)
    resolved_before = Q(resolved_at__gte=before_start, resolved_at__lt=go_live)
    resolved_after = Q(resolved_at__gte=go_live, resolved_at__lt=after_end)
    done_before = Q(resolved_at__lt=go_live) | Q(closed_at__lt=go_live)
    done_after = Q(resolved_at__lt=after_end) | Q(closed_at__lt=after_end)
    issues = metrics.counted_issues(user).filter(store__go_live_date__isnull=False)
    rows = {
        row["store__rollout_batch"]: row
        for row in issues.values("store__rollout_batch").annotate(
            b_sub=Count("pk", filter=before),
            b_solved=Count("pk", filter=before & done_before),
            b_res=Count("pk", filter=resolved_before),
            b_avg=Avg(RESOLUTION_TIME, filter=resolved_before),
            a_sub=Count("pk", filter=after),
            a_solved=Count("pk", filter=after & done_after),
            a_res=Count("pk", filter=resolved_after),
            a_avg=Avg(RESOLUTION_TIME, filter=resolved_after),
        )
    }
    satisfaction = _satisfaction(user, days, now)
    result = []
    for name, info in sorted(summary.items(), key=lambda kv: (kv[1]["first"], kv[0])):
        row = rows.get(name, {})
        sat = satisfaction.get(name, {}) if satisfaction is not None else {}
        result.append(
            Batch(
                name=name,
                stores=info["n"],
                first_go_live=info["first"],
                last_go_live=info["last"],
                before=Side(
                    row.get("b_sub", 0),
                    row.get("b_solved", 0),
                    row.get("b_res", 0),
                    _days(row.get("b_avg")),
                    sat.get("before"),
                ),
                after=Side(
                    row.get("a_sub", 0),
                    row.get("a_solved", 0),
                    row.get("a_res", 0),
                    _days(row.get("a_avg")),
                    sat.get("after"),
                ),
                store_rows=[s for s in store_rows if s.rollout_batch == name],
            )
        )
    return result


def _satisfaction(user, days: int, now) -> dict | None:
    """Mean store satisfaction (DMS) per batch before and after go-live, or None when
    the DMS metrics are not there (one grouped query)."""
    model = store_metrics.reading_model()
    if model is None:
        return None
    f = store_metrics.FIELDS
    store = f["store"]
    code_path = store_metrics._metric_code_path(model)
    go_live = F(f"{store}__go_live_date")
    span = dt.timedelta(days=days)
    before = Q(**{f"{f['date']}__gte": go_live - span, f"{f['date']}__lt": go_live})
    after = Q(**{f"{f['date']}__gte": go_live, f"{f['date']}__lt": go_live + span}) & Q(
        **{f"{f['date']}__lte": timezone.localdate(now)}
    )
    rows = (
        model._default_manager.filter(
            **{
                f"{store}__in": Store.objects.visible_to(user).values("pk"),
                f"{store}__go_live_date__isnull": False,
                code_path: "satisfaction",
            }
        )
        .values(f"{store}__rollout_batch")
        .annotate(before=Avg(f["value"], filter=before), after=Avg(f["value"], filter=after))
    )

    def dec(v):
        return None if v is None else Decimal(str(v)).quantize(Decimal("0.1"))

    return {
        r[f"{store}__rollout_batch"]: {"before": dec(r["before"]), "after": dec(r["after"])}
        for r in rows
    }
