"""Realistic load for benchmarks (``manage.py generate_load``): a national network and
years of issues, written in bulk with ``COPY``.

What it writes, identically for the same ``seed``, ``now`` and starting database:

- the organisation: the seven regions and six departments (reused by code when they
  exist), ``stores`` stores in ~60 cities with tiers A/B/C, throughput, rollout batches
  and go-live dates, and ``people`` people: one store manager per store plus more staff in
  the bigger stores, ops specialists (one per ~12 stores, plus one per region over the
  whole region), a director per region, department heads and members, quality leads,
  executives and the DMS client — all with the password ``PASSWORD``;
- ``issues`` issues over ``years`` years, growing as the rollout batches go live, more in
  A-tier stores, on weekdays and in working hours, with Chinese titles and descriptions
  from the after-sales vocabulary (``loadgen_text``). Each issue's whole life is planned —
  triage or rejection or duplicate, first response against its SLA, assignment, a question
  to the store (an SLA pause), resolution, confirmation with a rating or auto-close, a few
  reopened, some never finished — and cut at ``now``, which gives the status mix and the
  open backlog such a network has;
- with each issue: its timeline (``IssueEvent``), attachment rows (no files), its
  ``SlaPause``, the stored SLA due times, the ladder moments of open issues
  (``SlaMilestone``) and the alerts earlier sweeps raised (``SlaAlert``, up to ``now``);
  numbers ``ISS-YYYY-NNNNN`` per year in submission order, continuing and advancing
  ``NumberSequence``;
- rectification projects over those issues (2 % of them by default), with their whole
  life — kick-off, tracking logs, acceptances, rechecks, closure, cases — by
  :mod:`rectification.loadgen`;
- inspections of the stores over the period (one per store every 45 days on average by
  default), with their results, findings, follow-up and history, by
  :mod:`inspections.loadgen`.

SLA due times are exact, not approximated: calendar time for calendar policies, and for
working-time policies a cumulative working-time table (:class:`WorkClock`) built from the
same calendar, zone and working hours as :mod:`issues.sla`, so each stored due equals what
:func:`issues.sla.compute_due` gives for the issue (``tests/test_loadgen.py`` checks it).
Years the calendar does not cover are seeded from ``chinesecalendar`` as migration 0002
does for 2024–2026; a due in a year nobody can know yet stays empty with
``sla_calendar_gap``, as the app does. The notifications earlier sweeps sent are not
generated (inboxes start empty).

Everything is written in one transaction; the tables are vacuumed and analysed after."""

from __future__ import annotations

import bisect
import datetime as dt
import io
import json
import math
import random
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from closedloop.core.models import NumberSequence
from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import Department, Region, Store, User

from . import loadgen_text as text
from . import sla
from .choices import OPEN_STATUSES, Action, EventKind, Priority, Status
from .models import (
    Attachment,
    CalendarDay,
    CalendarYear,
    EscalationLevel,
    Issue,
    IssueEvent,
    SlaAlert,
    SlaClock,
    SlaMilestone,
    SlaPause,
    SystemicIssue,
)

US = 1_000_000
HOUR_US = 3600 * US
DAY_US = 24 * HOUR_US
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
ONE_DAY = dt.timedelta(days=1)
#: The password of every generated person, so the generated network can be tried in a
#: browser (hashed once, shared).
PASSWORD = "Demo-2026!"

TIERS = [("A", 20), ("B", 45), ("C", 35)]
#: Relative issue volume (and staff) of a store by tier.
TIER_WEIGHT = {"A": 1.6, "B": 1.0, "C": 0.6}
THROUGHPUT = {"A": (550, 950), "B": (280, 520), "C": (110, 260)}
#: (label, share of stores, go-live in days after the start of the generated period)
BATCHES = [("试点", 6, -30), ("第1批", 34, 60), ("第2批", 35, 200), ("第3批", 25, 400)]
OPS_STORES = 12  # stores per ops specialist (besides the one per region)
MEMBER_SHARE = 0.08  # of the people
MEMBER_WEIGHTS = {"IT": 30, "PRODUCT": 10, "SCM": 22, "CS": 14, "TRAINING": 10, "OPS": 14}

CATEGORIES = [("system", 35), ("process", 25), ("supply_chain", 20), ("people", 20)]
SCOPES = [("store", 60), ("multi_store", 20), ("region", 15), ("national", 5)]
SUGGESTED = {"store": "P2", "multi_store": "P1", "region": "P1", "national": "P0"}
CHANNELS = [("web", 72), ("dms", 14), ("inspection", 5), ("meeting", 4), ("chat", 5)]
ROUTING = {"system": "IT", "process": "OPS", "supply_chain": "SCM", "people": "TRAINING"}
#: Where the rest go (keyword rules, re-routing at triage).
ROUTING_OTHER = {"system": "PRODUCT", "process": "CS", "supply_chain": "OPS", "people": "OPS"}
#: Local hour of submission (Asia/Shanghai) and its weight; Monday..Sunday weights.
HOURS = {7: 1, 8: 4, 9: 9, 10: 12, 11: 11, 12: 6, 13: 7, 14: 10, 15: 11, 16: 10, 17: 8}
HOURS |= {18: 5, 19: 3, 20: 2, 21: 1, 22: 1}
WEEKDAY = [1.0, 1.0, 1.0, 1.0, 0.95, 0.6, 0.45]
#: Median hours from submission to triage, by suggested priority.
TRIAGE_HOURS = {"P0": 0.25, "P1": 1.5, "P2": 4.0, "P3": 4.0}
REJECT_SHARE, DUPLICATE_SHARE = 0.04, 0.025
#: First response and resolution as a share of the SLA target: lognormal (median, sigma).
RESPONSE_RATIO, RESOLUTION_RATIO = (0.35, 1.0), (0.45, 0.8)
#: Share of issues nobody ever finishes (parked improvement ideas, problems without an
#: owner): the open backlog of an older network.
STUCK = {"P0": 0.005, "P1": 0.03, "P2": 0.12, "P3": 0.25}
#: Questions to the store (待门店补充) and the share the store never answers.
ASK_SHARE, UNANSWERED_SHARE = 0.15, 0.08
CONFIRM_SHARE, REOPEN_SHARE = 0.65, 0.03
RATINGS = [(5, 45), (4, 35), (3, 12), (2, 5), (1, 3)]
SYSTEMIC_SHARE = 0.02
FLUSH_ISSUES = 20_000


