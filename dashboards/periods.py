"""Reporting periods in Beijing time: a week (ISO, Monday–Sunday), a month, or a range
of days. A period is half-open, ``[start, end)``, with both ends at local midnight, so an
issue submitted at 00:30 on the 1st belongs to the month that begins that day."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError

from .choices import PeriodKind

ZONE = ZoneInfo("Asia/Shanghai")
#: The longest range a request may ask for (the board aggregates over it).
MAX_RANGE_DAYS = 3 * 366
#: Years a period may fall in (anything else is a typo, and would overflow date maths).
MIN_YEAR, MAX_YEAR = 2000, 2100
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZONE)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZONE).date()


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: dt.date
    last_day: dt.date  # inclusive

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> dt.datetime:
        """The first moment after the period (exclusive)."""
        return local_midnight(self.last_day + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def code(self) -> str:
        """``2025-11``, ``2025-W47`` or ``2025-11-03..2025-11-09``."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.first_day:%Y-%m}"
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first_day:%Y-%m-%d}..{self.last_day:%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("%(y)d年%(m)d月") % {"y": self.first_day.year, "m": self.first_day.month}
        if self.kind == PeriodKind.WEEK:
            year, week, _day = self.first_day.isocalendar()
            return _("%(y)d年第%(w)d周（%(a)s–%(b)s）") % {
                "y": year,
                "w": week,
                "a": f"{self.first_day:%m-%d}",
                "b": f"{self.last_day:%m-%d}",
            }
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def query(self) -> dict[str, str]:
        """The query parameters that name this period (``GET /kpis/`` style)."""
        if self.kind == PeriodKind.MONTH:
            return {"period": self.code}
        if self.kind == PeriodKind.WEEK:
            return {"week": self.code}
        return {"from": f"{self.first_day:%Y-%m-%d}", "to": f"{self.last_day:%Y-%m-%d}"}

    def previous(self) -> Period:
        """The period just before: the previous month or week, or a range of as many
        days ending the day before."""
        if self.kind == PeriodKind.MONTH:
            return month(self.first_day - dt.timedelta(days=1))
        if self.kind == PeriodKind.WEEK:
            return week(self.first_day - dt.timedelta(days=7))
        last = self.first_day - dt.timedelta(days=1)
        return Period(PeriodKind.RANGE, last - dt.timedelta(days=self.days - 1), last)

    def following(self) -> Period:
        """The period just after (the next month or week, or as many days)."""
        if self.kind == PeriodKind.MONTH:
            return month(self.last_day + dt.timedelta(days=1))
        if self.kind == PeriodKind.WEEK:
            return week(self.first_day + dt.timedelta(days=7))
        first = self.last_day + dt.timedelta(days=1)
        return Period(PeriodKind.RANGE, first, first + dt.timedelta(days=self.days - 1))

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end

    def elapsed_end(self, now: dt.datetime) -> dt.datetime:
        """The period's end, or ``now`` while the period is still running."""
        return min(self.end, now)


def month(day: dt.date) -> Period:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(PeriodKind.MONTH, first, following - dt.timedelta(days=1))


def week(day: dt.date) -> Period:
    monday = day - dt.timedelta(days=day.weekday())
    return Period(PeriodKind.WEEK, monday, monday + dt.timedelta(days=6))


def today(now: dt.datetime | None = None) -> dt.date:
    return local_date(now or timezone.now())


def _parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as exc:
        raise DomainError(_("日期格式应为 YYYY-MM-DD。"), field=field) from exc


def parse(params, *, default: str = PeriodKind.MONTH, now: dt.datetime | None = None) -> Period:
    """The period named by request parameters: ``period=2025-11``, ``week=2025-W47`` or
    ``from=2025-11-01&to=2025-11-30`` (inclusive); the current month (or week) when none
    is given. A malformed value is a ``DomainError`` naming the parameter."""
    value = (params.get("period") or "").strip()
    if value:
        match = _MONTH.match(value)
        if (
            not match
            or not 1 <= int(match.group(2)) <= 12
            or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR
        ):
            raise DomainError(_("月份格式应为 YYYY-MM，例如 2025-11。"), field="period")
        return month(dt.date(int(match.group(1)), int(match.group(2)), 1))
    value = (params.get("week") or "").strip()
    if value:
        match = _WEEK.match(value)
        try:
            if not match or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
                raise ValueError(value)
            monday = dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError as exc:
            raise DomainError(_("周的格式应为 YYYY-Www，例如 2025-W47。"), field="week") from exc
        return week(monday)
    start, end = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    if start or end:
        if not (start and end):
            field = "to" if start else "from"
            raise DomainError(_("请同时给出起止日期（from 和 to）。"), field=field)
        first, last = _parse_date(start, "from"), _parse_date(end, "to")
        if last < first:
            raise DomainError(_("结束日期不能早于开始日期。"), field="to")
        if not (first.year >= MIN_YEAR and last.year <= MAX_YEAR):
            raise DomainError(
                _("日期应在 %(a)d 年到 %(b)d 年之间。") % {"a": MIN_YEAR, "b": MAX_YEAR},
                field="from",
            )
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise DomainError(_("区间最长 %(n)d 天。") % {"n": MAX_RANGE_DAYS}, field="to")
        return Period(PeriodKind.RANGE, first, last)
    day = today(now)
    return week(day) if default == PeriodKind.WEEK else month(day)


def series(period: Period, count: int) -> list[Period]:
    """``count`` consecutive periods ending with ``period`` (oldest first)."""
    periods = [period]
    for _i in range(count - 1):
        periods.append(periods[-1].previous())
    return list(reversed(periods))
