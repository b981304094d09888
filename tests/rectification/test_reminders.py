"""Missed-tracking reminders (job ``tracking_reminders``): the ops specialist is reminded
once per missed tracking, the regional director once when a tracking is missed by two
intervals — whatever retries, later runs, stale runs or two sweeps at the same moment do."""

import threading
import time

import psycopg2
import pytest
from django.db import connection
from django.db.models import Count

from closedloop.core import jobs
from closedloop.core.tasks import run_job
from closedloop.notifications.models import Delivery, Notification
from rectification import services
from rectification.models import TrackingAlert

from ..celery_fixtures import default_queue, module_worker, seed_reference_data  # noqa: F401
from .helpers import add_log, at, day, executing

pytestmark = pytest.mark.django_db

LATER = [{"text": "流程再造", "kind": "root", "owner_name": "服务经理", "deadline": "2025-09-30"}]


def tracking_notes():
    return Notification.objects.filter(dedupe_key__startswith="tracking:")


def test_nothing_before_the_tracking_is_missed(cast):
    executing(cast, measures=LATER)  # first tracking due 9/24
    assert jobs.run("tracking_reminders", at(2025, 9, 24, 20)) == {
        "reminded": 0,
        "escalated": 0,
        "rechecks": 0,
        "notifications": 0,
    }
    assert not TrackingAlert.objects.exists()


def test_reminded_once_then_escalated_once(cast):
    project = executing(cast, measures=LATER)
    # 9/24 passed without a record: the ops specialist is told, once.
    first = jobs.run("tracking_reminders", at(2025, 9, 25, 8))
    assert first == {"reminded": 1, "escalated": 0, "rechecks": 0, "notifications": 1}
    note = tracking_notes().get()
    assert (note.recipient, note.kind, note.object_ref) == (
        cast.ops,
        "tracking_missed",
        project.number,
    )
    assert "2025-09-24" in note.title
    for moment in (at(2025, 9, 25, 8), at(2025, 9, 25, 9), at(2025, 9, 24, 20)):
        assert jobs.run("tracking_reminders", moment)["notifications"] == 0
    # A retried beat task (same time) changes nothing either.
    assert run_job.apply(args=["tracking_reminders", "2025-09-25T08:00:00+08:00"]).get() == {
        "reminded": 0,
        "escalated": 0,
        "rechecks": 0,
        "notifications": 0,
    }

    # 9/25 missed too: two intervals — another reminder, and the director is told.
    second = jobs.run("tracking_reminders", at(2025, 9, 26, 8))
    assert second == {"reminded": 1, "escalated": 1, "rechecks": 0, "notifications": 2}
    escalation = tracking_notes().get(kind="tracking_escalated")
    assert escalation.recipient == cast.director and escalation.level == "danger"
    assert jobs.run("tracking_reminders", at(2025, 9, 26, 20))["notifications"] == 0
    # Later misses remind the ops specialist again; the director only once per lapse.
    third = jobs.run("tracking_reminders", at(2025, 9, 27, 8))
    assert third == {"reminded": 1, "escalated": 0, "rechecks": 0, "notifications": 1}
    assert sorted(TrackingAlert.objects.values_list("kind", "due_on")) == [
        ("escalated", day(2025, 9, 24)),
        ("missed", day(2025, 9, 24)),
        ("missed", day(2025, 9, 25)),
        ("missed", day(2025, 9, 26)),
    ]
    per_recipient = tracking_notes().values("recipient", "dedupe_key").annotate(n=Count("pk"))
    assert {row["n"] for row in per_recipient} == {1}
    # Each notification is mailed once too (the outbox rows exist once).
    assert Delivery.objects.filter(notification__in=tracking_notes()).count() == 4


def test_a_record_stops_the_reminders(cast):
    project = executing(cast, measures=LATER)
    jobs.run("tracking_reminders", at(2025, 9, 25, 8))
    add_log(cast, project, day(2025, 9, 25), when=at(2025, 9, 25, 10))
    project.refresh_from_db()
    assert project.next_tracking_on == day(2025, 9, 26)
    assert jobs.run("tracking_reminders", at(2025, 9, 26, 20))["reminded"] == 0
    assert jobs.run("tracking_reminders", at(2025, 9, 27, 8))["reminded"] == 1


def test_every_second_day_for_level_b(cast):
    executing(cast, level="B", measures=LATER)  # due 9/25
    assert jobs.run("tracking_reminders", at(2025, 9, 26, 8))["reminded"] == 1
    assert jobs.run("tracking_reminders", at(2025, 9, 27, 8)) == {
        "reminded": 0,
        "escalated": 0,
        "rechecks": 0,
        "notifications": 0,
    }
    assert jobs.run("tracking_reminders", at(2025, 9, 28, 8))["escalated"] == 1


