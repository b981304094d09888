"""``manage.py generate_load`` writes rectification projects over the generated issues
(``rectification/loadgen.py``): their whole life cut at ``now``, numbered as the app
numbers, readable by the pages and the KPI board, repeatable by seed."""

import datetime as dt
import hashlib
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count

from closedloop.core.models import NumberSequence
from closedloop.core.numbering import next_value
from closedloop.org.choices import Role
from closedloop.org.models import User
from dashboards.periods import Period
from dashboards.rectification import kpis
from issues import loadgen
from rectification import loadgen as project_load
from rectification.choices import ACTIVE_STATUSES, Status
from rectification.models import (
    Acceptance,
    Case,
    Closure,
    Project,
    ProjectEvent,
    Recheck,
    SignOff,
    TrackingLog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 3)


def _generate(seed=7, issues=2500, projects=200):
    return loadgen.generate(
        stores=24, issues=issues, people=120, seed=seed, now=NOW, say=str, projects=projects
    )


@pytest.fixture
def generated(db):
    return _generate()


def test_projects_have_the_life_of_a_network(generated):
    rect = generated.projects
    assert Project.objects.count() == rect.projects == 200
    statuses = Counter(Project.objects.values_list("status", flat=True))
    for status in (Status.CLOSED, Status.CANCELLED, Status.EXECUTING, Status.OBSERVING):
        assert statuses[status], status
    # Old projects are finished; the ones still worked are recent.
    year_ago = NOW - dt.timedelta(days=365)
    old = Counter(Project.objects.filter(created_at__lt=year_ago).values_list("status", flat=True))
    assert old[Status.CLOSED] + old[Status.CANCELLED] >= 0.9 * sum(old.values())
    active = Project.objects.filter(status__in=ACTIVE_STATUSES)
    assert active.filter(created_at__gte=NOW - dt.timedelta(days=200)).count() >= (
        0.8 * active.count()
    )
    # Each starts from an issue of its own store, mostly a P0/P1 one.
    projects = Project.objects.select_related("issue")
    assert all(p.issue.store_id == p.store_id for p in projects)
    assert sum(p.issue.priority in ("P0", "P1") for p in projects) >= 0.9 * len(projects)
    assert set(Project.objects.values_list("level", flat=True)) == {"A", "B", "C"}
    # Kicked off: three signatures before the kick-off; not kicked off: a draft.
    kicked = Project.objects.filter(kicked_off_at__isnull=False)
    assert set(
        SignOff.objects.filter(project__in=kicked)
        .values("project")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    ) == {3}
    assert not Project.objects.filter(kicked_off_at__isnull=True).exclude(
        status__in=[Status.DRAFT, Status.CANCELLED]
    )
    for project in Project.objects.filter(status=Status.EXECUTING):
        assert project.next_tracking_on is not None
        assert project.goals.exists() and project.measures.exists() and project.whys.exists()
    # Tracking logs at the level's cadence, capped.
    per_project = Counter(TrackingLog.objects.values_list("project", flat=True))
    assert per_project and max(per_project.values()) <= 2 * project_load.MAX_LOGS
    # Past acceptance: the scorecards; observing and later: rechecks; closed: checklist.
    for project in Project.objects.filter(status=Status.CLOSED).prefetch_related("events"):
        kinds = set(project.acceptances.values_list("kind", flat=True))
        assert kinds == {"initial", "formal"}
        assert project.events.filter(to_status=Status.CLOSED).count() == 1
        assert Closure.objects.filter(project=project).exists()
    for project in Project.objects.filter(status=Status.OBSERVING):
        assert project.acceptances.filter(kind="initial", conclusion="pass").exists()
        assert project.next_recheck_on is not None
    assert Recheck.objects.exists() and Acceptance.objects.filter(conclusion="fail").exists()
    assert 0 < Case.objects.count() < statuses[Status.CLOSED] + statuses[Status.PENDING_CLOSURE]
    assert Case.objects.filter(project__status__in=[Status.CLOSED, Status.PENDING_CLOSURE]).count()
    assert len(set(Project.objects.values_list("health", flat=True))) >= 2
    # Every history row is in time order and no later than now.
    assert not ProjectEvent.objects.filter(at__gt=NOW).exists()


