"""``manage.py generate_load``: the generated network and issues are what the app itself
would have stored — due times, ladder moments and raised alerts agree with ``issues.sla``
and ``issues.alerts`` — numbered as the app numbers, repeatable by seed."""

import datetime as dt
import hashlib
import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F

from closedloop.core.models import NumberSequence
from closedloop.core.numbering import next_value
from closedloop.org.choices import Role
from closedloop.org.models import Store, User
from issues import alerts, loadgen, sla
from issues.choices import OPEN_STATUSES, Status
from issues.models import (
    Attachment,
    CalendarYear,
    Issue,
    IssueEvent,
    SlaAlert,
    SlaMilestone,
    SlaPause,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)  # a Wednesday, 15:30 in Beijing


def _generate(seed=7, issues=2500, now=NOW):
    return loadgen.generate(stores=24, issues=issues, people=120, seed=seed, now=now, say=str)


@pytest.fixture
def generated(db):
    return _generate()


def test_the_network_has_every_role_and_scope(generated):
    assert Store.objects.count() == 24
    roles = dict(User.objects.values_list("role").annotate(n=Count("pk")))
    assert roles[Role.STORE_MANAGER] >= 24
    for role in (
        Role.OPS_SPECIALIST,
        Role.REGIONAL_DIRECTOR,
        Role.DEPARTMENT_HEAD,
        Role.DEPARTMENT_MEMBER,
        Role.QUALITY_LEAD,
        Role.EXECUTIVE,
        Role.API_CLIENT,
    ):
        assert roles.get(role), role
    assert sum(roles.values()) == generated.people == 120
    # Every store has its manager and at least one ops specialist (its own and the region's).
    for store in Store.objects.prefetch_related("staff", "ops_specialists"):
        assert store.staff.exists()
        assert store.ops_specialists.count() == 2


def test_issues_have_the_life_of_a_network(generated):
    assert Issue.objects.count() == generated.issues == 2500
    statuses = set(Issue.objects.values_list("status", flat=True))
    # (Submitted, triaged and resolved are hours to days old: a small sample over three
    # years may hold none of them at a given moment.)
    assert statuses >= {"closed", "rejected", "duplicate", "in_progress", "waiting_for_store"}
    open_share = Issue.objects.filter(status__in=OPEN_STATUSES).count() / 2500
    assert 0.04 < open_share < 0.25
    # Timelines, attachments' rows, pauses: a few of each per issue, all in the past.
    assert IssueEvent.objects.count() == generated.events > 4 * 2500
    assert not IssueEvent.objects.filter(at__gt=NOW).exists()
    assert Attachment.objects.count() == generated.attachments > 0
    assert SlaPause.objects.count() == generated.pauses > 0
    closed = Issue.objects.filter(status=Status.CLOSED)
    assert not closed.filter(resolved_at__isnull=True).exists()
    assert not closed.filter(closed_at__lt=F("resolved_at")).exists()
    assert not Issue.objects.filter(status=Status.DUPLICATE, duplicate_of__isnull=True).exists()
    # Three years of history, Chinese text with the network's everyday words.
    first = Issue.objects.order_by("submitted_at").first().submitted_at
    assert NOW - first > dt.timedelta(days=3 * 365 - 60)
    for word in ("缺货", "工单", "配件", "系统卡顿", "等待时间"):
        assert (
            Issue.objects.filter(title__contains=word).exists()
            or Issue.objects.filter(description__contains=word).exists()
        ), word


def test_numbers_follow_the_numbering_service(generated):
    numbers = list(Issue.objects.order_by("submitted_at", "pk").values_list("number", flat=True))
    assert all(re.fullmatch(r"ISS-\d{4}-\d{5,}", n) for n in numbers)
    per_year = {}
    for number in numbers:  # per year, in submission order, from 1, without gaps
        _iss, year, value = number.split("-")
        per_year.setdefault(year, []).append(int(value))
    for year, values in per_year.items():
        assert values == list(range(1, len(values) + 1)), year
        sequence = NumberSequence.objects.get(name="ISS", year=int(year))
        assert sequence.last_value == len(values)
    year = max(per_year)
    assert next_value("ISS", int(year)) == len(per_year[year]) + 1


def test_due_times_are_what_the_sla_module_computes(generated):
    """Working hours, holidays and make-up days, pauses, uncovered years: the stored due
    times of a sample equal ``sla.compute_issue_dues`` of the same issue."""
    sample = random.Random(1).sample(list(Issue.objects.values_list("pk", flat=True)), 600)
    issues = Issue.objects.filter(pk__in=sample).prefetch_related("sla_pauses")
    kinds = set()
    for issue in issues:
        dues = sla.compute_issue_dues(issue)
        assert (dues.response_due_at, dues.resolution_due_at) == (
            issue.response_due_at,
            issue.resolution_due_at,
        ), issue.number
        assert (dues.business_hours, dues.calendar_gap) == (
            issue.sla_business_hours,
            issue.sla_calendar_gap,
        ), issue.number
        kinds.add((issue.sla_business_hours, bool(issue.sla_pauses.all())))
    assert kinds == {(False, False), (False, True), (True, False), (True, True)}


