"""The SLA clock (DOMAIN.md §3): working time, the work calendar and due times.

Working time is Monday–Friday 09:00–18:00 Asia/Shanghai (``SLA_WORKDAY_START`` /
``SLA_WORKDAY_END`` override the hours), Chinese public holidays off and make-up working
days (调休) on. The calendar is read only from ``CalendarYear`` / ``CalendarDay``: a date
in a year without a ``CalendarYear`` row raises :class:`CalendarNotCovered` — the clock
never guesses.

Everything here is pure computation; nothing is saved. Services store the results."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext

from closedloop.redisguard import RedisUnavailable

from .choices import DEFAULT_SLA
from .models import CalendarDay, CalendarYear, SlaPolicy

logger = logging.getLogger(__name__)

UTC = dt.UTC
ONE_DAY = dt.timedelta(days=1)

#: Pause intervals as ``(started_at, ended_at)``; ``ended_at`` None while still paused.
Pause = tuple[dt.datetime, dt.datetime | None]


class CalendarNotCovered(Exception):
    """A working-time computation needed a day of a year whose calendar is not maintained."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(year)

    def __str__(self) -> str:
        return gettext("%(year)s 年的工作日历（节假日/调休）尚未维护。") % {"year": self.year}


# --------------------------------------------------------------------------- settings


def sla_timezone() -> ZoneInfo:
    """The zone working hours are defined in (``SLA_TIME_ZONE``, default Asia/Shanghai)."""
    return _zone(getattr(settings, "SLA_TIME_ZONE", "Asia/Shanghai"))


def workday_hours() -> tuple[dt.time, dt.time]:
    """The working window of a working day, from ``SLA_WORKDAY_START``/``SLA_WORKDAY_END``."""
    return _hours(
        getattr(settings, "SLA_WORKDAY_START", "09:00"),
        getattr(settings, "SLA_WORKDAY_END", "18:00"),
    )


def workday_seconds() -> float:
    """Length of one working day in seconds (9 h = 32 400 s by default)."""
    start, end = workday_hours()
    return float((end.hour * 3600 + end.minute * 60) - (start.hour * 3600 + start.minute * 60))


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=8)
def _hours(start: str, end: str) -> tuple[dt.time, dt.time]:
    try:
        start_t, end_t = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
    except ValueError as exc:
        raise ImproperlyConfigured(f"SLA_WORKDAY_START/END must be 'HH:MM': {exc}") from exc
    if end_t <= start_t:
        raise ImproperlyConfigured("SLA_WORKDAY_END must be later than SLA_WORKDAY_START.")
    return start_t, end_t


# --------------------------------------------------------------------------- calendar


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """The covered years and the exceptions to Monday–Friday, held in memory.

    ``days`` maps a date to True (make-up working day) or False (holiday). Build one with
    :meth:`load` (cached per process) or directly in unit tests."""

    years: frozenset[int]
    days: Mapping[dt.date, bool]

    @classmethod
    def load(cls) -> WorkCalendar:
        """The current calendar, cached per process.

        The cache is dropped when a ``CalendarYear``/``CalendarDay`` is saved or deleted
        (in this process at once; in other processes through a token in the shared Django
        cache, bumped on commit) and in any case after ``SLA_CALENDAR_CACHE_SECONDS``
        (default 300), which covers bulk updates and raw SQL."""
        return _calendar_cache.get()

    @classmethod
    def from_db(cls) -> WorkCalendar:
        """Read the tables (two queries, a few hundred rows at most), without caching."""
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        days = dict(CalendarDay.objects.values_list("date", "is_workday"))
        return cls(years=years, days=MappingProxyType(days))

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working day; raises :class:`CalendarNotCovered`."""
        if day.year not in self.years:
            raise CalendarNotCovered(day.year)
        override = self.days.get(day)
        if override is not None:
            return override
        return day.weekday() < 5


class _CalendarCache:
    """Process-local cache of :class:`WorkCalendar` with a local and a shared version."""

    key = "issues:sla:calendar-token"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0
        self._entry: tuple[int, str | None, float, WorkCalendar] | None = None

    @staticmethod
    def _ttl() -> float:
        return float(getattr(settings, "SLA_CALENDAR_CACHE_SECONDS", 300))

    def _shared_token(self) -> str | None:
        try:
            return cache.get(self.key)
        except RedisUnavailable:  # known to be down: the breaker has logged it once
            return None
        except Exception:  # the shared cache is an optimisation; the TTL still applies
            logger.warning("SLA calendar: shared cache unavailable", exc_info=True)
            return None

    def get(self) -> WorkCalendar:
        token = self._shared_token()
        entry = self._entry
        if (
            entry is not None
            and entry[0] == self._version
            and entry[1] == token
            and time.monotonic() - entry[2] < self._ttl()
        ):
            return entry[3]
        version = self._version
        calendar = WorkCalendar.from_db()
        with self._lock:
            if version == self._version:  # not invalidated while we were loading
                self._entry = (version, token, time.monotonic(), calendar)
        return calendar

    def forget(self) -> None:
        """Drop this process's copy (no database or cache access)."""
        with self._lock:
            self._version += 1
            self._entry = None

    def invalidate(self) -> None:
        """Drop this process's copy now and tell other processes once the change commits."""
        self.forget()
        transaction.on_commit(self._bump_shared, robust=True)

    def _bump_shared(self) -> None:
        try:
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
        except Exception:
            logger.warning("SLA calendar: could not publish invalidation", exc_info=True)


