"""Missed-tracking reminders (DOMAIN.md §5, §9).

A tracking due on D is missed once D is over without a record. Each sweep looks at the
executing projects whose next tracking date has passed and raises, per project:

- a reminder to its ops specialist for the most recent missed tracking, once per
  (project, due date) — the next missed one is reminded again;
- when the trackings of two intervals are missed, one escalation to the regional
  director (once per lapse, keyed by the first missed date).

"Once" is the unique constraint of ``TrackingAlert``: each alert row is written with
``INSERT … ON CONFLICT DO NOTHING RETURNING`` in the sweep's transaction together with
its notifications, so a retried task, an overlapping beat run or two workers sweeping at
the same moment raise nothing twice (the second insert waits for the first transaction
and then finds the row)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, bots_for, notify
from closedloop.org.choices import Role
from closedloop.org.models import User

from . import rules
from .choices import AlertKind, Status
from .models import Project, TrackingAlert

logger = logging.getLogger(__name__)

_INSERT = """
INSERT INTO {table} (project_id, kind, due_on, created_at)
VALUES (%s, %s, %s, %s)
ON CONFLICT (project_id, kind, due_on) DO NOTHING
RETURNING id
"""


def raise_alert(project: Project, kind: str, due_on: dt.date, now: dt.datetime) -> bool:
    """True when this call wrote the alert (it had never been raised)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT.format(table=TrackingAlert._meta.db_table), [project.pk, kind, due_on, now]
        )
        return cursor.fetchone() is not None


def _directors(project: Project) -> list[User]:
    if project.regional_director_id is not None:
        return [project.regional_director]
    return list(
        User.objects.filter(
            role=Role.REGIONAL_DIRECTOR, region_id=project.store.region_id, is_active=True
        )
    )


def _message(project: Project, kind: str, due_on: dt.date, count: int) -> Message:
    values = {
        "n": project.number,
        "t": project.title,
        "store": project.store.name,
        "d": due_on.isoformat(),
        "c": count,
        "ops": project.ops_specialist,
    }
    if kind == AlertKind.RECHECK:
        title = _("%(n)s 观察期复查逾期：%(d)s 应复查未记录") % values
        body = _("%(store)s · %(t)s\n请尽快完成观察期复查并填写复查记录。") % values
        level = Level.WARNING
    elif kind == AlertKind.MISSED:
        title = _("%(n)s 跟踪逾期：%(d)s 应跟踪未记录") % values
        body = _("%(store)s · %(t)s\n请尽快完成跟踪并填写跟踪记录。") % values
        level = Level.WARNING
    else:
        title = _("%(n)s 已连续 %(c)d 次未按期跟踪，请督促") % values
        body = _("%(store)s · %(t)s\n运营专家 %(ops)s 自 %(d)s 起未填写跟踪记录。") % values
        level = Level.DANGER
    return Message(
        kind=f"tracking_{kind}",
        level=level,
        title=title,
        body=body,
        object_type="rectification",
        object_ref=project.number,
        url=project.get_absolute_url(),
        dedupe_key=f"tracking:{project.pk}:{kind}:{due_on.isoformat()}",
    )


@transaction.atomic
def sweep(now: dt.datetime) -> dict:
    """Raise every missed-tracking reminder and escalation due at ``now``."""
    today = timezone.localdate(now)
    projects = (
        Project.objects.filter(status=Status.EXECUTING, next_tracking_on__lt=today)
        .select_related("store", "ops_specialist", "regional_director")
        .order_by("pk")  # every sweep inserts in the same order: no deadlock between two
    )
    reminded = escalated = sent = 0
    for project in projects:
        missed = rules.missed(project.next_tracking_on, project.execution_every_days, today)
        if not missed.count:
            continue
        if raise_alert(project, AlertKind.MISSED, missed.latest, now):
            reminded += 1
            message = _message(project, AlertKind.MISSED, missed.latest, missed.count)
            sent += len(notify(recipients=[project.ops_specialist], message=message, at=now))
        if missed.escalate and raise_alert(
            project, AlertKind.ESCALATED, project.next_tracking_on, now
        ):
            escalated += 1
            message = _message(project, AlertKind.ESCALATED, project.next_tracking_on, missed.count)
            bots = bots_for(region_id=project.store.region_id, level=message.level)
            sent += len(
                notify(recipients=_directors(project), message=message, bots_to=bots, at=now)
            )
    rechecks, recheck_sent = _sweep_rechecks(now, today)
    sent += recheck_sent
    logger.info(
        "tracking_reminders at %s: %d reminded, %d escalated, %d rechecks, %d notifications",
        now,
        reminded,
        escalated,
        rechecks,
        sent,
    )
    return {
        "reminded": reminded,
        "escalated": escalated,
        "rechecks": rechecks,
        "notifications": sent,
    }


def _sweep_rechecks(now: dt.datetime, today: dt.date) -> tuple[int, int]:
    """Observation rechecks (DOMAIN.md §7) at the observation cadence: a recheck due on D
    and not recorded by the end of D reminds the ops specialist, once per missed date."""
    projects = (
        Project.objects.filter(status=Status.OBSERVING, next_recheck_on__lt=today)
        .select_related("store", "ops_specialist")
        .order_by("pk")
    )
    reminded = sent = 0
    for project in projects:
        missed = rules.missed(project.next_recheck_on, project.observation_every_days, today)
        if not missed.count:
            continue
        due = missed.latest
        step = dt.timedelta(days=project.observation_every_days)
        while project.observation_to is not None and due > project.observation_to:
            due -= step  # no recheck falls due after the observation period
        if due < project.next_recheck_on:
            continue
        if raise_alert(project, AlertKind.RECHECK, due, now):
            reminded += 1
            message = _message(project, AlertKind.RECHECK, due, missed.count)
            sent += len(notify(recipients=[project.ops_specialist], message=message, at=now))
    return reminded, sent