def to_us(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(microseconds=1)


def from_us(value: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=value)


# --------------------------------------------------------------------------- the clock


class WorkClock:
    """Working time as a table: each covered working day's window in UTC microseconds
    and the working time accumulated before it.

    ``elapsed(t)`` is the working time from the first day to ``t``; adding working time
    is a binary search for the window where the sum is reached. Built from the calendar,
    zone and hours of :mod:`issues.sla`, it gives the moments :func:`issues.sla.compute_due`
    gives — the earliest moment a clock reaches its amount (18:00, not the next 09:00). A
    day beyond the covered years raises :class:`issues.sla.CalendarNotCovered`, as there."""

    def __init__(self, cal: sla.WorkCalendar, first: dt.date):
        zone = sla.sla_timezone()
        start, end = sla.workday_hours()
        self.opens: list[int] = []
        self.before: list[int] = []  # working time accumulated at each window's start
        self.ends: list[int] = []  # ... and at its end
        total = 0
        day = first
        last = dt.date(max(cal.years, default=first.year), 12, 31)
        while day <= last:
            try:
                working = cal.is_working_day(day)
            except sla.CalendarNotCovered:
                break
            if working:
                opens = to_us(dt.datetime.combine(day, start, tzinfo=zone))
                closes = to_us(dt.datetime.combine(day, end, tzinfo=zone))
                self.opens.append(opens)
                self.before.append(total)
                total += closes - opens
                self.ends.append(total)
            day += ONE_DAY
        #: The first moment the calendar knows nothing about, and its year.
        self.limit = to_us(dt.datetime.combine(day, dt.time.min, tzinfo=zone))
        self.uncovered_year = day.year

    def elapsed(self, t: int) -> int:
        if t >= self.limit:
            raise sla.CalendarNotCovered(self.uncovered_year)
        i = bisect.bisect_right(self.opens, t) - 1
        if i < 0:
            return 0
        return min(self.before[i] + (t - self.opens[i]), self.ends[i])

    def moment(self, target: int) -> int:
        """The earliest moment at which ``elapsed`` reaches ``target`` (> 0)."""
        j = bisect.bisect_left(self.ends, target)
        if j == len(self.ends):
            raise sla.CalendarNotCovered(self.uncovered_year)
        return self.opens[j] + (target - self.before[j])

    def add(self, start: int, amount: int) -> int:
        return self.moment(self.elapsed(start) + amount)


Pause = tuple[int, int | None]


def due_us(clock: WorkClock | None, start: int, amount: int, pause: Pause | None = None):
    """:func:`issues.sla.compute_due` in microseconds for at most one pause: calendar time
    when ``clock`` is None, working time otherwise. None when the clock stands still in
    an open pause before reaching ``amount``."""
    if pause is None or pause[0] <= start:
        return start + amount if clock is None else clock.add(start, amount)
    began, ended = pause
    if clock is None:
        available = began - start
        if amount <= available:
            return start + amount
        return None if ended is None else ended + (amount - available)
    available = clock.elapsed(began) - clock.elapsed(start)
    if amount <= available:
        return clock.add(start, amount)
    return None if ended is None else clock.add(ended, amount - available)


def _later(clock: WorkClock | None, start: int, amount: int, pause: Pause | None = None) -> int:
    """When something that takes ``amount`` of the policy's time (working time with a
    ``clock``) after ``start`` happens; beyond the covered calendar, in calendar time
    stretched as working time is (only the stored dues must follow the calendar)."""
    try:
        moment = due_us(clock, start, amount, pause)
    except sla.CalendarNotCovered:
        moment = None
    if moment is None:
        return start + (amount * 7 // 5 * 24 // 9 if clock is not None else amount)
    return moment


# --------------------------------------------------------------------------- helpers


def _escape(value: str) -> str:
    """A value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


_DAYS: dict[int, str] = {}


def _ts(value: int | None) -> str:
    """A UTC timestamp for COPY (formatted by hand: millions of them)."""
    if value is None:
        return "\\N"
    seconds, micro = divmod(value, US)
    day, second = divmod(seconds, 86400)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = (EPOCH + dt.timedelta(days=day)).date().isoformat()
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{date} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}+00"


def _opt(value) -> str:
    return "\\N" if value is None else str(value)


def _cumulative(pairs) -> tuple[list, list]:
    """(values, cumulative weights) for ``random.choices``."""
    values, cum, total = [], [], 0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cum.append(total)
    return values, cum


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders: sums exactly)."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _BulkLoad:
    """Around a load into empty tables, as ``pg_restore`` does: drop their foreign keys
    and secondary indexes, then rebuild them from their saved definitions (adding a
    foreign key back checks every row at once). Inside the caller's transaction, so
    nobody ever sees the tables without them."""

    def __init__(self, cursor, models):
        self.cursor = cursor
        self.tables = [model._meta.db_table for model in models]

    def __enter__(self):
        cursor = self.cursor
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
               FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)""",
            [self.tables],
        )
        self.keys = cursor.fetchall()
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique
                 AND NOT i.indisprimary""",
            [self.tables],
        )
        self.indexes = cursor.fetchall()
        for table, name, _definition in self.keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            return False  # the transaction rolls everything back
        cursor = self.cursor
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in self.indexes:
            cursor.execute(definition)
        for table, name, definition in self.keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return False


class _Copy:
    """Rows for one table, sent with ``COPY … FROM STDIN`` in batches."""

    def __init__(self, cursor, model, columns: list[str]):
        self.cursor = cursor
        quoted = ", ".join(f'"{column}"' for column in columns)  # "order" is reserved
        self.sql = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN"
        self.buffer = io.StringIO()
        self.rows = 0
        self.pending = 0

    def add(self, *values: str) -> None:
        self.buffer.write("\t".join(values))
        self.buffer.write("\n")
        self.rows += 1
        self.pending += 1

    def flush(self) -> None:
        if self.pending:
            self.buffer.seek(0)
            self.cursor.copy_expert(self.sql, self.buffer)
            self.buffer = io.StringIO()
            self.pending = 0


def _flush_all(writers) -> None:
    """Send every writer's pending rows."""
    for writer in writers:
        writer.flush()


class _Ids:
    """Primary keys handed out in advance from a table's sequence (advanced at the end)."""

    def __init__(self, cursor, model):
        self.cursor, self.table = cursor, model._meta.db_table
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [self.table])
        self.next = cursor.fetchone()[0]

    def take(self) -> int:
        self.next += 1
        return self.next - 1

    def close(self) -> None:
        self.cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [self.table, self.next]
        )