_calendar_cache = _CalendarCache()


def forget_local_calendar() -> None:
    """Drop this process's cached calendar only (tests: rows vanished on rollback)."""
    _calendar_cache.forget()


def invalidate_calendar_cache() -> None:
    """Forget the cached calendar (tests call this after rolled-back changes)."""
    _calendar_cache.invalidate()


@receiver(post_save, sender=CalendarYear, dispatch_uid="sla_calendar_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="sla_calendar_year_deleted")
@receiver(post_save, sender=CalendarDay, dispatch_uid="sla_calendar_day_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="sla_calendar_day_deleted")
def _calendar_changed(sender, **kwargs) -> None:
    invalidate_calendar_cache()


def is_working_day(d: dt.date, cal: WorkCalendar | None = None) -> bool:
    """Whether ``d`` is a working day; raises :class:`CalendarNotCovered` for unknown years."""
    return (cal or WorkCalendar.load()).is_working_day(d)


# --------------------------------------------------------------------------- working time


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def _window(day: dt.date, zone: ZoneInfo, hours: tuple[dt.time, dt.time]):
    """The working window of ``day`` as a pair of UTC datetimes."""
    return (
        dt.datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC),
        dt.datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC),
    )


def _add_working(start: dt.datetime, amount: dt.timedelta, cal: WorkCalendar) -> dt.datetime:
    """``start`` (UTC) plus ``amount`` of working time, as a UTC datetime.

    Walks day by day: a non-working day costs one lookup, a working day one subtraction."""
    zone, hours = sla_timezone(), workday_hours()
    cursor, remaining = start, amount
    day = start.astimezone(zone).date()
    while True:
        if cal.is_working_day(day):
            opens, closes = _window(day, zone, hours)
            cursor = max(cursor, opens)
            if cursor < closes:
                available = closes - cursor
                if remaining <= available:
                    return cursor + remaining
                remaining -= available
                cursor = closes
        day += ONE_DAY


