"""Scheduled jobs of the inspections app (registered with ``closedloop.core.jobs``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register


@register(
    "inspection_reminders",
    every=dt.timedelta(hours=1),
    description=gettext_noop("巡检跟进逾期提醒（每小时）"),
)
def inspection_reminders(now: dt.datetime) -> dict:
    """Remind once per missed follow-up step (24 h call, kick-off, weekly logs, spot
    checks, acceptance, experience)."""
    from .alerts import sweep

    return sweep(now)
