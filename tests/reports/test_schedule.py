"""Which period a scheduled run reports: the weekly report the ISO week before the
Wednesday (across month and year ends), the monthly reports the month before, on the
first working day of the project's work calendar only (chinesecalendar seed + the days
the quality lead enters)."""

import datetime as dt
import json

import pytest

from issues.models import CalendarDay
from issues.sla import WorkCalendar, invalidate_calendar_cache
from reports import jobs, schedule
from reports.choices import Kind
from reports.models import Report

from .helpers import bj

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("now", "code", "first", "last"),
    [
        (bj(2026, 11, 25, 8), "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
        # Across a month end: the week of 28 Sept – 4 Oct.
        (bj(2026, 10, 7, 8), "2026-W40", dt.date(2026, 9, 28), dt.date(2026, 10, 4)),
        # Across a year end: 2026 has 53 ISO weeks.
        (bj(2027, 1, 6, 8), "2026-W53", dt.date(2026, 12, 28), dt.date(2027, 1, 3)),
        # The first week of 2026 began in 2025.
        (bj(2026, 1, 7, 8), "2026-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 4)),
        # 00:30 Wednesday in Beijing is Tuesday in UTC: still Beijing's week.
        (bj(2026, 11, 25, 0, 30), "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
    ],
)
def test_weekly_period(now, code, first, last):
    period = schedule.weekly_period(now)
    assert (period.code, period.first_day, period.last_day) == (code, first, last)


@pytest.mark.parametrize(
    ("day", "reported"),
    [
        # New Year's Day 2026 and the 2nd, 3rd are holidays; Sunday the 4th is a make-up
        # working day: the December report of the year before is made then.
        (dt.date(2026, 1, 4), "2025-12"),
        # Golden week: 1–7 October 2026 off, the 8th is the first working day.
        (dt.date(2026, 10, 8), "2026-09"),
        (dt.date(2026, 3, 2), "2026-02"),  # the 1st is a Sunday
        (dt.date(2026, 12, 1), "2026-11"),  # a plain Tuesday
    ],
)
def test_the_first_working_day_reports_the_month_before(day, reported):
    invalidate_calendar_cache()
    period = schedule.monthly_period(bj(day.year, day.month, day.day, 8))
    assert period is not None and period.code == reported
    before = day - dt.timedelta(days=1)
    if before.month == day.month:
        assert schedule.monthly_period(bj(before.year, before.month, before.day, 8)) is None
    after = day + dt.timedelta(days=1)
    assert schedule.monthly_period(bj(after.year, after.month, after.day, 8)) is None


@pytest.mark.parametrize(
    "day", [dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3), dt.date(2026, 10, 1)]
)
def test_holidays_are_not_the_day(day):
    invalidate_calendar_cache()
    assert schedule.monthly_period(bj(day.year, day.month, day.day, 8)) is None


def test_a_day_the_quality_lead_enters_moves_the_day():
    # Say 1 December 2026 (a Tuesday) were declared a holiday: the 2nd becomes the day.
    CalendarDay.objects.create(date=dt.date(2026, 12, 1), is_workday=False, name="测试")
    invalidate_calendar_cache()
    assert schedule.monthly_period(bj(2026, 12, 1, 8)) is None
    assert schedule.monthly_period(bj(2026, 12, 2, 8)).code == "2026-11"


def test_an_uncovered_year_falls_back_to_monday_to_friday():
    calendar = WorkCalendar(years=frozenset(), days={})
    assert schedule.first_working_day(2031, 3, calendar) == dt.date(2031, 3, 3)  # a Monday


def test_the_monthly_job_acts_only_on_that_day(cast):
    assert jobs.monthly_reports(bj(2026, 10, 1, 8)) == {
        "skipped": "not the first working day of the month"
    }
    assert not Report.objects.exists()
    result = jobs.monthly_reports(bj(2026, 10, 8, 8))
    assert result["period"] == "2026-09"
    regions = 1 + 2  # the nation, EAST, SOUTH
    assert len(result[Kind.MONTHLY_EFFECT]) == len(result[Kind.MONTHLY_RECTIFICATION]) == regions
    assert Report.objects.filter(period="2026-09").count() == 2 * regions
    # Run again the same morning (a retry, an overlapping run): replaced, never doubled.
    jobs.monthly_reports(bj(2026, 10, 8, 9))
    assert Report.objects.filter(period="2026-09").count() == 2 * regions


def test_the_weekly_job(cast):
    result = jobs.weekly_report(bj(2026, 11, 25, 8))
    assert result["period"] == "2026-W47"
    assert Report.objects.filter(kind=Kind.WEEKLY, period="2026-W47").count() == 3


def test_a_month_whose_retries_all_failed_is_made_on_a_later_day(cast, monkeypatch):
    from reports import services

    monkeypatch.setitem(services.BUILDERS, Kind.MONTHLY_EFFECT, lambda *a, **k: 1 / 0)
    with pytest.raises(services.ReportsFailed):
        jobs.monthly_reports(bj(2026, 12, 1, 8))
    failed = sorted(Report.objects.filter(status="failed").values_list("pk", flat=True))
    assert len(failed) == 3  # the effect reports; the summaries were made
    assert Report.objects.filter(kind=Kind.MONTHLY_RECTIFICATION, status="published").count() == 3
    monkeypatch.undo()
    result = jobs.monthly_reports(bj(2026, 12, 2, 8))
    assert sorted(result["retried"]) == failed
    assert not Report.objects.filter(status="failed").exists()
    assert jobs.monthly_reports(bj(2026, 12, 3, 8)) == {
        "skipped": "not the first working day of the month"
    }


def test_the_beat_schedules():
    from django_celery_beat.models import PeriodicTask

    weekly = PeriodicTask.objects.select_related("crontab").get(name="weekly_report")
    monthly = PeriodicTask.objects.select_related("crontab").get(name="monthly_reports")
    for task, days in ((weekly, {3}), (monthly, set(range(7)))):
        schedule = task.crontab.schedule
        assert (schedule.hour, schedule.minute) == ({8}, {0})
        assert schedule.day_of_week == days  # Wednesday (crontab counts Sunday as 0)
        assert str(schedule.tz) == "Asia/Shanghai"
        assert task.task == "closedloop.run_job" and json.loads(task.args) == [task.name]