def _advance_numbers(cursor, name: str, last_by_year: dict[int, int]) -> None:
    """Move ``NumberSequence`` ``name`` (ISS, REF…) past the numbers written, per year, as
    :mod:`closedloop.core.numbering` would have (never backwards)."""
    table = NumberSequence._meta.db_table
    for year, value in last_by_year.items():
        cursor.execute(
            f"""INSERT INTO {table} (name, year, last_value) VALUES (%s, %s, %s)
                ON CONFLICT (name, year) DO UPDATE
                SET last_value = GREATEST({table}.last_value, EXCLUDED.last_value)""",
            [name, year, value],
        )


#: The tables loaded (empty before, as the command requires no issue to exist).
LOADED = [Issue, IssueEvent, Attachment, SlaMilestone, SlaAlert, SlaPause]

ISSUE_COLUMNS = [
    "id",
    "number",
    "store_id",
    "category",
    "title",
    "description",
    "impact_scope",
    "expected_resolution_date",
    "channel",
    "external_ref",
    "external_source",
    "status",
    "priority",
    "suggested_priority",
    "department_id",
    "suggested_department_id",
    "assignee_id",
    "submitted_by_id",
    "systemic_issue_id",
    "duplicate_of_id",
    "submitted_at",
    "triaged_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "updated_at",
    "response_due_at",
    "resolution_due_at",
    "sla_business_hours",
    "sla_paused_at",
    "sla_calendar_gap",
    "resolution",
    "reject_reason",
    "rating",
    "rating_comment",
    "reopen_count",
]
EVENT_COLUMNS = ["issue_id", "kind", "actor_id", "at", "action", "from_status", "to_status"]
EVENT_COLUMNS += ["body", "public", "data"]
ATTACHMENT_COLUMNS = ["id", "issue_id", "file", "original_name", "content_type", "size"]
ATTACHMENT_COLUMNS += ["uploaded_by_id", "uploaded_at"]


# --------------------------------------------------------------------------- data shapes


@dataclass
class Summary:
    stores: int = 0
    people: int = 0
    issues: int = 0
    open_issues: int = 0
    events: int = 0
    attachments: int = 0
    milestones: int = 0
    alerts: int = 0
    pauses: int = 0
    systemic: int = 0
    statuses: dict = field(default_factory=dict)
    #: The rectification projects (``rectification.loadgen.ProjectSummary``).
    projects: object = None
    #: The inspections (``inspections.loadgen.InspectionSummary``).
    inspections: object = None
    seconds: float = 0.0
    now: dt.datetime | None = None


@dataclass
class _StoreInfo:
    pk: int
    tier: str
    go_live: int  # µs
    managers: list[int] = field(default_factory=list)  # the 店长 first
    ops: list[int] = field(default_factory=list)  # the store's own ops first


@dataclass
class _Org:
    stores: list[_StoreInfo]
    departments: dict[str, int]  # code -> pk
    heads: dict[str, int]  # department code -> user pk
    members: dict[str, list[tuple[int, str]]]  # department code -> [(pk, username)]
    leads: list[int]
    dms: int
    dms_username: str
    usernames: dict[int, str]
    pks: dict[str, int]
    systemic: dict[str, list[int]]  # category -> systemic issue pks


@dataclass(slots=True)
class _Event:
    at: int
    kind: str
    actor: int | None
    action: str = ""
    from_status: str = ""
    to_status: str = ""
    body: str = ""
    public: bool = True
    data: dict | None = None


@dataclass(slots=True)
class _Issue:
    """One issue: what was drawn at submission, its planned life, its state at now."""

    pk: int
    number: str
    store: _StoreInfo
    submitted_at: int
    category: str = ""
    scope: str = ""
    channel: str = ""
    title: str = ""
    description: str = ""
    suggested: str = ""
    priority: str = ""
    route: str = ""
    department: str = ""
    submitter: int = 0
    external_ref: str = ""
    expected: str | None = None
    attachments: list = field(default_factory=list)  # (pk, name)
    events: list[_Event] = field(default_factory=list)
    owner: int | None = None
    answered_at: int | None = None
    duplicate_of: tuple[int, str] | None = None
    systemic: int | None = None
    # at now
    status: str = Status.SUBMITTED
    triaged_at: int | None = None
    first_response_at: int | None = None
    resolved_at: int | None = None
    closed_at: int | None = None
    assignee: int | None = None
    rating: int | None = None
    rating_comment: str = ""
    resolution: str = ""
    reject_reason: str = ""
    reopen_count: int = 0
    pause: Pause | None = None


# --------------------------------------------------------------------------- generation


