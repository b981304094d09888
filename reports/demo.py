"""Demo data of the reports (``manage.py load_demo``, after the dashboards): the last four
weeks' quality reports and the last two months' effect reports and rectification
summaries, for the nation and every region, generated through the services as the jobs
would have made them (the last month's effect report left as a draft for the quality
lead to review and publish; the month before published). Idempotent: regenerating
replaces."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.choices import Role
from closedloop.org.models import User
from dashboards import periods

from . import schedule, services
from .choices import Kind, Status
from .models import Report

DEMO_ORDER = 55
WEEKS, MONTHS = 4, 2


def load_demo(options) -> str:
    lead = User.objects.filter(role=Role.QUALITY_LEAD, is_active=True).order_by("pk").first()
    if lead is None:
        return ""
    # Past reports: into the inboxes as history, nobody mailed or messaged today.
    with recording_history():
        _generate(lead)
    return _("报告演示：%(n)d 份报告（近 %(w)d 周周报、近 %(m)d 个月月报）。") % {
        "n": Report.objects.count(),
        "w": WEEKS,
        "m": MONTHS,
    }


def _generate(lead) -> None:
    now = timezone.now()
    week = schedule.weekly_period(now)
    for _i in range(WEEKS):
        wednesday = periods.local_midnight(week.last_day + dt.timedelta(days=3))
        services.generate_all(Kind.WEEKLY, week, now=min(now, wednesday + dt.timedelta(hours=8)))
        week = week.previous()
    month = periods.month(periods.local_date(now)).previous()
    for i in range(MONTHS):
        at = min(now, month.end + dt.timedelta(hours=8))
        for kind in (Kind.MONTHLY_EFFECT, Kind.MONTHLY_RECTIFICATION):
            services.generate_all(kind, month, now=at)
        if i:  # the month before last: reviewed and published
            for report in Report.objects.filter(
                kind=Kind.MONTHLY_EFFECT, period=month.code, status=Status.DRAFT
            ):
                services.publish(actor=lead, report=report, at=at)
        month = month.previous()
