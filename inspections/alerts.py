"""Follow-up reminders (DOMAIN.md §9: "inspection follow-up reminders").

A step of the follow-up plan is missed when the day after its due date has begun
(Asia/Shanghai) and it is still not done. The ``inspection_reminders`` job raises the
missed steps with ONE set-based statement, ``INSERT … SELECT … ON CONFLICT DO NOTHING
RETURNING`` into ``FollowUpAlert``, whose unique constraint makes each step's reminder
happen exactly once, whatever retries, overlapping beat runs or concurrent workers do.
The notifications are written in the same transaction (inbox, e-mail through the
outbox), so a reminder and its messages exist together or not at all.

Which steps count: every step but the experience one while the follow-up runs
(跟进中); only the experience step once the inspection is accepted (已验收)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, notify
from closedloop.org.choices import Role
from closedloop.org.models import User

from .choices import Status, StepKind
from .models import FollowUpAlert, FollowUpStep, Inspection

logger = logging.getLogger(__name__)

_SWEEP_SQL = """
INSERT INTO {alert} (step_id, created_at)
SELECT s.id, %(now)s
FROM {step} s
JOIN {inspection} i ON i.id = s.inspection_id
WHERE s.done_on IS NULL
  AND s.due_on < %(today)s
  AND (
      (i.status = %(following_up)s AND s.kind <> %(experience)s)
      OR (i.status = %(accepted)s AND s.kind = %(experience)s)
  )
  AND NOT EXISTS (SELECT 1 FROM {alert} a WHERE a.step_id = s.id)
ON CONFLICT (step_id) DO NOTHING
RETURNING step_id
"""


def _raise_missed(now: dt.datetime) -> list[int]:
    sql = _SWEEP_SQL.format(
        alert=FollowUpAlert._meta.db_table,
        step=FollowUpStep._meta.db_table,
        inspection=Inspection._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "now": now,
                "today": timezone.localdate(now),
                "following_up": Status.FOLLOWING_UP,
                "accepted": Status.ACCEPTED,
                "experience": StepKind.EXPERIENCE,
            },
        )
        return [row[0] for row in cursor.fetchall()]


def _message(step: FollowUpStep, now: dt.datetime) -> Message:
    inspection = step.inspection
    days = (timezone.localdate(now) - step.due_on).days
    return Message(
        kind="inspection_follow_up_overdue",
        level=Level.WARNING,
        title=_("巡检跟进逾期：%(s)s · %(k)s")
        % {"s": inspection.store.name, "k": step.get_kind_display()},
        body=_("%(s)s %(d)s 巡检的“%(k)s”应于 %(due)s 前完成，尚未记录。")
        % {
            "s": inspection.store.name,
            "d": inspection.inspected_on.isoformat(),
            "k": step.get_kind_display(),
            "due": step.due_on.isoformat(),
        }
        + (_("（已逾期 %(n)d 天）") % {"n": days} if days > 0 else ""),
        object_type="inspection",
        object_ref=str(inspection.pk),
        url=inspection.get_absolute_url(),
        dedupe_key=f"inspection_step:{step.pk}",
    )


@transaction.atomic
def sweep(now: dt.datetime) -> dict:
    """Remind the inspector and the store's ops specialists of every step missed by
    ``now`` that was not reminded before."""
    fired = _raise_missed(now)
    if not fired:
        return {"reminders": 0, "notifications": 0}
    steps = list(
        FollowUpStep.objects.filter(pk__in=fired).select_related(
            "inspection__store", "inspection__inspector"
        )
    )
    # The stores' ops specialists in one query, not one per reminder (a sweep after an
    # outage may raise many).
    ops_by_store = defaultdict(list)
    for row in User.stores.through.objects.filter(
        store_id__in={step.inspection.store_id for step in steps},
        user__is_active=True,
        user__role=Role.OPS_SPECIALIST,
    ).select_related("user"):
        ops_by_store[row.store_id].append(row.user)
    sent = 0
    for step in steps:
        inspection = step.inspection
        people = {inspection.inspector_id: inspection.inspector}
        people.update((u.pk, u) for u in ops_by_store[inspection.store_id])
        recipients = [p for p in people.values() if p.is_active]
        sent += len(notify(recipients=recipients, message=_message(step, now), at=now))
    logger.info("inspection_reminders at %s: %d steps, %d notifications", now, len(fired), sent)
    return {"reminders": len(fired), "notifications": sent}
