"""Which period a scheduled run reports on (Asia/Shanghai).

- The weekly report runs on Wednesday 08:00 and reports the ISO week before (Monday to
  Sunday), the week the 14:00 meeting reviews.
- The monthly reports are due on the first working day of a month at 08:00 and report
  the month before. Working days come from the issues' work calendar (chinesecalendar +
  the days the quality lead enters: ``issues.sla.WorkCalendar``); a year the calendar
  does not cover falls back to Monday–Friday. The job runs every day at 08:00 and acts
  only on that day."""

from __future__ import annotations

import datetime as dt
import logging

from dashboards import periods
from issues.sla import CalendarNotCovered, WorkCalendar

logger = logging.getLogger(__name__)


def weekly_period(now: dt.datetime) -> periods.Period:
    """The ISO week before the one ``now`` falls in."""
    return periods.week(periods.local_date(now) - dt.timedelta(days=7))


def _working(day: dt.date, calendar: WorkCalendar) -> bool:
    try:
        return calendar.is_working_day(day)
    except CalendarNotCovered:
        logger.warning("work calendar does not cover %s: Monday–Friday assumed", day.year)
        return day.weekday() < 5


def first_working_day(year: int, month: int, calendar: WorkCalendar | None = None) -> dt.date:
    calendar = calendar or WorkCalendar.load()
    day = dt.date(year, month, 1)
    while not _working(day, calendar):
        day += dt.timedelta(days=1)
    return day


def monthly_period(now: dt.datetime, calendar: WorkCalendar | None = None):
    """The month before, when ``now`` is on the first working day of its month; else
    None (nothing is due)."""
    today = periods.local_date(now)
    if today != first_working_day(today.year, today.month, calendar):
        return None
    return periods.month(today.replace(day=1) - dt.timedelta(days=1))
