"""Scheduled jobs of the issues app (registered with ``closedloop.core.jobs.register``)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from .models import CalendarYear

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- calendar_check


def missing_calendar_years(now: dt.datetime) -> list[int]:
    """Years whose work calendar should be maintained by ``now`` but is not.

    The current year (Asia/Shanghai) always; in December also the next year, so the
    quality lead can enter next year's holidays before working-hours SLAs need them."""
    from .sla import sla_timezone

    if timezone.is_naive(now):
        now = timezone.make_aware(now, sla_timezone())
    local = now.astimezone(sla_timezone())
    wanted = [local.year] + ([local.year + 1] if local.month == 12 else [])
    known = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in known]


@register(
    "calendar_check",
    crontab=("0", "9"),
    description=gettext_noop("检查工作日历是否已维护（每天 09:00）"),
)
def calendar_check(now: dt.datetime) -> dict:
    """Warn the quality lead (inbox, email) once per missing calendar year: working-hours
    SLAs cannot be computed for a year whose holidays and make-up days are unknown."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    from closedloop.notifications.choices import Level
    from closedloop.notifications.services import Message, notify
    from closedloop.org.choices import Role
    from closedloop.org.models import User

    missing = missing_calendar_years(now)
    leads = list(User.objects.filter(role=Role.QUALITY_LEAD, is_active=True))
    notified = 0
    for year in missing:
        logger.warning("Work calendar for %s is not maintained (CalendarYear missing)", year)
        message = Message(
            kind="calendar_missing",
            level=Level.WARNING,
            title=_("请维护 %(year)s 年的节假日与调休安排") % {"year": year},
            body=_(
                "%(year)s 年的工作日历尚未维护：按工作时间计算的 SLA 截止时间无法计算。"
                "请在管理后台“节假日/调休”中录入国务院公布的安排，并在“已维护年份”中添加 %(year)s。"
            )
            % {"year": year},
            url="/admin/issues/calendaryear/",
            dedupe_key=f"calendar_missing:{year}",
        )
        with transaction.atomic():
            notified += len(notify(recipients=leads, message=message, at=now))
    return {"missing_years": missing, "warned": bool(missing), "notified": notified}


# --------------------------------------------------------------------------- SLA and closing


@register(
    "sla_sweep",
    every=dt.timedelta(minutes=2),
    description=gettext_noop("SLA 预警/超时升级（每 2 分钟）"),
)
def sla_sweep(now: dt.datetime) -> dict:
    """Raise the SLA ladder alerts due at ``now`` (exactly once each)."""
    from .alerts import sweep

    return sweep(now)


@register(
    "auto_close",
    every=dt.timedelta(hours=1),
    description=gettext_noop("已解决 7 天无异议自动关闭（每小时）"),
)
def auto_close(now: dt.datetime) -> dict:
    """Close resolved issues the store left unanswered for 7 days."""
    from . import selectors, services

    closed = 0
    for issue in selectors.auto_close_due(now).only("pk").iterator():
        if services.auto_close(issue=issue, at=now) is not None:
            closed += 1
    return {"closed": closed}
