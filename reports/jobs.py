"""Scheduled reports (registered with ``closedloop.core.jobs.register``): the weekly
quality report on Wednesday 08:00, the monthly reports checked every day at 08:00 and
made on the first working day. A failed run raises, so ``closedloop.run_job`` retries it
with backoff; each failure is on the report's row and in the quality lead's inbox."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from . import schedule, services
from .choices import MONTHLY_KINDS, Kind


@register(
    "weekly_report",
    crontab=("0", "8", "3"),
    description=gettext_noop("生成服务质量周报（每周三 08:00）"),
)
def weekly_report(now: dt.datetime) -> dict:
    return services.generate_all(Kind.WEEKLY, schedule.weekly_period(now), now=now)


@register(
    "monthly_reports",
    crontab=("0", "8"),
    description=gettext_noop("生成月度效果评估报告与月度整改工作汇总（每月第一个工作日 08:00）"),
)
def monthly_reports(now: dt.datetime) -> dict:
    period = schedule.monthly_period(now)
    if period is None:
        # Not the day: only a report whose every retry failed is made again (catch-up).
        redone = services.retry_failed(MONTHLY_KINDS, now=now)
        if redone:
            return {"retried": redone}
        return {"skipped": "not the first working day of the month"}
    result, failures = {"period": period.code}, []
    for kind in (Kind.MONTHLY_EFFECT, Kind.MONTHLY_RECTIFICATION):
        try:  # one kind failing does not keep the other from being made
            result[kind] = services.generate_all(kind, period, now=now)["reports"]
        except services.ReportsFailed as exc:
            failures.append(str(exc))
    if failures:
        raise services.ReportsFailed("; ".join(failures))
    return result
