"""What ``manage.py benchmark`` measures of the reports: generating a month's reports (the
monthly effect report and the monthly rectification summary, for the nation and every
region) and a week's, over the generated data (``manage.py generate_load``); and the
reports list. The generation runs are rolled back by the harness, so each run does the
same work."""

from __future__ import annotations

from django.db.models import Max

from closedloop.core.bench import Case, Context
from dashboards import periods
from issues.models import Issue

from . import services
from .choices import Kind
from .models import Report


def _latest_day(ctx: Context):
    def latest():
        moment = Issue.objects.aggregate(at=Max("submitted_at"))["at"]
        return periods.local_date(moment) if moment else periods.today()

    return ctx.memo("reports_latest_day", latest)


def last_full_month(ctx: Context) -> periods.Period:
    return periods.month(_latest_day(ctx)).previous()


def last_full_week(ctx: Context) -> periods.Period:
    return periods.week(_latest_day(ctx)).previous()


def generate_month(ctx: Context) -> dict:
    period = last_full_month(ctx)
    made = 0
    for kind in (Kind.MONTHLY_EFFECT, Kind.MONTHLY_RECTIFICATION):
        made += len(services.generate_all(kind, period, now=period.end)["reports"])
    return {"period": period.code, "reports": made}


def generate_week(ctx: Context) -> dict:
    period = last_full_week(ctx)
    result = services.generate_all(Kind.WEEKLY, period, now=period.end)
    return {"period": period.code, "reports": len(result["reports"])}


def facts(ctx: Context) -> dict:
    period = last_full_month(ctx)
    return {
        "report_month": period.code,
        "issues_submitted_in_report_month": Issue.objects.filter(
            submitted_at__gte=period.start, submitted_at__lt=period.end
        ).count(),
        "reports_stored": Report.objects.count(),
    }


CASES = [
    Case("reports.generate.month", run=generate_month, budget_ms=None, runs=3),
    Case("reports.generate.week", run=generate_week, budget_ms=None, runs=3),
    # A short list: the page's own work dominates its SQL, so the ratio says nothing.
    Case("reports.list", path="/reports/", ratio=False),
    Case("reports.list", role="director", path="/reports/", ratio=False),
]
