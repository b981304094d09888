"""Store metrics from the DMS (NPS, satisfaction, waiting time …) on the board, with
their trends (DOMAIN.md §9).

The readings are stored by the ``integrations`` app (``POST /metrics/``, built in
parallel, not a dependency of this one): its model is looked up lazily and every
function answers ``None`` until it exists. Expected: a model with a store foreign key,
a date, a numeric value and the metric's code (a code field, or a foreign key to a
definition that has ``code``); adapt :data:`FIELDS` if it is spelt differently."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Avg, Count, Q

from closedloop.org.models import Store

from .choices import Metric
from .periods import Period

MODEL_LABELS = ("integrations.StoreMetric", "integrations.MetricReading")
FIELDS = {"store": "store", "date": "date", "value": "value", "metric": "metric"}
#: Board metric -> the DMS metric code (API.md "Store metrics").
BOARD_METRICS = {
    Metric.STORE_NPS: "nps",
    Metric.STORE_SATISFACTION: "satisfaction",
    Metric.STORE_WAITING_MINUTES: "waiting_minutes",
}


def reading_model():
    if not apps.is_installed("integrations"):
        return None
    for label in MODEL_LABELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        try:
            for name in FIELDS.values():
                model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        return model
    return None


def available() -> bool:
    return reading_model() is not None


def _metric_code_path(model) -> str:
    field = model._meta.get_field(FIELDS["metric"])
    return f"{field.name}__code" if field.is_relation else field.name


@dataclass
class StoreMetricValue:
    code: str
    value: Decimal | None
    readings: int


def averages(user, periods: list[Period], *, stores=None, codes=None) -> list[dict] | None:
    """Per period, the mean reading of each metric over the stores ``user`` may see (or
    ``stores``, a queryset of them): ``[{code: StoreMetricValue}, …]`` in the order of
    ``periods`` (one grouped query), or None when the module is not there."""
    model = reading_model()
    if model is None:
        return None
    codes = list(codes or BOARD_METRICS.values())
    code_path = _metric_code_path(model)
    visible = stores if stores is not None else Store.objects.visible_to(user)
    date, value = FIELDS["date"], FIELDS["value"]
    aggregates = {}
    for i, period in enumerate(periods):
        within = Q(**{f"{date}__gte": period.first_day, f"{date}__lte": period.last_day})
        aggregates[f"avg_{i}"] = Avg(value, filter=within)
        aggregates[f"n_{i}"] = Count("pk", filter=within)
    rows = (
        model._default_manager.filter(
            **{f"{FIELDS['store']}__in": visible.values("pk"), f"{code_path}__in": codes}
        )
        .values(code_path)
        .annotate(**aggregates)
        .order_by(code_path)
    )
    result = [{} for _p in periods]
    for row in rows:
        for i in range(len(periods)):
            avg = row[f"avg_{i}"]
            result[i][row[code_path]] = StoreMetricValue(
                row[code_path],
                Decimal(str(avg)).quantize(Decimal("0.01")) if avg is not None else None,
                row[f"n_{i}"],
            )
    return result
