"""The beat schedule (DOMAIN.md §9): every scheduled job has an enabled django-celery-beat
row, created after ``migrate`` from the job registry (``closedloop.core.jobs.sync_schedules``)
and editable in the admin; and each scheduled job, sent
the way beat sends it (``closedloop.run_job`` by name, through the real Redis broker to a
real worker), does its work in the database."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from closedloop.celery import app
from closedloop.core import jobs
from closedloop.core.models import Heartbeat
from closedloop.notifications import services as notification_services
from closedloop.notifications.choices import Channel, DeliveryStatus, Level
from closedloop.notifications.models import Delivery, Notification, Preference
from issues.choices import Status
from issues.models import CalendarYear, Issue, SlaAlert
from tests.celery_fixtures import default_queue, feishu_bot, seed_reference_data, wait_until
from tests.factories import new_issue, to_resolved, to_triaged

#: Registered jobs that only people run (``manage.py run_job``), never beat. Empty today:
#: a new job must either get a schedule (``register(..., every=/crontab=)``) or be listed
#: here, on purpose.
UNSCHEDULED: set[str] = set()

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _scheduled_job(task: PeriodicTask) -> str:
    args = json.loads(task.args or "[]")
    assert task.task == "closedloop.run_job", task.name
    assert len(args) == 1, f"{task.name}: beat must send exactly the job name, got {args}"
    return args[0]


# --------------------------------------------------------------------------- the rows


@pytest.mark.django_db
def test_every_registered_job_has_an_enabled_schedule():
    """Read what ``migrate`` left (the schedules are synced after it, and again after a
    ``transactional_db`` test flushes the tables)."""
    enabled = PeriodicTask.objects.filter(enabled=True, task="closedloop.run_job")
    scheduled = {_scheduled_job(task) for task in enabled}
    wanted = set(jobs.names()) - UNSCHEDULED
    assert wanted - scheduled == set(), "registered jobs that beat never runs"
    assert scheduled - set(jobs.names()) == set(), "schedules naming no registered job"
    app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert "closedloop.run_job" in app.tasks


@pytest.mark.django_db
def test_schedules_are_the_documented_ones():
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("interval", "crontab")}
    every = {
        name: (tasks[name].interval.every, tasks[name].interval.period)
        for name in ("sla_sweep", "outbox", "auto_close", "heartbeat")
    }
    assert every == {
        "sla_sweep": (2, IntervalSchedule.MINUTES),
        "outbox": (1, IntervalSchedule.MINUTES),
        "auto_close": (1, IntervalSchedule.HOURS),
        "heartbeat": (1, IntervalSchedule.MINUTES),
    }
    for name, hour in (("daily_digest", 8), ("calendar_check", 9)):
        schedule = tasks[name].crontab.schedule
        assert tasks[name].interval is None
        assert (schedule.hour, schedule.minute) == ({hour}, {0}), name
        assert schedule.day_of_week == set(range(7)), name
        assert str(schedule.tz) == "Asia/Shanghai", name
        # 08:00 in Shanghai is 00:00 UTC: the crontab counts in its own zone.
        fired = dt.datetime(2026, 11, 21, hour, 0, tzinfo=SHANGHAI)
        remaining = schedule.remaining_delta(fired)
        assert remaining[0] + remaining[1] == fired + dt.timedelta(days=1), name
    for task in tasks.values():
        assert task.task == "closedloop.run_job"
        assert json.loads(task.args) == [task.name]
        assert task.one_off is False and task.enabled is True


@pytest.mark.django_db
def test_beat_loads_the_interval_schedules_from_the_database():
    entries = DatabaseScheduler(app=app, lazy=True).all_as_schedule()
    for name in ("sla_sweep", "outbox", "auto_close", "heartbeat"):
        entry = entries[name]
        assert entry.task == "closedloop.run_job"
        assert entry.args == [name]
        # Runs that queued up while the worker was down expire instead of stampeding.
        assert entry.options["expires"] == entry.schedule.run_every.total_seconds()


@pytest.mark.django_db
def test_schedule_sync_is_idempotent_and_keeps_admin_edits():
    sweep = PeriodicTask.objects.get(name="sla_sweep")
    sweep.enabled = False
    sweep.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    sweep.save()
    PeriodicTask.objects.filter(name="heartbeat").delete()
    before = set(PeriodicTask.objects.values_list("name", flat=True))

    jobs.sync_schedules()
    jobs.sync_schedules()

    after = PeriodicTask.objects.values_list("name", flat=True)
    assert sorted(after) == sorted(before | {"heartbeat"})  # one row each, the missing one back
    sweep.refresh_from_db()
    assert sweep.enabled is False and sweep.interval.every == 5  # the edit survived
    assert IntervalSchedule.objects.filter(every=1, period=IntervalSchedule.MINUTES).count() == 1


# --------------------------------------------------------------------------- through a worker


@pytest.fixture
def live(transactional_db, module_worker):
    """Committed data the worker can see, the seeded reference data, and no work left in
    the worker's queue when the test's tables are truncated."""
    seed_reference_data()
    with default_queue(module_worker.queue):  # deliveries of the test's own commits too
        yield module_worker
        module_worker.drain()


@pytest.mark.celery_worker
def test_beat_sla_sweep_raises_the_overdue_alerts(live, cast):
    now = timezone.now()
    issue = new_issue(cast, impact_scope="national", when=now - dt.timedelta(hours=3))
    to_triaged(cast, issue, now - dt.timedelta(hours=3) + dt.timedelta(minutes=5), "P0")
    assert not SlaAlert.objects.exists()

    result = live.run_job("sla_sweep")

    # P0 answers in 1 h: 3 h on, every rung of the response ladder is due; resolution
    # (3 days) is not at 50 % yet.
    alerts = SlaAlert.objects.filter(issue=issue)
    assert sorted(alerts.values_list("clock", "percent")) == [
        ("response", 50),
        ("response", 75),
        ("response", 100),
        ("response", 200),
    ]
    assert result["alerts"] == 4
    assert Notification.objects.get(recipient=cast.lead, kind="sla_escalated").object_ref == (
        issue.number
    )


@pytest.mark.celery_worker
def test_beat_auto_close_closes_issues_resolved_a_week_ago(live, cast):
    now = timezone.now()
    issue = new_issue(cast, when=now - dt.timedelta(days=9))
    issue = to_resolved(cast, issue, now - dt.timedelta(days=8))
    recent = to_resolved(cast, new_issue(cast, when=now - dt.timedelta(days=3)), now)

    assert live.run_job("auto_close") == {"closed": 1}

    issue.refresh_from_db()
    recent.refresh_from_db()
    assert issue.status == Status.CLOSED and issue.closed_at is not None
    assert issue.events.filter(action="auto_close", actor__isnull=True).count() == 1
    assert recent.status == Status.RESOLVED


@pytest.mark.celery_worker
def test_beat_outbox_resends_a_delivery_the_broker_never_got(
    live,
    cast,
    bot_receiver,
    monkeypatch,
):
    bot = feishu_bot(bot_receiver.url, department=cast.org.it, min_level=Level.INFO)
    # The notification is committed but its enqueue fails (broker down): only the
    # outbox row is left, pending.
    monkeypatch.setattr(notification_services, "enqueue_deliveries", lambda ids: 0)
    with transaction.atomic():
        notification_services.notify(
            recipients=[],
            message=notification_services.Message(kind="test", title="出库单同步失败", body="x"),
            bots_to=[bot],
        )
    delivery = Delivery.objects.get(webhook=bot)
    assert delivery.status == DeliveryStatus.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=90)
    )
    monkeypatch.undo()

    assert live.run_job("outbox") == {"enqueued": 1}

    received = bot_receiver.wait_for("accepted", 1)
    assert received[0]["content"]["post"]["zh_cn"]["title"] == "出库单同步失败"
    delivery = wait_until(
        lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).first()
    )
    assert delivery.attempts == 1
    live.drain()
    assert len(bot_receiver.requests) == 1


@pytest.mark.celery_worker
def test_beat_heartbeat_writes_the_heartbeat(live):
    before = timezone.now()
    assert live.run_job("heartbeat")["count"] == 1
    beat = Heartbeat.objects.get(name="worker")
    assert beat.count == 1 and beat.seen_at >= before


@pytest.mark.celery_worker
def test_beat_daily_digest_queues_one_email_per_digest_reader(live, cast):
    Preference.objects.update_or_create(user=cast.member, defaults={"daily_digest": True})
    yesterday = timezone.now() - dt.timedelta(days=1)
    for n in range(3):
        Notification.objects.create(
            recipient=cast.member, kind="test", title=f"昨天的通知 {n}", created_at=yesterday
        )

    assert live.run_job("daily_digest") == {"sent": 1}

    digest = Delivery.objects.get(dedupe_key__startswith=f"digest:{cast.member.pk}:")
    assert digest.channel == Channel.EMAIL and digest.target == cast.member.email
    assert not Notification.objects.filter(recipient=cast.member, digested_at__isnull=True)
    # The worker sends it too (locmem e-mail inside the worker process).
    wait_until(lambda: Delivery.objects.filter(pk=digest.pk, status=DeliveryStatus.SENT).exists())
    assert live.run_job("daily_digest") == {"sent": 0}  # nothing new to digest


@pytest.mark.celery_worker
def test_beat_calendar_check_reports_missing_years(live):
    today = timezone.localdate()
    # The current year, and in December the next one too.
    wanted = [today.year] + ([today.year + 1] if today.month == 12 else [])
    for year in wanted:
        CalendarYear.objects.get_or_create(year=year)
    result = live.run_job("calendar_check")
    assert (result["missing_years"], result["warned"]) == ([], False)

    CalendarYear.objects.filter(year=today.year).delete()
    result = live.run_job("calendar_check")
    assert (result["missing_years"], result["warned"]) == ([today.year], True)
    assert Issue.objects.count() == 0
