"""Store metrics (DOMAIN.md §9, API.md "Store metrics"): batches of daily readings,
upserted by (store, metric, date) all or nothing, and the thresholds that open an issue.

A breached threshold opens one issue (channel ``dms``, the readings in its description)
per store and metric while that issue is open — never one per reading: the active
``MetricAlert`` row of the pair, unique by a partial constraint, says an issue is open."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, PermissionDenied
from closedloop.org.models import Store
from issues import services as issue_services
from issues.choices import OPEN_STATUSES, Channel, ImpactScope

from .. import policy
from ..choices import MetricDirection
from ..models import MetricAlert, MetricDefinition, MetricReading

MAX_BATCH = 1000
QUANTUM = Decimal("0.0001")
MAX_ABS_VALUE = Decimal("9999999999")
CHART_DAYS = 90


@dataclass
class RowError:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


class MetricBatchError(DomainError):
    """Rows of a batch that are wrong; nothing of the batch was stored."""

    def __init__(self, rows: list[RowError]):
        first = rows[0]
        super().__init__(
            _("第 %(i)d 条（%(f)s）：%(m)s")
            % {"i": first.index, "f": first.field, "m": first.message}
        )
        self.rows = rows


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    issues: list = field(default_factory=list)


def format_value(value) -> str:
    """35.0000 → "35", 38.5000 → "38.5"."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in ("-0", "") else text


def _value(raw) -> Decimal | None:
    if isinstance(raw, bool) or raw is None or raw == "":
        return None
    if isinstance(raw, float) and not math.isfinite(raw):
        return None
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or abs(value) > MAX_ABS_VALUE:
        return None
    return value.quantize(QUANTUM)


def _date(raw) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return parse_date(str(raw).strip()) if raw not in (None, "") else None
    except ValueError:
        return None


def _validate(actor, rows, today) -> tuple[list[tuple], list[RowError]]:
    def keys(name, longest):
        # What could be a code at all: PostgreSQL refuses NUL, no code is longer.
        values = {str(r.get(name, "")).strip() for r in rows if isinstance(r, dict)}
        return {v for v in values if v and "\x00" not in v and len(v) <= longest}

    codes, metric_codes = keys("store", 32), keys("metric", 32)
    stores = {s.code: s for s in Store.objects.visible_to(actor).filter(code__in=codes)}
    metrics = {
        m.code: m for m in MetricDefinition.objects.filter(code__in=metric_codes, active=True)
    }
    errors: list[RowError] = []
    clean: list[tuple] = []
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append(RowError(index, "non_field_errors", _("每条数据应为一个对象。")))
            continue
        row_errors = []
        store = stores.get(str(row.get("store", "")).strip())
        if store is None:
            row_errors.append(RowError(index, "store", _("门店不存在或不在你的范围内。")))
        elif not store.active:
            row_errors.append(RowError(index, "store", _("该门店已停用。")))
        metric = metrics.get(str(row.get("metric", "")).strip())
        if metric is None:
            row_errors.append(RowError(index, "metric", _("指标不存在或未启用。")))
        date = _date(row.get("date"))
        if date is None:
            row_errors.append(RowError(index, "date", _("日期格式应为 YYYY-MM-DD。")))
        elif date > today:
            row_errors.append(RowError(index, "date", _("日期不能晚于今天。")))
        value = _value(row.get("value"))
        if value is None:
            row_errors.append(
                RowError(index, "value", _("数值应为数字，绝对值不超过 9999999999。"))
            )
        if not row_errors:
            key = (store.pk, metric.pk, date)
            if key in seen:
                row_errors.append(
                    RowError(
                        index,
                        "date",
                        _("与第 %(n)d 条重复（同一门店、指标和日期）。") % {"n": seen[key]},
                    )
                )
            else:
                seen[key] = index
                clean.append((store, metric, date, value))
        errors.extend(row_errors)
    return clean, errors


@transaction.atomic
def record_readings(*, actor, rows, at: dt.datetime | None = None) -> BatchResult:
    """Store a batch of readings (≤ 1000): every row is checked first, and one wrong row
    stores nothing. Existing (store, metric, date) readings are overwritten. Then the
    thresholds of the affected stores and metrics are checked."""
    if not policy.can_push_metrics(actor):
        raise PermissionDenied(_("你无权提交门店指标（需要 metrics:write）。"))
    if not isinstance(rows, list) or not rows:
        raise DomainError(_("请至少提交一条数据。"))
    if len(rows) > MAX_BATCH:
        raise DomainError(_("一次最多提交 %(n)d 条。") % {"n": MAX_BATCH})
    at = at or timezone.now()
    clean, errors = _validate(actor, rows, timezone.localdate(at))
    if errors:
        raise MetricBatchError(errors)

    keys = {(s.pk, m.pk, d) for s, m, d, _v in clean}
    existing = set(
        MetricReading.objects.filter(
            store_id__in={k[0] for k in keys},
            metric_id__in={k[1] for k in keys},
            date__in={k[2] for k in keys},
        ).values_list("store_id", "metric_id", "date")
    )
    MetricReading.objects.bulk_create(
        [
            MetricReading(store=s, metric=m, date=d, value=v, source=actor.username)
            for s, m, d, v in clean
        ],
        update_conflicts=True,
        unique_fields=["store", "metric", "date"],
        update_fields=["value", "source", "updated_at"],
    )
    result = BatchResult(created=len(keys - existing), updated=len(keys & existing))
    affected: dict[tuple, set] = defaultdict(set)
    for s, m, d, _v in clean:
        affected[(s, m)].add(d)
    result.issues = check_thresholds(actor=actor, affected=affected, at=at)
    return result


