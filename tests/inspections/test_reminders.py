"""``inspection_reminders`` reminds once per missed follow-up step (DOMAIN.md §9): the
inspector and the store's ops specialists are told when the day after a step's due date
has begun and it is still not done — once, whatever retries, later runs, two sweeps at
the same moment in two processes, or the real Celery worker do."""

import datetime as dt
import json
import subprocess
import sys
import time

import psycopg2
import pytest
from django.db import connection
from django.db.models import Count

from closedloop.core import jobs
from closedloop.core.tasks import run_job
from closedloop.notifications.models import Notification
from inspections import services
from inspections.models import FollowUpAlert
from tests.celery_fixtures import (  # noqa: F401 (fixtures)
    BASE_DIR,
    celery_worker_process,
    private_queue,
    subprocess_env,
)
from tests.factories import UserFactory

from .helpers import finding, moment, perform

REPORT = dt.date(2026, 11, 20)


def at(day: dt.date, hour=9):
    return moment(day, hour)


def reminders():
    return Notification.objects.filter(dedupe_key__startswith="inspection_step:")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_each_missed_step_is_reminded_once(cast):
    second_ops = UserFactory(username="ops2", role="ops_specialist", stores=[cast.org.hangzhou])
    inspection = perform(cast, day=REPORT, findings=[finding()])
    # The day a step is due is still in time.
    assert jobs.run("inspection_reminders", at(dt.date(2026, 11, 21), 23)) == {
        "reminders": 0,
        "notifications": 0,
    }
    # 11-22: the call (due 11-21) is missed → the inspector and both ops specialists…
    assert jobs.run("inspection_reminders", at(dt.date(2026, 11, 22))) == {
        "reminders": 1,
        "notifications": 2,  # cast.ops is the inspector and covers the store: once
    }
    assert set(reminders().values_list("recipient__username", flat=True)) == {"ops", "ops2"}
    message = reminders().first()
    assert "24 小时沟通" in message.title and message.url == inspection.get_absolute_url()
    # …and never again: a retry at the same moment, a later run, a stale earlier one.
    for moment_ in ("2026-11-22T09:00:00+08:00", "2026-11-22T10:00:00+08:00"):
        assert run_job.apply(args=["inspection_reminders", moment_]).get() == {
            "reminders": 0,
            "notifications": 0,
        }
    # 11-24: the kick-off (due 11-23) is new; the call is not told twice.
    assert jobs.run("inspection_reminders", at(dt.date(2026, 11, 24)))["reminders"] == 1
    assert FollowUpAlert.objects.count() == 2
    assert reminders().count() == 4
    assert second_ops.notifications.count() == 2
    per_recipient = reminders().values("recipient", "dedupe_key").annotate(n=Count("pk"))
    assert {row["n"] for row in per_recipient} == {1}


@pytest.mark.django_db
def test_done_steps_and_finished_inspections_are_not_reminded(cast):
    inspection = perform(
        cast, day=REPORT, metrics=[{"metric": "nps", "baseline": 58, "standard": 70}]
    )
    services.record_step(
        inspection=inspection, actor=cast.ops, kind="call", done_on=REPORT, at=at(REPORT, 18)
    )
    accept_day = REPORT + dt.timedelta(days=25)
    services.reinspect(
        inspection=inspection,
        actor=cast.ops,
        date=accept_day,
        readings={inspection.metrics.get().pk: 72},
        at=at(accept_day, 18),
    )
    # Accepted: only the experience (due accept + 7) is watched now; the weekly logs and
    # the kick-off it skipped are not nagged about any more.
    assert jobs.run("inspection_reminders", at(accept_day + dt.timedelta(days=7)))["reminders"] == 0
    result = jobs.run("inspection_reminders", at(accept_day + dt.timedelta(days=8)))
    assert result["reminders"] == 1
    assert FollowUpAlert.objects.get().step.kind == "experience"


@pytest.mark.django_db
def test_the_job_is_registered_with_a_beat_schedule():
    from django_celery_beat.models import PeriodicTask

    assert "inspection_reminders" in jobs.names()
    jobs.sync_schedules()
    task = PeriodicTask.objects.get(name="inspection_reminders")
    assert task.task == "closedloop.run_job" and json.loads(task.args) == ["inspection_reminders"]
    assert (task.interval.every, task.interval.period) == (1, "hours")


# --------------------------------------------------------------------------- concurrency

STORES = 20  # × 3 missed steps (call, kick-off, week 1) at the sweep


def _locker():
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


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_remind_once(cast, private_queue):  # noqa: F811
    from tests.factories import StoreFactory

    for n in range(STORES):
        store = StoreFactory(code=f"R{n:03d}", region=cast.org.east)
        cast.ops.stores.add(store)
        perform(cast, store=store, day=REPORT)
    sweep_at = at(REPORT + dt.timedelta(days=8))  # call, kick-off and week 1 are missed

    # Hold the alert table so that neither sweep can insert until both wait on it.
    table = FollowUpAlert._meta.db_table
    locker = _locker()
    command = [
        sys.executable,
        "manage.py",
        "run_job",
        "inspection_reminders",
        "--at",
        sweep_at.isoformat(),
    ]
    env = subprocess_env(CELERY_TASK_DEFAULT_QUEUE=private_queue)
    procs = []
    try:
        with locker.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
            procs = [
                subprocess.Popen(
                    command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + 60
            while _waiting_on(cursor, table) < 2:
                assert time.monotonic() < deadline, "the two sweeps never reached the insert"
                assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
                time.sleep(0.05)
        locker.rollback()
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        locker.close()
        for p in procs:
            if p.poll() is None:
                p.kill()
    results = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err.decode(errors="replace")
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    assert sum(r["reminders"] for r in results) == STORES * 3
    assert sum(r["notifications"] for r in results) == STORES * 3
    assert FollowUpAlert.objects.count() == STORES * 3
    assert reminders().count() == STORES * 3
    per_recipient = reminders().values("recipient", "dedupe_key").annotate(n=Count("pk"))
    assert {row["n"] for row in per_recipient} == {1}


# --------------------------------------------------------------------------- the worker


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_real_worker_reminds_once(cast, celery_worker_process):  # noqa: F811
    perform(cast, day=REPORT)
    when = (REPORT + dt.timedelta(days=2)).isoformat() + "T09:00:00+08:00"
    first = celery_worker_process.run_job("inspection_reminders", when)
    assert first == {"reminders": 1, "notifications": 1}  # the call, to the inspector
    again = celery_worker_process.run_job("inspection_reminders", when)
    assert again == {"reminders": 0, "notifications": 0}
    celery_worker_process.drain()
    assert FollowUpAlert.objects.count() == 1
    assert reminders().get().recipient.username == "ops"
