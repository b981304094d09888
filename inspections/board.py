"""The improvement board (改进仪表盘, source 四): a row per store's latest inspection with
its findings solved / in progress / not started, the completion rate, the next follow-up
and the risk, ranked by score; plus each store's trends.

Everything a row shows is computed in the database in one query (annotations over the
latest inspection per store), so the board, its filters, the risk filter, the Excel
export and the API all read the same numbers, whatever the number of stores."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan

from .choices import (
    OPEN_RESOURCE_STATUSES,
    RED_BELOW,
    FindingStatus,
    Risk,
    Status,
    StepKind,
)
from .models import CoreMetric, FollowUpLog, FollowUpStep, Inspection, ResourceRequest


def latest_inspections(visible):
    """The latest issued inspection of every store among ``visible`` inspections."""
    latest = (
        visible.exclude(status=Status.DRAFT)
        .order_by("store_id", "-inspected_on", "-pk")
        .distinct("store_id")
        .values("pk")
    )
    return Inspection.objects.filter(pk__in=Subquery(latest))


def next_step_q() -> Q:
    """Steps still ahead: while following up, all but the experience; once accepted, the
    experience (the same steps the reminders watch)."""
    return Q(inspection__status=Status.FOLLOWING_UP) & ~Q(kind=StepKind.EXPERIENCE) | Q(
        inspection__status=Status.ACCEPTED, kind=StepKind.EXPERIENCE
    )


def annotate_rows(queryset):
    """Annotate inspections with the board's numbers (one query, no per-row work)."""
    open_request = ResourceRequest.objects.filter(
        inspection__store_id=OuterRef("store_id"), status__in=OPEN_RESOURCE_STATUSES
    )
    latest_log = FollowUpLog.objects.filter(inspection=OuterRef("pk")).order_by("-date", "-pk")
    next_step = FollowUpStep.objects.filter(
        next_step_q(), inspection=OuterRef("pk"), done_on__isnull=True
    ).order_by("due_on", "seq")
    counted = queryset.annotate(
        findings_n=Count("findings"),
        solved_n=Count("findings", filter=Q(findings__status=FindingStatus.SOLVED)),
        in_progress_n=Count("findings", filter=Q(findings__status=FindingStatus.IN_PROGRESS)),
        not_started_n=Count("findings", filter=Q(findings__status=FindingStatus.NOT_STARTED)),
        open_request=Exists(open_request),
        difficulty=Subquery(latest_log.values("needs_support")[:1], output_field=BooleanField()),
        next_follow_up_on=Subquery(next_step.values("due_on")[:1]),
    )
    return counted.annotate(
        needs_support=Case(
            When(Q(open_request=True) | Q(difficulty=True), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        completion=Case(
            When(findings_n=0, then=Value(1.0)),
            default=Cast("solved_n", FloatField()) / Cast("findings_n", FloatField()),
            output_field=FloatField(),
        ),
        # Compared on the counts (findings × 50 % > solved), exactly, not on a float.
        risk=Case(
            When(
                GreaterThan(F("findings_n") * Value(RED_BELOW), F("solved_n")),
                then=Value(Risk.RED.value),
            ),
            When(needs_support=True, then=Value(Risk.YELLOW.value)),
            default=Value(Risk.GREEN.value),
            output_field=CharField(),
        ),
    )


def board_queryset(visible):
    """The board's rows for ``visible`` inspections (``Inspection.objects.visible_to``),
    ranked by score (best first), ready for ``BoardFilterSet``."""
    return (
        annotate_rows(latest_inspections(visible))
        .select_related("store__region")
        .order_by(F("score").desc(nulls_last=True), "store__code")
    )


@dataclass
class Trend:
    """A store's trends: its inspection scores over time and the core metrics of its
    latest inspection (baseline at inspection → reading at acceptance)."""

    scores: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    metrics: list[CoreMetric] = field(default_factory=list)

    def sparkline(self, width: int = 96, height: int = 24) -> str:
        """SVG polyline points of the score trend (0–100 mapped to the box)."""
        values = [float(score) for _day, score in self.scores if score is not None]
        if len(values) < 2:
            return ""
        step = width / (len(values) - 1)
        return " ".join(
            f"{i * step:.1f},{height - (v / 100) * height:.1f}" for i, v in enumerate(values)
        )


def store_trends(visible, rows, *, points: int = 6) -> dict[int, Trend]:
    """Trends of the stores on the board (two queries whatever their number).

    The store's own metric series (NPS, waiting time, complaints pushed daily by the DMS,
    API.md "Store metrics") are not in the product yet; until they are, a store's trend
    is its inspection score history plus the core metrics its inspections recorded. This
    function is the one place to read the DMS series from once they exist."""
    rows = list(rows)
    store_ids = {row.store_id for row in rows}
    trends: dict[int, Trend] = defaultdict(Trend)
    history = (
        visible.exclude(status=Status.DRAFT)
        .filter(store_id__in=store_ids)
        .order_by("store_id", "inspected_on", "pk")
        .values_list("store_id", "inspected_on", "score")
    )
    for store_id, day, score in history:
        trends[store_id].scores.append((day, score))
    for trend in trends.values():
        trend.scores = trend.scores[-points:]
    by_inspection = {row.pk: row.store_id for row in rows}
    for metric in CoreMetric.objects.filter(inspection_id__in=by_inspection).order_by("pk"):
        trends[by_inspection[metric.inspection_id]].metrics.append(metric)
    return dict(trends)


def as_row(inspection, rank: int | None = None) -> dict:
    """A board row as plain data (API.md fields first, then additions)."""
    return {
        "store": inspection.store.code,
        "inspected_on": inspection.inspected_on,
        "findings": inspection.findings_n,
        "solved": inspection.solved_n,
        "in_progress": inspection.in_progress_n,
        "not_started": inspection.not_started_n,
        "completion_rate": round(inspection.completion, 4),
        "next_follow_up_on": inspection.next_follow_up_on,
        "risk": inspection.risk,
        "store_name": inspection.store.name,
        "region": inspection.store.region.code,
        "tier": inspection.store.tier,
        "score": inspection.score,
        "rank": rank,
        "needs_support": inspection.needs_support,
        "inspection": inspection.pk,
        "status": inspection.status,
    }
