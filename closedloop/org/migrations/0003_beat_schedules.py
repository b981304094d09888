"""The Celery beat schedule (DOMAIN.md §9 "Scheduled work") as django-celery-beat rows.

Every scheduled job is the task ``closedloop.run_job`` with the job's name as its only
argument (closedloop/jobs.py). The rows live in the database so that operations can edit
them in the admin (Periodic tasks); this migration only creates what is missing, looked up
by name, and never touches a row someone already edited or disabled.

Interval jobs expire after one period: if the worker was down, the queued runs that piled
up are dropped instead of all running at once — the next run does the same work anyway."""

import json

from django.db import migrations
from django.utils import timezone

TASK = "closedloop.run_job"
TIME_ZONE = "Asia/Shanghai"

#: name → (description, schedule, expire_seconds). A schedule is ("every", n, period)
#: or ("crontab", minute, hour).
SCHEDULES = {
    "sla_sweep": ("SLA 预警/超时升级（每 2 分钟）", ("every", 2, "minutes"), 120),
    "outbox": ("重发未送达的通知（每分钟）", ("every", 1, "minutes"), 60),
    "auto_close": ("已解决 7 天无异议自动关闭（每小时）", ("every", 1, "hours"), 3600),
    "heartbeat": ("Worker 心跳（每分钟）", ("every", 1, "minutes"), 60),
    "daily_digest": ("每日通知摘要（08:00）", ("crontab", "0", "8"), 6 * 3600),
    "calendar_check": ("检查工作日历是否已维护（每天 09:00）", ("crontab", "0", "9"), 6 * 3600),
}


def _schedule(apps, spec):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    kind, a, b = spec
    if kind == "every":
        interval = IntervalSchedule.objects.filter(every=a, period=b).order_by("pk").first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=a, period=b)
        return {"interval": interval}
    crontab = (
        CrontabSchedule.objects.filter(
            minute=a,
            hour=b,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIME_ZONE,
        )
        .order_by("pk")
        .first()
    )
    if crontab is None:
        crontab = CrontabSchedule.objects.create(
            minute=a,
            hour=b,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIME_ZONE,
        )
    return {"crontab": crontab}


def create_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    created = False
    for name, (description, spec, expire_seconds) in SCHEDULES.items():
        # By name: a row that exists (perhaps edited or disabled in the admin) is kept.
        _task, new = PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": TASK,
                "args": json.dumps([name]),
                "kwargs": "{}",
                "description": description,
                "expire_seconds": expire_seconds,
                "enabled": True,
                **_schedule(apps, spec),
            },
        )
        created = created or new
    if created:
        # A running beat (DatabaseScheduler) reloads its schedule when this changes;
        # historical models send no signals, so bump it by hand.
        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=list(SCHEDULES), task=TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_numbersequence"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