def test_numbers_continue_the_sequence(db):
    NumberSequence.objects.create(name="REF", year=2025, last_value=41)
    _generate(issues=1500, projects=120)
    numbers = list(Project.objects.order_by("created_at", "pk").values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"REF-\d{4}-\d{3,}", n) for n in numbers)
    per_year = {}
    for number in numbers:
        _ref, year, value = number.split("-")
        per_year.setdefault(int(year), []).append(int(value))
    assert 2025 in per_year
    for year, values in per_year.items():
        first = 42 if year == 2025 else 1
        assert values == list(range(first, first + len(values))), year
        assert NumberSequence.objects.get(name="REF", year=year).last_value == values[-1]
    year = max(per_year)
    assert next_value("REF", year) == per_year[year][-1] + 1


def test_the_board_and_the_case_library_render_for_the_lead_and_ops(generated, client):
    lead = User.objects.filter(role=Role.QUALITY_LEAD).order_by("pk").first()
    ops = User.objects.get(username="ops_east")
    for user in (lead, ops):
        client.force_login(user)
        visible = Project.objects.visible_to(user)
        assert visible.exists()
        board = client.get("/rectification/")
        assert board.status_code == 200
        newest = visible.order_by("-created_at", "-pk").first()
        assert newest.number in board.content.decode()
        library = client.get("/rectification/cases/")
        assert library.status_code == 200
        case = Case.objects.visible_to(user).order_by("-created_at", "-pk").first()
        assert case.title in library.content.decode()
        detail = client.get(f"/rectification/{newest.number}/")
        assert detail.status_code == 200


def test_the_on_time_rate_is_computable(generated):
    result = kpis(Project.objects.all(), Period("range", dt.date(2023, 6, 1), TODAY))
    assert result.due > 20
    assert 0.3 < result.on_time_rate < 1
    assert result.ever_closed == Project.objects.filter(status=Status.CLOSED).count()
    assert result.avg_cycle_days and result.avg_cycle_days > 30


def _fingerprint() -> str:
    rows = Project.objects.order_by("number").values_list(
        "number", "store__code", "issue__number", "level", "status", "health", "created_at"
    )
    logs = TrackingLog.objects.order_by("project__number", "date").values_list(
        "project__number", "date", "progress", "assessment"
    )
    events = ProjectEvent.objects.order_by("project__number", "at", "pk").values_list(
        "project__number", "action", "at"
    )
    return hashlib.sha256(repr((list(rows), list(logs), list(events))).encode()).hexdigest()


def test_the_same_seed_gives_the_same_projects(db):
    fingerprints = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            _generate(seed=seed, issues=600, projects=40)
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


def test_foreign_keys_and_indexes_are_back_after_the_load(db):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE contype = 'f'), count(*) FROM pg_constraint
                   WHERE conrelid::regclass::text LIKE 'rectification_%%'"""
            )
            constraints = cursor.fetchone()
            cursor.execute(
                "SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'rectification_%%'"
            )
            return constraints, cursor.fetchone()[0]

    before = schema()
    _generate(issues=400, projects=20)
    assert schema() == before
    # The ids handed out in advance are taken from the sequences: a new row fits after.
    project = Project.objects.order_by("-pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('rectification_project', 'id'))")
        assert cursor.fetchone()[0] > project.pk


def test_default_is_two_percent_of_the_issues_and_the_command_reports(db, capsys):
    assert project_load.default_projects(1_000_000) == 20_000
    call_command(
        "generate_load",
        "--stores",
        "5",
        "--issues",
        "500",
        "--people",
        "30",
        "--now",
        "2026-05-06T10:00:00+08:00",
    )
    assert Project.objects.count() == 10
    assert "10 rectification projects" in capsys.readouterr().out


def test_command_takes_a_project_count_and_rejects_a_negative_one(db, capsys):
    with pytest.raises(CommandError, match="--projects"):
        call_command("generate_load", "--projects", "-1", "--issues", "10")
    call_command(
        "generate_load",
        "--stores",
        "3",
        "--issues",
        "300",
        "--people",
        "20",
        "--projects",
        "0",
        "--now",
        "2026-05-06T10:00:00+08:00",
    )
    assert not Project.objects.exists()