def _runs(readings, metric) -> list[list[MetricReading]]:
    """Consecutive days on which the metric breached its threshold."""
    runs: list[list[MetricReading]] = []
    for reading in readings:
        if not metric.breaches(reading.value):
            continue
        if runs and runs[-1][-1].date == reading.date - dt.timedelta(days=1):
            runs[-1].append(reading)
        else:
            runs.append([reading])
    return runs


def check_thresholds(*, actor, affected: dict, at: dt.datetime) -> list:
    """Open an issue for each (store, metric) whose new readings complete a breach of
    ``consecutive_days`` days that lasted into the last ``METRIC_ALERT_LOOKBACK_DAYS``."""
    horizon = timezone.localdate(at) - dt.timedelta(days=settings.METRIC_ALERT_LOOKBACK_DAYS)
    opened = []
    for (store, metric), dates in affected.items():
        if metric.threshold is None:
            continue
        span = dt.timedelta(days=metric.consecutive_days - 1)
        readings = MetricReading.objects.filter(
            store=store, metric=metric, date__range=(min(dates) - span, max(dates) + span)
        ).order_by("date")
        runs = [
            run
            for run in _runs(readings, metric)
            if len(run) >= metric.consecutive_days
            and run[-1].date >= horizon
            and any(r.date in dates for r in run)
        ]
        if runs:
            issue = _open_alert(actor=actor, store=store, metric=metric, run=runs[-1], at=at)
            if issue is not None:
                opened.append(issue)
    return opened


def _readings_json(run) -> list[dict]:
    return [{"date": r.date.isoformat(), "value": format_value(r.value)} for r in run]


def _issue_text(store, metric, run) -> tuple[str, str]:
    values = {
        "name": metric.name,
        "n": metric.consecutive_days,
        "t": format_value(metric.threshold),
        "unit": metric.unit,
    }
    with translation.override(settings.LANGUAGE_CODE):
        if metric.direction == MetricDirection.LOWER:
            title = (
                _("%(name)s连续 %(n)d 天高于 %(t)s%(unit)s") % values
                if metric.consecutive_days > 1
                else _("%(name)s高于 %(t)s%(unit)s") % values
            )
        else:
            title = (
                _("%(name)s连续 %(n)d 天低于 %(t)s%(unit)s") % values
                if metric.consecutive_days > 1
                else _("%(name)s低于 %(t)s%(unit)s") % values
            )
        lines = [
            _("DMS 门店指标预警：%(store)s（%(code)s）。")
            % {"store": store.name, "code": store.code},
            _("阈值：%(title)s。") % {"title": title},
            _("超标读数："),
        ]
        lines += [f"{r.date.isoformat()}　{format_value(r.value)}{metric.unit}" for r in run]
    return title[:200], "\n".join(lines)


def _open_alert(*, actor, store, metric, run, at):
    """The one issue of this breach, unless an open one already covers the pair."""
    MetricAlert.objects.filter(store=store, metric=metric, active=True).exclude(
        issue__status__in=OPEN_STATUSES
    ).update(active=False)
    current = (
        MetricAlert.objects.select_for_update()
        .filter(store=store, metric=metric, active=True)
        .first()
    )
    if current is not None:
        # The same open issue covers the breach: keep its readings up to date.
        known = {r["date"] for r in current.readings}
        current.readings = sorted(
            current.readings + [r for r in _readings_json(run) if r["date"] not in known],
            key=lambda r: r["date"],
        )
        current.last_date = max(current.last_date, run[-1].date)
        current.save(update_fields=["readings", "last_date"])
        return None
    title, description = _issue_text(store, metric, run)
    try:
        with transaction.atomic():
            issue, _created = issue_services.create_issue(
                submitted_by=actor,
                store=store,
                category=metric.issue_category,
                title=title,
                description=description,
                impact_scope=ImpactScope.STORE,
                channel=Channel.DMS,
                at=at,
            )
            MetricAlert.objects.create(
                store=store,
                metric=metric,
                issue=issue,
                first_date=run[0].date,
                last_date=run[-1].date,
                readings=_readings_json(run),
                opened_at=at,
            )
    except IntegrityError:
        # A concurrent batch opened the issue of this pair first: its issue stands.
        return None
    return issue


def chart_series(store, *, days: int = CHART_DAYS, today: dt.date | None = None) -> list[dict]:
    """The store's readings of the last ``days`` days, one series per metric that has any
    (for the store page's charts)."""
    today = today or timezone.localdate()
    readings = (
        MetricReading.objects.filter(store=store, date__gt=today - dt.timedelta(days=days))
        .select_related("metric")
        .order_by("metric__order", "metric__code", "date")
    )
    series: dict[int, dict] = {}
    for reading in readings:
        metric = reading.metric
        entry = series.setdefault(
            metric.pk,
            {
                "code": metric.code,
                "name": metric.name,
                "unit": metric.unit,
                "direction": metric.direction,
                "threshold": float(metric.threshold) if metric.threshold is not None else None,
                "points": [],
            },
        )
        entry["points"].append([reading.date.isoformat(), float(reading.value)])
    for entry in series.values():
        entry["latest"] = entry["points"][-1]
    return list(series.values())