class LoadGenerator:
    def __init__(
        self,
        *,
        stores: int,
        issues: int,
        people: int,
        seed: int = 1,
        years: float = 3,
        now: dt.datetime | None = None,
        say: Callable[[str], None] = print,
        projects: int | None = None,
        inspections: int | None = None,
    ):
        if stores < 1 or issues < 0 or years <= 0:
            raise ValueError("stores and years must be positive, issues not negative")
        self.n_stores, self.n_issues, self.n_people = stores, issues, people
        self.rng = random.Random(seed)
        self.seed = seed
        self.n_projects = projects
        self.n_inspections = inspections
        self.years = years
        self.now = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
        self.now_us = to_us(self.now)
        self.start_us = self.now_us - int(years * 365 * DAY_US)
        self.zone = sla.sla_timezone()
        self.say = say
        self.summary = Summary(now=self.now)
        self.started = time.perf_counter()

    def _elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:.0f} s"

    def run(self) -> Summary:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Check the deferred foreign keys row by row rather than queueing millions
                # of trigger events until the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL synchronous_commit = off")
            self._calendar()
            org = self._org()
            self.say(
                f"  organisation: {self.summary.stores:,} stores, {self.summary.people:,} people "
                f"({self._elapsed()})"
            )
            self._issues(org)
            self._projects()
            self._inspections()
        self._analyze()
        self.summary.seconds = time.perf_counter() - self.started
        return self.summary

    def _projects(self) -> None:
        """Rectification projects over the issues just written (``rectification.loadgen``):
        ``projects`` of them, 2 % of the issues by default."""
        from rectification import loadgen as rectification_load

        count = self.n_projects
        if count is None:
            count = rectification_load.default_projects(self.n_issues)
        self.summary.projects = rectification_load.generate(
            projects=count, seed=self.seed, now=self.now, say=self.say
        )
        self.say(f"  rectification projects written ({self._elapsed()})")

    def _inspections(self) -> None:
        """Inspections of the stores just written (``inspections.loadgen``):
        ``inspections`` of them, one per store every 45 days on average by default."""
        from inspections import loadgen as inspection_load

        count = self.n_inspections
        if count is None:
            count = inspection_load.default_inspections(self.n_stores, self.years)
        self.summary.inspections = inspection_load.generate(
            inspections=count, seed=self.seed, now=self.now, years=self.years, say=self.say
        )
        self.say(f"  inspections written ({self._elapsed()})")

    # ------------------------------------------------------------------- calendar

    def _calendar(self) -> None:
        """Cover the generated years in the work calendar from ``chinesecalendar`` (as
        migration 0002 does); a year it does not know stays uncovered."""
        import chinese_calendar

        first = timezone.localtime(from_us(self.start_us), self.zone).year
        last = timezone.localtime(self.now, self.zone).year
        known = set(CalendarYear.objects.values_list("year", flat=True))
        existing = set(CalendarDay.objects.values_list("date", flat=True))
        for year in range(first, last + 1):
            if year in known:
                continue
            rows = []
            day = dt.date(year, 1, 1)
            try:
                while day.year == year:
                    weekend = day.weekday() >= 5
                    workday = chinese_calendar.is_workday(day)
                    if weekend == workday and day not in existing:  # an exception
                        _, english = chinese_calendar.get_holiday_detail(day)
                        try:
                            name = chinese_calendar.Holiday(english).chinese
                        except ValueError:
                            name = english or ""
                        label = f"{name}调休" if workday else name
                        rows.append(CalendarDay(date=day, is_workday=workday, name=label))
                    day += ONE_DAY
            except NotImplementedError:
                continue
            CalendarDay.objects.bulk_create(rows)
            CalendarYear.objects.create(
                year=year, source="chinesecalendar", note="generate_load（chinesecalendar）"
            )
            self.say(f"  work calendar: {year} added from chinesecalendar")
        sla.invalidate_calendar_cache()

    # ------------------------------------------------------------------- organisation

    def _name(self) -> str:
        rng = self.rng
        given = rng.choice(text.GIVEN) + (rng.choice(text.GIVEN) if rng.random() < 0.6 else "")
        return rng.choice(text.SURNAMES) + given

    def _stores(self, regions) -> list[Store]:
        rng = self.rng
        counts = _apportion(self.n_stores, [share for _c, _n, share, _cities in text.REGIONS])
        batches, batch_cum = _cumulative((label, share) for label, share, _o in BATCHES)
        offsets = {label: days for label, _s, days in BATCHES}
        tiers, tier_cum = _cumulative(TIERS)
        used = set(Store.objects.values_list("code", flat=True))
        rows = []
        for (region, _name, _share, cities), count in zip(text.REGIONS, counts, strict=True):
            for (city, prefix, _w, districts), n in zip(
                cities, _apportion(count, [c[2] for c in cities]), strict=True
            ):
                districts = districts.split()
                for k in range(n):
                    again = k // len(districts)  # the second, third … store of a district
                    suffix = "" if not again else "二三四五六七八九十"[min(again - 1, 8)] + "店"
                    tier = rng.choices(tiers, cum_weights=tier_cum)[0]
                    batch = rng.choices(batches, cum_weights=batch_cum)[0]
                    if not rows:  # the flagship store piloted it: history starts with it
                        batch = batches[0]
                    live = from_us(self.start_us + offsets[batch] * DAY_US)
                    code = f"{prefix}{k + 1:04d}"
                    while code in used:
                        code += "X"
                    used.add(code)
                    low, high = THROUGHPUT[tier]
                    rows.append(
                        Store(
                            code=code,
                            name=f"{city}{districts[k % len(districts)]}{suffix} 4S店",
                            city=city,
                            region=regions[region],
                            tier=tier,
                            monthly_throughput=rng.randint(low, high) // 10 * 10,
                            rollout_batch=batch,
                            go_live_date=timezone.localtime(live, self.zone).date()
                            + dt.timedelta(days=rng.randint(0, 20)),
                        )
                    )
        return Store.objects.bulk_create(rows, batch_size=1000)

    def _org(self) -> _Org:
        rng = self.rng
        regions = {
            code: Region.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name, _s, _c in text.REGIONS
        }
        departments = {
            code: Department.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in text.DEPARTMENTS
        }
        stores = self._stores(regions)
        self.summary.stores = len(stores)

        password = make_password(PASSWORD)
        taken = set(User.objects.values_list("username", flat=True))
        users: list[User] = []

        def person(username: str, role: str, **fields) -> User:
            while username in taken:
                username += "x"
            taken.add(username)
            user = User(
                username=username,
                display_name=self._name(),
                role=role,
                password=password,
                email=f"{username}@load.example.com",
                **fields,
            )
            users.append(user)
            return user

        by_region = defaultdict(list)
        for store in stores:
            by_region[store.region.code].append(store)
        region_codes = [code for code, _n, _s, _c in text.REGIONS if by_region[code]]
        # Ops specialists: one over each whole region first (the benchmarks take the
        # broadest), then one per OPS_STORES stores of a region.
        ops_sets = [
            (person(f"ops_{code.lower()}", Role.OPS_SPECIALIST), by_region[code])
            for code in region_codes
        ]
        for code in region_codes:
            for i in range(0, len(by_region[code]), OPS_STORES):
                username = f"ops{len(ops_sets) - len(region_codes) + 1:03d}"
                chunk = by_region[code][i : i + OPS_STORES]
                ops_sets.append((person(username, Role.OPS_SPECIALIST), chunk))
        for code in region_codes:
            person(f"rd_{code.lower()}", Role.REGIONAL_DIRECTOR, region=regions[code])
        heads = {
            code: person(f"dh_{code.lower()}", Role.DEPARTMENT_HEAD, department=departments[code])
            for code, _name in text.DEPARTMENTS
        }
        leads = [person(f"ql{n}", Role.QUALITY_LEAD) for n in range(1, 4)]
        for n in range(1, 6):
            person(f"ex{n}", Role.EXECUTIVE)
        dms = person(
            "dms_gateway",
            Role.API_CLIENT,
            api_scopes=[ApiScope.ISSUES_WRITE.value, ApiScope.METRICS_WRITE.value],
        )
        n_members = max(len(departments), round(self.n_people * MEMBER_SHARE))
        n_managers = max(len(stores), self.n_people - len(users) - n_members)
        codes, code_cum = _cumulative(MEMBER_WEIGHTS.items())
        members = defaultdict(list)
        for n in range(n_members):
            code = codes[n] if n < len(codes) else rng.choices(codes, cum_weights=code_cum)[0]
            members[code].append(
                person(f"dm{n + 1:04d}", Role.DEPARTMENT_MEMBER, department=departments[code])
            )
        # Store managers: one per store (its 店长), the others by the store's size.
        _same, store_cum = _cumulative((s, TIER_WEIGHT[s.tier]) for s in stores)
        staff = defaultdict(list)
        for n in range(n_managers):
            store = stores[n] if n < len(stores) else rng.choices(stores, cum_weights=store_cum)[0]
            staff[store.pk].append(person(f"sm{n + 1:05d}", Role.STORE_MANAGER, store=store))

        User.objects.bulk_create(users, batch_size=1000)
        through = User.stores.through
        through.objects.bulk_create(
            [through(user_id=u.pk, store_id=s.pk) for u, chunk in ops_sets for s in chunk],
            batch_size=5000,
        )
        for code, head in heads.items():
            department = departments[code]
            if department.head_id is None:
                department.head = head
                department.save(update_fields=["head"])
        self.summary.people = len(users)

        infos = {
            s.pk: _StoreInfo(
                pk=s.pk,
                tier=s.tier,
                go_live=to_us(dt.datetime.combine(s.go_live_date, dt.time.min, self.zone)),
                managers=[u.pk for u in staff[s.pk]],
            )
            for s in stores
        }
        for user, chunk in reversed(ops_sets):  # a store's own ops before the region's
            for store in chunk:
                infos[store.pk].ops.append(user.pk)
        return _Org(
            stores=list(infos.values()),
            departments={code: d.pk for code, d in departments.items()},
            heads={code: u.pk for code, u in heads.items()},
            members={code: [(u.pk, u.username) for u in us] for code, us in members.items()},
            leads=[u.pk for u in leads],
            dms=dms.pk,
            dms_username=dms.username,
            usernames={u.pk: u.username for u in users},
            pks={u.username: u.pk for u in users},
            systemic=self._systemic(leads, departments),
        )

    def _systemic(self, leads, departments) -> dict[str, list[int]]:
        rng = self.rng
        rows, categories = [], []
        for n in range(max(4, self.n_issues // 25_000)):
            category, pattern = text.SYSTEMIC_TITLES[n % len(text.SYSTEMIC_TITLES)]
            title = pattern.format(part=rng.choice(text.PARTS), module=rng.choice(["工单", "结算"]))
            categories.append(category)
            rows.append(
                SystemicIssue(
                    title=f"{title}（{n + 1}）",
                    description="多家门店反映同一问题，已归并跟踪。",
                    status=rng.choice(["identified", "in_progress", "pushed", "landed"]),
                    owner=rng.choice(leads),
                    department=departments[ROUTING[category]],
                )
            )
        by_category = defaultdict(list)
        for row, category in zip(SystemicIssue.objects.bulk_create(rows), categories, strict=True):
            by_category[category].append(row.pk)
        self.summary.systemic = len(rows)
        return dict(by_category)

    # ------------------------------------------------------------------- when and where

    def _submissions(self, org: _Org) -> list[tuple[int, _StoreInfo]]:
        """(submitted_at µs, store) of every issue, in time order: by day in proportion to
        the live stores' size and the weekday, by hour as stores work."""
        rng = self.rng
        first_day = timezone.localtime(from_us(self.start_us), self.zone).date()
        now_local = timezone.localtime(self.now, self.zone)
        days = []
        day = first_day
        while day <= now_local.date():
            midnight = to_us(dt.datetime.combine(day, dt.time.min, tzinfo=self.zone))
            hours = HOURS
            if day == now_local.date():
                hours = {h: w for h, w in HOURS.items() if h < now_local.hour}
            live = [s for s in org.stores if s.go_live <= midnight]
            weight = sum(TIER_WEIGHT[s.tier] for s in live) * WEEKDAY[day.weekday()]
            weight *= sum(hours.values()) / sum(HOURS.values())
            days.append((midnight, hours, live, weight))
            day += ONE_DAY
        # Each issue's day drawn by weight (a multinomial: exactly n_issues, no rounding
        # that would starve the quiet early days).
        _days, day_cum = _cumulative((i, d[3]) for i, d in enumerate(days))
        counts = [0] * len(days)
        for i in rng.choices(range(len(days)), cum_weights=day_cum, k=self.n_issues):
            counts[i] += 1
        result = []
        for (midnight, hours, live, _w), count in zip(days, counts, strict=True):
            if not count:
                continue
            hour_values, hour_cum = _cumulative(hours.items())
            stores, store_cum = _cumulative((s, TIER_WEIGHT[s.tier]) for s in live)
            picks = rng.choices(stores, cum_weights=store_cum, k=count)
            moments = sorted(
                midnight
                + rng.choices(hour_values, cum_weights=hour_cum)[0] * HOUR_US
                + rng.randrange(3600) * US
                for _ in range(count)
            )
            result.extend(zip(moments, picks, strict=True))
        return result

    # ------------------------------------------------------------------- issues

    def _issues(self, org: _Org) -> None:
        policies = {p: sla.policy_for(p) for p in Priority.values}
        self.amounts = {
            p: [round(a * US) for a in sla.clock_targets(policies[p])] for p in policies
        }
        self.business = {p: policies[p].business_hours for p in policies}
        self.percents = list(
            EscalationLevel.objects.filter(active=True)
            .order_by("percent")
            .values_list("percent", flat=True)
        )
        first = timezone.localtime(from_us(self.start_us), self.zone).date() - ONE_DAY
        work = WorkClock(sla.WorkCalendar.from_db(), first)
        self.clocks = {p: (work if self.business[p] else None) for p in policies}
        self.draws = {
            "category": _cumulative(CATEGORIES),
            "scope": _cumulative(SCOPES),
            "channel": _cumulative(CHANNELS),
            "rating": _cumulative(RATINGS),
        }
        submissions = self._submissions(org)
        self.say(f"  {len(submissions):,} submission moments drawn ({self._elapsed()})")

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')), "
                "nextval(pg_get_serial_sequence(%s, 'id'))",
                [Issue._meta.db_table, Attachment._meta.db_table],
            )
            next_issue, self.next_attachment = cursor.fetchone()
            sequences = dict(
                NumberSequence.objects.filter(name="ISS").values_list("year", "last_value")
            )
            # Issues first in every batch: the other rows' foreign keys are checked at once.
            self.w_issue = _Copy(cursor, Issue, ISSUE_COLUMNS)
            self.w_event = _Copy(cursor, IssueEvent, EVENT_COLUMNS)
            self.w_attachment = _Copy(cursor, Attachment, ATTACHMENT_COLUMNS)
            self.w_milestone = _Copy(
                cursor, SlaMilestone, ["issue_id", "clock", "percent", "due_at"]
            )
            self.w_alert = _Copy(cursor, SlaAlert, ["issue_id", "clock", "percent", "created_at"])
            self.w_pause = _Copy(cursor, SlaPause, ["issue_id", "started_at", "ended_at"])
            writers = [self.w_issue, self.w_event, self.w_attachment]
            writers += [self.w_milestone, self.w_alert, self.w_pause]
            with _BulkLoad(cursor, LOADED):
                self._write_all(submissions, org, writers, next_issue, sequences)
            self.say(f"  indexes and foreign keys rebuilt ({self._elapsed()})")

            for model, last in (
                (Issue, next_issue + len(submissions) - 1),
                (Attachment, self.next_attachment - 1),
            ):
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [model._meta.db_table, max(last, 1)],
                )
            _advance_numbers(cursor, "ISS", sequences)

    def _write_all(self, submissions, org, writers, next_issue, sequences) -> None:
        recent = defaultdict(lambda: deque(maxlen=200))  # category -> (pk, number)
        statuses = defaultdict(int)
        report_every = max(1, len(submissions) // 10)
        for index, (submitted_at, store) in enumerate(submissions):
            year = timezone.localtime(from_us(submitted_at), self.zone).year
            sequences[year] = sequences.get(year, 0) + 1
            issue = _Issue(
                pk=next_issue + index,
                number=f"ISS-{year}-{sequences[year]:05d}",
                store=store,
                submitted_at=submitted_at,
            )
            self._draw(issue, org)
            self._plan(issue, org, recent[issue.category])
            self._cut(issue, org)
            self._write(issue, org)
            statuses[issue.status] += 1
            if issue.status not in (Status.REJECTED, Status.DUPLICATE):
                recent[issue.category].append((issue.pk, issue.number))
            if self.w_issue.pending >= FLUSH_ISSUES:
                _flush_all(writers)
            if (index + 1) % report_every == 0:
                self.say(f"  {index + 1:,} issues ({self._elapsed()})")
        _flush_all(writers)
        summary = self.summary
        summary.issues = self.w_issue.rows
        summary.events = self.w_event.rows
        summary.attachments = self.w_attachment.rows
        summary.milestones = self.w_milestone.rows
        summary.alerts = self.w_alert.rows
        summary.pauses = self.w_pause.rows
        summary.open_issues = sum(statuses.get(s, 0) for s in OPEN_STATUSES)
        summary.statuses = dict(sorted(statuses.items(), key=lambda kv: -kv[1]))

    def _draw(self, issue: _Issue, org: _Org) -> None:
        """What the store sends: category, scope, text, channel, photos."""
        rng = self.rng

        def pick(name):
            values, cum = self.draws[name]
            return rng.choices(values, cum_weights=cum)[0]

        issue.category = pick("category")
        issue.scope = pick("scope")
        issue.channel = pick("channel")
        issue.title, issue.description = self._text(issue.category)
        issue.suggested = issue.priority = SUGGESTED[issue.scope]
        if rng.random() < 0.2:  # the ops specialist grades differently at triage
            issue.priority = rng.choices(("P1", "P2", "P3"), weights=(3, 5, 2))[0]
        issue.route = ROUTING[issue.category]
        issue.department = issue.route if rng.random() < 0.88 else ROUTING_OTHER[issue.category]
        managers = issue.store.managers
        if issue.channel == "web":
            issue.submitter = managers[0] if rng.random() < 0.6 else rng.choice(managers)
        elif issue.channel == "dms":
            issue.submitter = org.dms
            issue.external_ref = f"WO{rng.randrange(10**10):010d}-{issue.pk}"
        else:  # transcribed by ops from an inspection, the meeting or a chat group
            issue.submitter = (issue.store.ops or org.leads)[0]
        if rng.random() < 0.4:
            local = timezone.localtime(from_us(issue.submitted_at), self.zone)
            issue.expected = (local + dt.timedelta(days=rng.randint(3, 30))).date().isoformat()
        issue.events.append(
            _Event(
                issue.submitted_at, EventKind.TRANSITION, issue.submitter, "submit", "", "submitted"
            )
        )
        photos = rng.randint(1, 4) if rng.random() < (0.4 if issue.channel == "web" else 0.1) else 0
        for _ in range(photos):
            name = f"IMG_{rng.randrange(10000):04d}.jpg"
            issue.attachments.append((self.next_attachment, name))
            issue.events.append(
                _Event(
                    issue.submitted_at,
                    EventKind.ATTACHMENT,
                    issue.submitter,
                    body=name,
                    data={"attachment": self.next_attachment},
                )
            )
            self.next_attachment += 1
        if org.systemic.get(issue.category) and rng.random() < SYSTEMIC_SHARE:
            issue.systemic = rng.choice(org.systemic[issue.category])

    def _text(self, category: str) -> tuple[str, str]:
        rng = self.rng
        n = rng.randint(2, 60)
        if category == "system":
            module, symptom = rng.choice(text.SYSTEM_MODULES), rng.choice(text.SYSTEM_SYMPTOMS)
            title = f"DMS {module}{symptom}" if rng.random() < 0.6 else f"{module}模块{symptom}"
            description = (
                f"{rng.choice(text.SYSTEM_WHEN)}{module}页面{symptom}，"
                f"{rng.choice(text.SYSTEM_IMPACT)}。本周已出现 {n} 次，"
                f"涉及 {rng.randint(3, 80)} 张工单。"
            )
            return title, description
        title, description = rng.choice(text.PROBLEMS[category])
        part = rng.choice(text.PARTS)
        title, description = title.format(part=part, n=n), description.format(part=part, n=n)
        if rng.random() < 0.3:
            description += text.WAITING_NOTE
        return title, description

    def _plan(self, issue: _Issue, org: _Org, recent: deque) -> None:
        """The issue's whole life as events, whether or not it has happened by now."""
        rng = self.rng
        events = issue.events
        clock = self.clocks[issue.priority]
        response_amount, resolution_amount = self.amounts[issue.priority]
        hours = rng.lognormvariate(math.log(TRIAGE_HOURS[issue.suggested]), 1.0)
        triaged = _later(
            self.clocks[issue.suggested], issue.submitted_at, int(min(hours, 96) * HOUR_US)
        )
        ops = issue.store.ops or org.leads
        triager = ops[0] if rng.random() < 0.9 else rng.choice(org.leads)
        roll = rng.random()
        if roll < REJECT_SHARE:
            events.append(
                _Event(
                    triaged,
                    EventKind.TRANSITION,
                    triager,
                    Action.REJECT,
                    Status.SUBMITTED,
                    Status.REJECTED,
                    rng.choice(text.REJECT_REASONS),
                )
            )
            return
        if roll < REJECT_SHARE + DUPLICATE_SHARE and recent:
            issue.duplicate_of = rng.choice(recent)
            number = issue.duplicate_of[1]
            events.append(
                _Event(
                    triaged,
                    EventKind.TRANSITION,
                    triager,
                    Action.MARK_DUPLICATE,
                    Status.SUBMITTED,
                    Status.DUPLICATE,
                    number,
                    data={"duplicate_of": number},
                )
            )
            return
        events.append(
            _Event(
                triaged,
                EventKind.TRANSITION,
                triager,
                Action.TRIAGE,
                Status.SUBMITTED,
                Status.TRIAGED,
                data={"priority": issue.priority, "department": issue.department},
            )
        )
        members = org.members.get(issue.department) or []
        head = org.heads[issue.department]
        owner = rng.choice(members)[0] if members and rng.random() < 0.7 else head
        ratio = rng.lognormvariate(math.log(RESPONSE_RATIO[0]), RESPONSE_RATIO[1])
        answered = max(
            _later(clock, issue.submitted_at, int(ratio * response_amount)), triaged + 300 * US
        )
        issue.answered_at = accepted = answered
        if rng.random() < 0.3:  # a public reply first, then the acceptance
            events.append(
                _Event(answered, EventKind.COMMENT, owner, body=rng.choice(text.COMMENTS))
            )
            accepted = answered + int(rng.uniform(0.3, 6) * HOUR_US)
        events.append(
            _Event(
                accepted,
                EventKind.TRANSITION,
                owner,
                Action.ACCEPT,
                Status.TRIAGED,
                Status.IN_PROGRESS,
            )
        )
        t = accepted
        if members and rng.random() < 0.15:
            t += int(rng.uniform(1, 24) * HOUR_US)
            new_pk, new_name = rng.choice(members)
            events.append(
                _Event(
                    t,
                    EventKind.ASSIGN,
                    head,
                    Action.ASSIGN,
                    body=new_name,
                    public=False,
                    data={"old": org.usernames.get(owner), "new": new_name},
                )
            )
            owner = new_pk
        pause = None
        if rng.random() < ASK_SHARE:
            asked = t + int(rng.lognormvariate(math.log(4), 1.0) * HOUR_US)
            replied = asked + int(min(rng.lognormvariate(math.log(18), 1.0), 400) * HOUR_US)
            pause = (asked, replied)
            store_side = org.dms if issue.channel == "dms" else issue.store.managers[0]
            events.append(
                _Event(
                    asked,
                    EventKind.TRANSITION,
                    owner,
                    Action.ASK_STORE,
                    Status.IN_PROGRESS,
                    Status.WAITING_FOR_STORE,
                    rng.choice(text.QUESTIONS),
                )
            )
            if rng.random() < UNANSWERED_SHARE:  # the store never answers: it waits on
                issue.owner = owner
                return
            events.append(
                _Event(
                    replied,
                    EventKind.TRANSITION,
                    store_side,
                    Action.STORE_REPLY,
                    Status.WAITING_FOR_STORE,
                    Status.IN_PROGRESS,
                    rng.choice(text.REPLIES),
                )
            )
            t = replied
        issue.owner = owner
        if rng.random() < STUCK[issue.priority]:
            for _ in range(rng.randint(0, 3)):  # progress notes, never a resolution
                t += int(rng.uniform(2, 40) * DAY_US)
                events.append(_Event(t, EventKind.COMMENT, owner, body=rng.choice(text.PROGRESS)))
            return
        ratio = rng.lognormvariate(math.log(RESOLUTION_RATIO[0]), RESOLUTION_RATIO[1])
        resolved = max(
            _later(clock, issue.submitted_at, int(ratio * resolution_amount), pause), t + 600 * US
        )
        events.append(
            _Event(
                resolved,
                EventKind.TRANSITION,
                owner,
                Action.RESOLVE,
                Status.IN_PROGRESS,
                Status.RESOLVED,
                rng.choice(text.RESOLUTIONS[issue.category]),
            )
        )
        self._plan_closing(issue, org, resolved, owner)

    def _plan_closing(self, issue: _Issue, org: _Org, resolved: int, owner: int) -> None:
        """Confirmation with a rating, or auto-close after 7 days; a few reopened once."""
        rng = self.rng
        events = issue.events
        store_side = org.dms if issue.channel == "dms" else issue.store.managers[0]
        wait = rng.lognormvariate(math.log(30), 1.0) * HOUR_US
        if rng.random() >= CONFIRM_SHARE or wait >= 7 * DAY_US:
            closed = resolved + 7 * DAY_US + rng.randrange(3600) * US  # the hourly job
            events.append(
                _Event(
                    closed,
                    EventKind.TRANSITION,
                    None,
                    Action.AUTO_CLOSE,
                    Status.RESOLVED,
                    Status.CLOSED,
                    text.AUTO_CLOSE_NOTE,
                )
            )
            return
        closed = resolved + int(wait)
        if rng.random() < REOPEN_SHARE:
            again = closed + int(rng.uniform(1, 240) * HOUR_US)
            events.append(
                _Event(
                    again,
                    EventKind.TRANSITION,
                    store_side,
                    Action.REOPEN,
                    Status.CLOSED,
                    Status.IN_PROGRESS,
                    rng.choice(text.REOPEN_REASONS),
                )
            )
            resolved = again + int(rng.lognormvariate(math.log(48), 0.8) * HOUR_US)
            events.append(
                _Event(
                    resolved,
                    EventKind.TRANSITION,
                    owner,
                    Action.RESOLVE,
                    Status.IN_PROGRESS,
                    Status.RESOLVED,
                    rng.choice(text.RESOLUTIONS[issue.category]),
                )
            )
            closed = resolved + int(rng.uniform(2, 72) * HOUR_US)
        values, cum = self.draws["rating"]
        rating = rng.choices(values, cum_weights=cum)[0]
        events.append(
            _Event(
                closed,
                EventKind.TRANSITION,
                store_side,
                Action.CONFIRM,
                Status.RESOLVED,
                Status.CLOSED,
                rng.choice(text.RATING_COMMENTS),
                data={"rating": rating},
            )
        )

    def _cut(self, issue: _Issue, org: _Org) -> None:
        """The issue as it stands at ``now``: the events up to now, replayed as the
        services apply them."""
        issue.events.sort(key=lambda e: e.at)  # stable: photos stay after the submission
        issue.events = [e for e in issue.events if e.at <= self.now_us]
        if issue.answered_at is not None and issue.answered_at <= self.now_us:
            issue.first_response_at = issue.answered_at
        for event in issue.events:
            if event.to_status:
                issue.status = event.to_status
            action = event.action
            if action == Action.TRIAGE:
                issue.triaged_at = event.at
            elif action == Action.ACCEPT:
                issue.assignee = issue.assignee or event.actor
            elif action == Action.ASSIGN:
                issue.assignee = org.pks[event.data["new"]]
            elif action == Action.ASK_STORE:
                issue.pause = (event.at, None)
            elif action == Action.STORE_REPLY:
                issue.pause = (issue.pause[0], event.at)
            elif action == Action.RESOLVE:
                issue.resolved_at, issue.resolution = event.at, event.body
            elif action == Action.CONFIRM:
                issue.closed_at = event.at
                issue.rating, issue.rating_comment = event.data["rating"], event.body
            elif action == Action.AUTO_CLOSE:
                issue.closed_at = event.at
            elif action == Action.REOPEN:
                issue.reopen_count += 1
                issue.resolved_at = issue.closed_at = issue.rating = None
                issue.rating_comment = ""
            elif action == Action.REJECT:
                issue.closed_at, issue.reject_reason = event.at, event.body
            elif action == Action.MARK_DUPLICATE:
                issue.closed_at = event.at
        if issue.status != Status.DUPLICATE:
            issue.duplicate_of = None

    def _write(self, issue: _Issue, org: _Org) -> None:
        rng = self.rng
        pk = str(issue.pk)
        triaged = issue.triaged_at is not None
        effective = issue.priority if triaged else issue.suggested
        clock = self.clocks[effective]
        amounts = self.amounts[effective]
        dues, gap = [], False
        for amount in amounts:
            try:
                dues.append(due_us(clock, issue.submitted_at, amount, issue.pause))
            except sla.CalendarNotCovered:
                dues.append(None)
                gap = True

        # The ladder: moments of open issues; the alerts sweeps raised until now (a clock
        # stops at the first response / resolution, the ladder at rejection).
        is_open = issue.status in OPEN_STATUSES
        stops = (
            issue.first_response_at if issue.first_response_at is not None else issue.closed_at,
            issue.resolved_at if issue.resolved_at is not None else issue.closed_at,
        )
        for name, amount, stop in zip(
            (SlaClock.RESPONSE.value, SlaClock.RESOLUTION.value), amounts, stops, strict=True
        ):
            for percent in self.percents:
                try:
                    moment = due_us(clock, issue.submitted_at, amount * percent // 100, issue.pause)
                except sla.CalendarNotCovered:
                    moment = None
                if moment is None:
                    continue
                if is_open:
                    self.w_milestone.add(pk, name, str(percent), _ts(moment))
                if moment <= self.now_us and (stop is None or moment < stop):
                    raised = min(moment + rng.randrange(120) * US, self.now_us)
                    self.w_alert.add(pk, name, str(percent), _ts(raised))
        if issue.pause is not None:
            self.w_pause.add(pk, _ts(issue.pause[0]), _ts(issue.pause[1]))

        paused_at = issue.pause[0] if issue.status == Status.WAITING_FOR_STORE else None
        if issue.assignee is None and issue.status in (
            Status.IN_PROGRESS,
            Status.WAITING_FOR_STORE,
        ):
            issue.assignee = issue.owner
        self.w_issue.add(
            pk,
            issue.number,
            str(issue.store.pk),
            issue.category,
            _escape(issue.title),
            _escape(issue.description),
            issue.scope,
            _opt(issue.expected),
            issue.channel,
            issue.external_ref,
            org.dms_username if issue.external_ref else "",
            issue.status,
            issue.priority if triaged else "",
            issue.suggested,
            str(org.departments[issue.department]) if triaged else "\\N",
            str(org.departments[issue.route]),
            _opt(issue.assignee),
            str(issue.submitter),
            _opt(issue.systemic),
            _opt(issue.duplicate_of[0] if issue.duplicate_of else None),
            _ts(issue.submitted_at),
            _ts(issue.triaged_at),
            _ts(issue.first_response_at),
            _ts(issue.resolved_at),
            _ts(issue.closed_at),
            _ts(issue.events[-1].at),
            _ts(dues[0]),
            _ts(dues[1]),
            "t" if self.business[effective] else "f",
            _ts(paused_at),
            "t" if gap else "f",
            _escape(issue.resolution),
            _escape(issue.reject_reason),
            _opt(issue.rating),
            _escape(issue.rating_comment),
            str(issue.reopen_count),
        )
        for e in issue.events:
            self.w_event.add(
                pk,
                e.kind,
                _opt(e.actor),
                _ts(e.at),
                e.action,
                e.from_status,
                e.to_status,
                _escape(e.body),
                "t" if e.public else "f",
                _escape(json.dumps(e.data, ensure_ascii=False)) if e.data else "{}",
            )
        for attachment_pk, name in issue.attachments:
            self.w_attachment.add(
                str(attachment_pk),
                pk,
                f"issues/{issue.number}/{name}",
                name,
                "image/jpeg",
                str(rng.randint(150_000, 4_500_000)),
                str(issue.submitter),
                _ts(issue.submitted_at),
            )

    # ------------------------------------------------------------------- after

    def _analyze(self) -> None:
        # VACUUM also sets the visibility map (index-only scans) as autovacuum would;
        # inside a transaction (tests) only ANALYZE is possible.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        from inspections.loadgen import LOADED as INSPECTION_TABLES
        from rectification.loadgen import LOADED as PROJECT_TABLES

        models = [Store, User, Issue, IssueEvent, Attachment, SlaMilestone, SlaAlert, SlaPause]
        models += PROJECT_TABLES + INSPECTION_TABLES
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"{command} {model._meta.db_table}")


def generate(
    *,
    stores: int,
    issues: int,
    people: int,
    seed: int = 1,
    years: float = 3,
    now: dt.datetime | None = None,
    say: Callable[[str], None] = print,
    projects: int | None = None,
    inspections: int | None = None,
) -> Summary:
    """Generate the network, its issues, rectification projects (``projects``; 2 % of
    ``issues`` when None) and inspections (``inspections``; one per store every 45 days
    when None); see the module docstring."""
    return LoadGenerator(
        stores=stores,
        issues=issues,
        people=people,
        seed=seed,
        years=years,
        now=now,
        say=say,
        projects=projects,
        inspections=inspections,
    ).run()
