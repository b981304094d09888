"""Scheduled jobs of rectification projects (``closedloop.core.jobs``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from .choices import ACTIVE_STATUSES


@register(
    "tracking_reminders",
    crontab=("0", "8-20"),
    description=gettext_noop("整改跟踪逾期提醒与升级（每天 08:00–20:00 每小时）"),
)
def tracking_reminders(now: dt.datetime) -> dict:
    """Remind ops specialists of missed trackings, escalate to the regional director when
    two intervals passed (each once); remind them of missed observation rechecks at the
    observation cadence (once per missed date)."""
    from .alerts import sweep

    return sweep(now)


@register(
    "project_health",
    crontab=("5", "0"),
    description=gettext_noop("整改项目健康度（每天 00:05，处理到期的期限）"),
)
def project_health(now: dt.datetime) -> dict:
    """Recompute the health of every active project: a measure's deadline or the end of
    the execution period passes at midnight without anybody touching the project."""
    from . import services
    from .models import Project

    changed = 0
    for project in list(
        Project.objects.filter(status__in=ACTIVE_STATUSES).only("pk").order_by("pk")
    ):
        if services.refresh_health(project=project, at=now):
            changed += 1
    return {"changed": changed}