def test_projects_not_executing_are_not_reminded(cast):
    project = executing(cast, measures=LATER)
    services.submit(project=project, actor=cast.ops, at=at(2025, 9, 23, 18))
    assert jobs.run("tracking_reminders", at(2025, 10, 9, 8))["reminded"] == 0


def test_without_a_named_director_the_regions_directors_are_told(cast):
    project = executing(cast, measures=LATER, regional_director=None)
    assert project.regional_director == cast.director  # set by the director's signature
    project.regional_director = None
    project.save(update_fields=["regional_director"])
    jobs.run("tracking_reminders", at(2025, 9, 26, 8))
    assert tracking_notes().get(kind="tracking_escalated").recipient == cast.director


# --------------------------------------------------------------------------- concurrency


def _locker():
    """A second connection to the test database, outside Django's connections."""
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )


def _waiting_on(cursor, table: str) -> int:
    cursor.execute(
        "SELECT count(*) FROM pg_locks WHERE relation = %s::regclass AND NOT granted", [table]
    )
    return cursor.fetchone()[0]


PROJECTS = 6


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_raise_each_alert_once(cast):
    for n in range(PROJECTS):
        executing(cast, measures=LATER, title=f"等待时间过长 {n}")
    moment = at(2025, 9, 26, 8)  # two intervals missed: a reminder and an escalation each
    table = TrackingAlert._meta.db_table
    results, errors = [], []

    def sweep():
        try:
            results.append(jobs.run("tracking_reminders", moment))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Hold the alert table so that neither sweep can insert until both are waiting on it:
    # they are then certain to overlap.
    locker = _locker()
    threads = [threading.Thread(target=sweep) for _ in range(2)]
    try:
        with locker.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 60
            while _waiting_on(cursor, table) < 2:
                assert time.monotonic() < deadline, "the two sweeps never reached the insert"
                time.sleep(0.05)
        locker.rollback()  # release: both inserts go ahead at once
        for thread in threads:
            thread.join(timeout=120)
    finally:
        locker.close()

    assert not errors
    assert sum(r["reminded"] for r in results) == PROJECTS
    assert sum(r["escalated"] for r in results) == PROJECTS
    assert sum(r["notifications"] for r in results) == PROJECTS * 2
    assert TrackingAlert.objects.count() == PROJECTS * 2
    per_recipient = tracking_notes().values("recipient", "dedupe_key").annotate(n=Count("pk"))
    assert len(per_recipient) == PROJECTS * 2
    assert {row["n"] for row in per_recipient} == {1}


# --------------------------------------------------------------------------- real worker


@pytest.fixture
def live(transactional_db, module_worker):  # noqa: F811
    seed_reference_data()
    with default_queue(module_worker.queue):
        yield module_worker
        module_worker.drain()


@pytest.mark.celery_worker
def test_beat_tracking_reminders_through_the_worker(live, cast):
    project = executing(cast, measures=LATER)
    result = live.run_job("tracking_reminders", "2025-09-26T08:00:00+08:00")
    assert result == {"reminded": 1, "escalated": 1, "rechecks": 0, "notifications": 2}
    assert sorted(TrackingAlert.objects.filter(project=project).values_list("kind", flat=True)) == [
        "escalated",
        "missed",
    ]
    # The same message delivered again (a retry) raises nothing new.
    again = live.run_job("tracking_reminders", "2025-09-26T08:00:00+08:00")
    assert again == {"reminded": 0, "escalated": 0, "rechecks": 0, "notifications": 0}
    assert set(tracking_notes().values_list("recipient__username", flat=True)) == {
        "ops",
        "director",
    }


@pytest.mark.celery_worker
def test_beat_project_health_through_the_worker(live, cast):
    project = executing(cast)  # the emergency measure is due 9/23
    assert project.health == "green"
    assert live.run_job("project_health", "2025-09-24T00:05:00+08:00") == {"changed": 1}
    project.refresh_from_db()
    assert project.health == "red"


def test_run_job_command_with_at(cast):
    import io
    import json

    from django.core.management import call_command

    executing(cast, measures=LATER)
    out = io.StringIO()
    call_command("run_job", "tracking_reminders", "--at", "2025-09-25T08:00:00+08:00", stdout=out)
    assert json.loads(out.getvalue()) == {
        "reminded": 1,
        "escalated": 0,
        "rechecks": 0,
        "notifications": 1,
    }
    out = io.StringIO()
    call_command("run_job", "list", stdout=out)
    assert {"tracking_reminders", "project_health"} <= set(out.getvalue().split())
