"""Registry of scheduled jobs: each is a plain function ``job(now)`` that a Celery task
(run by beat) and ``manage.py run_job <job> [--at]`` both call.

Apps register their jobs in their ``jobs.py``::

    @register("tracking_reminders", every=dt.timedelta(minutes=30),
              description=gettext_noop("整改跟踪提醒（每 30 分钟）"))
    def tracking_reminders(now): ...

A job with ``every`` or ``crontab`` (``(minute, hour)`` or ``(minute, hour, day_of_week,
day_of_month)``, Asia/Shanghai) gets a django-celery-beat row after ``migrate``
(:func:`sync_schedules`): created when missing, looked up by name, never changed once it
exists — operations edit or disable it in the admin. A job without a schedule runs only
by ``run_job`` or from other code."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop

from .registry import discover

JobFunc = Callable[[dt.datetime], object]
TASK = "closedloop.run_job"
SCHEDULE_TIME_ZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Job:
    name: str
    func: JobFunc
    every: dt.timedelta | None = None
    crontab: tuple[str, ...] | None = None
    description: str = ""
    #: A queued run older than this is dropped (default: one period, or 6 h for crontabs).
    expire_seconds: int | None = None


REGISTRY: dict[str, JobFunc] = {}
JOBS: dict[str, Job] = {}


def register(
    name: str,
    *,
    every: dt.timedelta | None = None,
    crontab: tuple[str, ...] | None = None,
    description: str = "",
    expire_seconds: int | None = None,
):
    def decorator(func: JobFunc) -> JobFunc:
        REGISTRY[name] = func
        JOBS[name] = Job(name, func, every, crontab, description, expire_seconds)
        return func

    return decorator


def autodiscover() -> None:
    discover("jobs")


def run(name: str, at: dt.datetime | None = None):
    autodiscover()
    if name not in REGISTRY:
        raise KeyError(name)
    return REGISTRY[name](at or timezone.now())


def parse_moment(at: str | None) -> dt.datetime | None:
    """The ``--at`` of a run: ISO 8601, a naive time read in Asia/Shanghai; None → now.
    Raises ``ValueError`` for anything else."""
    if not at:
        return None
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {at!r}") from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def names() -> list[str]:
    autodiscover()
    return sorted(REGISTRY)


def _interval(every: dt.timedelta):
    from django_celery_beat.models import IntervalSchedule

    seconds = int(every.total_seconds())
    period, size = next(
        (name, size)
        for name, size in (("days", 86400), ("hours", 3600), ("minutes", 60), ("seconds", 1))
        if seconds % size == 0
    )
    every_n = seconds // size
    interval = IntervalSchedule.objects.filter(every=every_n, period=period).order_by("pk").first()
    return interval or IntervalSchedule.objects.create(every=every_n, period=period)


def _crontab(spec: tuple[str, ...]):
    from django_celery_beat.models import CrontabSchedule

    minute, hour, day_of_week, day_of_month = (*spec, "*", "*")[:4]
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": "*",
        "timezone": SCHEDULE_TIME_ZONE,
    }
    crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    return crontab or CrontabSchedule.objects.create(**fields)


def sync_schedules() -> list[str]:
    """Create the beat rows of scheduled jobs that have none; return their names."""
    from django_celery_beat.models import PeriodicTask, PeriodicTasks

    autodiscover()
    created = []
    for job in JOBS.values():
        if job.every is None and job.crontab is None:
            continue
        if PeriodicTask.objects.filter(name=job.name).exists():
            continue  # perhaps edited or disabled in the admin: never touched again
        if job.every is not None:
            schedule = {"interval": _interval(job.every)}
            expire = job.expire_seconds or int(job.every.total_seconds())
        else:
            schedule = {"crontab": _crontab(job.crontab)}
            expire = job.expire_seconds or 6 * 3600
        PeriodicTask.objects.create(
            name=job.name,
            task=TASK,
            args=json.dumps([job.name]),
            kwargs="{}",
            description=str(job.description),
            expire_seconds=expire,
            enabled=True,
            **schedule,
        )
        created.append(job.name)
    if created:
        PeriodicTasks.update_changed()
    return created


# --------------------------------------------------------------------------- the core's own job


@register(
    "heartbeat",
    every=dt.timedelta(minutes=1),
    description=gettext_noop("Worker 心跳（每分钟）"),
)
def heartbeat(now: dt.datetime):
    """Record that the worker (or whoever runs it) is alive at ``now``."""
    from .services import record_heartbeat

    beat = record_heartbeat(name="worker", at=now)
    return {"count": beat.count, "seen_at": beat.seen_at.isoformat()}