def test_ladder_moments_and_alerts_are_what_the_sweep_would_have_left(generated):
    open_issues = Issue.objects.filter(status__in=OPEN_STATUSES).prefetch_related("sla_pauses")
    assert SlaMilestone.objects.count() == generated.milestones > 0
    assert not SlaMilestone.objects.exclude(issue__status__in=OPEN_STATUSES).exists()
    for issue in open_issues[:300]:
        expected = sorted((m.clock, m.percent, m.due_at) for m in alerts.compute_milestones(issue))
        stored = sorted(issue.sla_milestones.values_list("clock", "percent", "due_at"))
        assert stored == expected, issue.number
    assert SlaAlert.objects.count() == generated.alerts > 0
    # Every rung due by now has been raised: a sweep at the generation moment finds
    # nothing, a sweep a day later finds the rungs of that day.
    with transaction.atomic():
        assert alerts._raise_due_alerts(NOW) == []
        assert alerts._raise_due_alerts(NOW + dt.timedelta(days=1))
        transaction.set_rollback(True)


def _fingerprint() -> str:
    rows = Issue.objects.order_by("number").values_list(
        "number",
        "store__code",
        "title",
        "description",
        "status",
        "priority",
        "submitted_at",
        "resolved_at",
        "response_due_at",
        "resolution_due_at",
    )
    events = IssueEvent.objects.order_by("issue__number", "at", "pk").values_list(
        "issue__number", "kind", "action", "at", "body"
    )
    return hashlib.sha256(repr((list(rows), list(events))).encode()).hexdigest()


def test_the_same_seed_gives_the_same_data(db):
    fingerprints = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            _generate(seed=seed, issues=600)
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


def test_foreign_keys_and_indexes_are_back_after_the_load(db):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE contype = 'f'), count(*)
                   FROM pg_constraint WHERE conrelid::regclass::text LIKE 'issues_%%'"""
            )
            constraints = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'issues_%%'")
            return constraints, cursor.fetchone()[0]

    before = schema()
    _generate(issues=300)
    assert schema() == before


def test_a_year_the_calendar_cannot_know_is_not_guessed(db):
    """History reaching into a year chinesecalendar covers gets that year's calendar; a
    due time beyond the covered years stays empty and flagged, as the app does."""
    assert not CalendarYear.objects.filter(year=2023).exists()
    summary = loadgen.generate(
        stores=6,
        issues=400,
        people=40,
        seed=3,
        now=dt.datetime(2026, 12, 20, 4, tzinfo=dt.UTC),
        say=str,
    )
    assert summary.issues == 400
    assert CalendarYear.objects.filter(year=2023).exists()
    late = Issue.objects.filter(sla_calendar_gap=True)
    assert late.exists()
    assert not late.filter(submitted_at__lt=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)).exists()
    for issue in late.prefetch_related("sla_pauses"):
        assert sla.compute_issue_dues(issue).calendar_gap


def test_work_clock_matches_add_working_time(db):
    cal = sla.WorkCalendar.from_db()
    clock = loadgen.WorkClock(cal, dt.date(2024, 1, 1))
    rng = random.Random(11)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    for _ in range(2000):
        moment = start + dt.timedelta(seconds=rng.randrange(2 * 365 * 86400))
        amount = rng.choice([3600, 32400, 72 * 3600, 15 * 32400, rng.randrange(1, 10**6)])
        expected = sla.add_working_time(moment, amount, cal)
        got = loadgen.from_us(clock.add(loadgen.to_us(moment), amount * loadgen.US))
        assert got == expected, (moment, amount)
    # A day's amount used up exactly at 18:00 ends there, not the next morning.
    friday = dt.datetime(2025, 3, 7, 1, tzinfo=dt.UTC)  # 09:00 in Beijing
    assert loadgen.from_us(clock.add(loadgen.to_us(friday), 32400 * loadgen.US)) == (
        friday + dt.timedelta(hours=9)
    )


def test_command_refuses_a_database_with_issues_unless_if_empty(generated, capsys):
    with pytest.raises(CommandError, match="already holds"):
        call_command("generate_load", "--issues", "10", "--stores", "2", "--people", "10")
    call_command("generate_load", "--if-empty", "--issues", "10")
    assert "nothing generated" in capsys.readouterr().out
    assert Issue.objects.count() == 2500


def test_command_generates_and_reports(db, capsys):
    call_command(
        "generate_load",
        "--stores",
        "5",
        "--issues",
        "200",
        "--people",
        "30",
        "--seed",
        "2",
        "--now",
        "2026-05-06T10:00:00+08:00",
    )
    out = capsys.readouterr().out
    assert "200 issues" in out and "history up to 2026-05-06 02:00:00 UTC" in out
    assert Issue.objects.count() == 200


def test_command_rejects_a_bad_moment(db):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("generate_load", "--now", "yesterday", "--issues", "1")
