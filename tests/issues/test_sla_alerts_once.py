"""Each SLA alert happens once per issue, clock and level (DOMAIN.md §9), whatever retries
or overlapping runs do: sweeping again — at the same time, later, or as a delayed beat
message with an earlier time — raises nothing twice, and two sweeps running at the same
moment in two processes split the work without doubling any of it."""

import datetime as dt
import io
import json
import re
import subprocess
import sys
import time

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from closedloop.core import jobs
from closedloop.core.tasks import run_job
from closedloop.notifications.models import Delivery, Notification
from issues.models import SlaAlert
from tests.celery_fixtures import BASE_DIR, seed_reference_data, subprocess_env
from tests.factories import at, new_issue, to_triaged


def counts() -> tuple[int, int, int]:
    """(alerts, SLA inbox notifications, their deliveries)."""
    notifications = Notification.objects.filter(dedupe_key__startswith="sla:")
    return (
        SlaAlert.objects.count(),
        notifications.count(),
        Delivery.objects.filter(notification__in=notifications).count(),
    )


@pytest.mark.django_db
def test_sweeping_again_raises_each_alert_once(cast):
    seed_reference_data()
    issue = new_issue(cast, impact_scope="region", when=at(2026, 11, 23, 10, 0))
    to_triaged(cast, issue, at(2026, 11, 23, 10, 5), "P1")  # unassigned: the head is told

    assert jobs.run("sla_sweep", at(2026, 11, 23, 22, 0))["alerts"] == 1
    assert counts() == (1, 1, 1)
    assert jobs.run("sla_sweep", at(2026, 11, 23, 22, 0)) == {"alerts": 0, "notifications": 0}
    assert jobs.run("sla_sweep", at(2026, 11, 23, 23, 30)) == {"alerts": 0, "notifications": 0}
    assert counts() == (1, 1, 1)

    # 100 %: the head and the store's ops specialist. A retried task (same time), the
    # next run and a stale beat message carrying an earlier time change nothing.
    assert jobs.run("sla_sweep", at(2026, 11, 24, 10, 0)) == {"alerts": 2, "notifications": 3}
    for moment in ("2026-11-24T10:00:00+08:00", "2026-11-24T10:02:00+08:00"):
        result = run_job.apply(args=["sla_sweep", moment])
        assert result.get() == {"alerts": 0, "notifications": 0}
    assert jobs.run("sla_sweep", at(2026, 11, 23, 22, 0)) == {"alerts": 0, "notifications": 0}
    assert counts() == (3, 4, 4)
    per_recipient = Notification.objects.filter(dedupe_key__startswith="sla:").values(
        "recipient", "dedupe_key"
    )
    assert {row["n"] for row in per_recipient.annotate(n=Count("pk"))} == {1}


# --------------------------------------------------------------------------- concurrency

ISSUES = 50  # × 4 due response rungs = 200 alerts
SWEEP_AT = at(2026, 11, 23, 13, 0)


def _locker():
    """A second connection to the test database, outside Django's test transaction."""
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
def test_two_concurrent_sweeps_raise_each_alert_once(cast, private_queue):
    seed_reference_data()
    submitted = SWEEP_AT - dt.timedelta(hours=3)
    for n in range(ISSUES):
        issue = new_issue(cast, impact_scope="national", title=f"全国性故障 {n}", when=submitted)
        to_triaged(cast, issue, submitted + dt.timedelta(minutes=1), "P0")
    # P0 answers in 1 h: 3 h on, 50/75/100/200 % of the response clock are all due.
    assert counts() == (0, 0, 0)

    # Hold the alert table so that neither sweep can insert until both are waiting on
    # it: they are then certain to overlap, whatever their start-up times.
    table = SlaAlert._meta.db_table
    locker = _locker()
    command = [sys.executable, "manage.py", "run_job", "sla_sweep", "--at", SWEEP_AT.isoformat()]
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
        locker.rollback()  # release: both inserts go ahead at once
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

    # One sweep raised them all (or they split them); none was raised twice.
    assert sum(r["alerts"] for r in results) == ISSUES * 4
    # Per issue: 50 % and 75 % → the head (no assignee), 100 % → head + ops, 200 % → lead.
    assert sum(r["notifications"] for r in results) == ISSUES * 5
    assert counts() == (ISSUES * 4, ISSUES * 5, ISSUES * 5)
    per_recipient = Notification.objects.filter(dedupe_key__startswith="sla:").values(
        "recipient", "dedupe_key"
    )
    assert {row["n"] for row in per_recipient.annotate(n=Count("pk"))} == {1}
    assert set(
        Notification.objects.filter(dedupe_key__endswith=":response:200").values_list(
            "recipient__username", flat=True
        )
    ) == {"lead"}


@pytest.mark.django_db
def test_benchmark_command_sweeps_once_and_cleans_up(cast):
    """``manage.py benchmark sla_sweep`` on a small scale: the first sweep raises what it
    generated as due, the second finds nothing new, and nothing generated is left."""
    seed_reference_data()
    from closedloop.org.models import User
    from issues.models import Issue, SlaMilestone

    User.objects.filter(role="quality_lead").update(is_active=False)  # it refuses otherwise
    out = io.StringIO()
    call_command("benchmark", "sla_sweep", "--issues", "400", "--due-share", "0.1", stdout=out)
    lines = out.getvalue().splitlines()
    first = next(line for line in lines if line.startswith("sla_sweep first run"))
    second = next(line for line in lines if line.startswith("sla_sweep second run"))
    assert int(re.search(r"— ([\d,]+) alerts", first)[1].replace(",", "")) > 0, out.getvalue()
    assert second.endswith("— 0 alerts, 0 notifications"), out.getvalue()
    assert not Issue.objects.filter(number__startswith="ISS-1900-").exists()
    assert not SlaMilestone.objects.exists()
    assert not User.objects.filter(username__startswith="bench_").exists()