def _working_between(a: dt.datetime, b: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    """Working time in ``[a, b)`` (UTC datetimes, ``a <= b``)."""
    zone, hours = sla_timezone(), workday_hours()
    total = dt.timedelta(0)
    day, last = a.astimezone(zone).date(), b.astimezone(zone).date()
    while day <= last:
        if cal.is_working_day(day):
            opens, closes = _window(day, zone, hours)
            low, high = max(opens, a), min(closes, b)
            if high > low:
                total += high - low
        day += ONE_DAY
    return total


def add_working_time(
    start: dt.datetime, seconds: float, cal: WorkCalendar | None = None
) -> dt.datetime:
    """The moment ``seconds`` of working time after ``start``.

    A ``start`` outside working time starts counting at the next working moment; a
    result that lands exactly on the end of a working day is that end (18:00), not the
    next morning. Aware in, aware out (in ``start``'s zone). Raises
    :class:`CalendarNotCovered` when the walk reaches an unknown year."""
    _require_aware(start, "start")
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    cal = cal or WorkCalendar.load()
    result = _add_working(start.astimezone(UTC), dt.timedelta(seconds=seconds), cal)
    return result.astimezone(start.tzinfo)


def working_seconds_between(
    a: dt.datetime, b: dt.datetime, cal: WorkCalendar | None = None
) -> float:
    """Working seconds between ``a`` and ``b`` (negative when ``b`` is before ``a``)."""
    _require_aware(a, "a")
    _require_aware(b, "b")
    if b < a:
        return -working_seconds_between(b, a, cal)
    cal = cal or WorkCalendar.load()
    return _working_between(a.astimezone(UTC), b.astimezone(UTC), cal).total_seconds()


def _merge_pauses(start: dt.datetime, pauses: Iterable[Pause]) -> list[Pause]:
    """Pauses clipped to ``start``, sorted, overlaps merged, in UTC."""
    clipped: list[Pause] = []
    for began, ended in pauses:
        _require_aware(began, "pause start")
        began = max(began.astimezone(UTC), start)
        if ended is not None:
            _require_aware(ended, "pause end")
            ended = ended.astimezone(UTC)
            if ended <= began:
                continue
        clipped.append((began, ended))
    clipped.sort(key=lambda pause: pause[0])
    merged: list[Pause] = []
    for began, ended in clipped:
        if merged and (merged[-1][1] is None or began <= merged[-1][1]):
            last_began, last_ended = merged[-1]
            if last_ended is not None:
                merged[-1] = (last_began, None if ended is None else max(last_ended, ended))
            continue
        merged.append((began, ended))
    return merged


def compute_due(
    start: dt.datetime,
    *,
    amount_seconds: float,
    business: bool,
    pauses: Iterable[Pause] = (),
    cal: WorkCalendar | None = None,
) -> dt.datetime | None:
    """When a clock started at ``start`` has run ``amount_seconds``.

    The clock counts calendar time, or working time when ``business``; it stands still
    inside ``pauses`` (which may overlap each other and non-working time). If a pause is
    still open and the amount is not used up before it began, the clock is stopped and
    the result is None. Raises :class:`CalendarNotCovered` (working time only) when a day
    the computation needs lies in an unknown year. The result is in ``start``'s zone."""
    _require_aware(start, "start")
    if amount_seconds < 0:
        raise ValueError("amount_seconds must not be negative")
    origin = start.astimezone(UTC)
    if business and cal is None:
        cal = WorkCalendar.load()

    def run(cursor: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        return _add_working(cursor, amount, cal) if business else cursor + amount

    cursor, remaining = origin, dt.timedelta(seconds=amount_seconds)
    for began, ended in _merge_pauses(origin, pauses):
        available = _working_between(cursor, began, cal) if business else began - cursor
        if remaining <= available:
            return run(cursor, remaining).astimezone(start.tzinfo)
        remaining -= available
        if ended is None:
            return None
        cursor = ended
    return run(cursor, remaining).astimezone(start.tzinfo)


# --------------------------------------------------------------------------- policies


def clock_targets(policy: SlaPolicy) -> tuple[float, float]:
    """``(response_seconds, resolution_seconds)`` for ``policy``.

    Calendar mode: response hours × 3600 and resolution days × 86 400. Working mode:
    response hours of working time and resolution days × one working day (9 h)."""
    response = policy.response_hours * 3600.0
    if policy.business_hours:
        return response, policy.resolution_days * workday_seconds()
    return response, policy.resolution_days * 86400.0


def policy_for(priority: str) -> SlaPolicy:
    """The stored policy for ``priority``, or an unsaved one from ``DEFAULT_SLA``."""
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is None:
        hours, days, business = DEFAULT_SLA[priority]
        policy = SlaPolicy(
            priority=priority, response_hours=hours, resolution_days=days, business_hours=business
        )
    return policy


@dataclass(frozen=True, slots=True)
class DueTimes:
    response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    business_hours: bool
    #: A due could not be computed because its year's calendar is not maintained.
    calendar_gap: bool


def compute_issue_dues(
    issue, *, policy: SlaPolicy | None = None, cal: WorkCalendar | None = None
) -> DueTimes:
    """Both due times of ``issue``; does not save.

    Uses the issue's priority (its suggested priority until triage), ``submitted_at`` as
    the start of both clocks and its ``SlaPause`` rows. A due that needs an unknown
    year's calendar is None with ``calendar_gap`` True; an open pause that began before
    a due makes that due None (clock stopped)."""
    if policy is None:
        priority = issue.priority or issue.suggested_priority
        if not priority:
            return DueTimes(None, None, business_hours=False, calendar_gap=False)
        policy = policy_for(priority)
    pauses = [(p.started_at, p.ended_at) for p in issue.sla_pauses.all()] if issue.pk else []
    business = policy.business_hours
    if business and cal is None:
        cal = WorkCalendar.load()
    dues: list[dt.datetime | None] = []
    gap = False
    for amount in clock_targets(policy):
        try:
            due = compute_due(
                issue.submitted_at,
                amount_seconds=amount,
                business=business,
                pauses=pauses,
                cal=cal,
            )
        except CalendarNotCovered:
            due, gap = None, True
        dues.append(due)
    return DueTimes(dues[0], dues[1], business_hours=business, calendar_gap=gap)
