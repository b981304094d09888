"""The SLA escalation ladder (DOMAIN.md §3, §9).

Every time an issue's due times are recomputed, the moments its clocks reach each
ladder level are stored as ``SlaMilestone`` rows (in calendar or working time, pauses
excluded). The ``sla_sweep`` job then raises what is due with ONE set-based statement:
``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` into ``SlaAlert``, whose unique
constraint makes each (issue, clock, level) alert happen exactly once, whatever retries,
overlapping beat runs or concurrent workers do. Notifications are written in the same
transaction, so an alert and its messages exist together or not at all."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.models import Preference
from closedloop.notifications.services import Message, bots_for, notify
from closedloop.org.choices import Role
from closedloop.org.models import User

from . import sla
from .choices import OPEN_STATUSES
from .models import EscalationLevel, Issue, SlaAlert, SlaClock, SlaMilestone

logger = logging.getLogger(__name__)


def active_levels() -> list[EscalationLevel]:
    return list(EscalationLevel.objects.filter(active=True).order_by("percent"))


def compute_milestones(issue: Issue, *, levels=None, cal=None) -> list[SlaMilestone]:
    """The ladder moments of both clocks of ``issue`` (unsaved rows)."""
    priority = issue.priority or issue.suggested_priority
    if not priority:
        return []
    policy = sla.policy_for(priority)
    levels = active_levels() if levels is None else levels
    pauses = [(p.started_at, p.ended_at) for p in issue.sla_pauses.all()]
    if policy.business_hours and cal is None:
        cal = sla.WorkCalendar.load()
    rows = []
    for clock, amount in zip(SlaClock.values, sla.clock_targets(policy), strict=True):
        for level in levels:
            try:
                due = sla.compute_due(
                    issue.submitted_at,
                    amount_seconds=amount * level.percent / 100,
                    business=policy.business_hours,
                    pauses=pauses,
                    cal=cal,
                )
            except sla.CalendarNotCovered:
                due = None
            if due is not None:
                rows.append(
                    SlaMilestone(issue=issue, clock=clock, percent=level.percent, due_at=due)
                )
    return rows


def sync_milestones(issue: Issue) -> None:
    """Replace the issue's ladder moments (call after saving recomputed due times, and
    when the issue leaves or re-enters the open statuses).

    Only an open issue has a ladder: resolving, rejecting or marking a duplicate removes
    it, reopening computes it again. So the sweep reads the ladders of the open backlog,
    not of every issue ever closed (it scanned them all, growing with history)."""
    SlaMilestone.objects.filter(issue=issue).delete()
    if issue.status in OPEN_STATUSES:
        SlaMilestone.objects.bulk_create(compute_milestones(issue))


_SWEEP_SQL = """
INSERT INTO {alert} (issue_id, clock, percent, created_at)
SELECT m.issue_id, m.clock, m.percent, %(now)s
FROM {milestone} m
JOIN {issue} i ON i.id = m.issue_id
JOIN {level} l ON l.percent = m.percent AND l.active
WHERE m.due_at <= %(now)s
  AND i.status IN ('submitted', 'triaged', 'in_progress', 'waiting_for_store')
  AND (i.status <> 'waiting_for_store' OR m.due_at <= i.sla_paused_at)
  AND (m.clock = 'resolution' OR i.first_response_at IS NULL)
  AND (m.clock = 'response' OR i.resolved_at IS NULL)
  AND NOT EXISTS (
      SELECT 1 FROM {alert} a
      WHERE a.issue_id = m.issue_id AND a.clock = m.clock AND a.percent = m.percent
  )
ON CONFLICT (issue_id, clock, percent) DO NOTHING
RETURNING issue_id, clock, percent
"""


def _raise_due_alerts(now: dt.datetime) -> list[tuple[int, str, int]]:
    sql = _SWEEP_SQL.format(
        alert=SlaAlert._meta.db_table,
        milestone=SlaMilestone._meta.db_table,
        issue=Issue._meta.db_table,
        level=EscalationLevel._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now})
        return cursor.fetchall()


def _level_of(percent: int) -> str:
    return Level.WARNING if percent < 100 else Level.DANGER


def _kind_of(percent: int) -> str:
    if percent < 100:
        return "sla_due_soon"
    return "sla_overdue" if percent < 200 else "sla_escalated"


def _message(issue: Issue, clock: str, percent: int) -> Message:
    clock_label = SlaClock(clock).label
    due = issue.response_due_at if clock == SlaClock.RESPONSE else issue.resolution_due_at
    if percent < 100:
        title = _("%(n)s %(c)s时限已过 %(p)d%%") % {
            "n": issue.number,
            "c": clock_label,
            "p": percent,
        }
    elif percent < 200:
        title = _("%(n)s %(c)s已超时") % {"n": issue.number, "c": clock_label}
    else:
        title = _("%(n)s %(c)s严重超时（%(p)d%%），请升级处理") % {
            "n": issue.number,
            "c": clock_label,
            "p": percent,
        }
    from django.utils import timezone

    due_text = timezone.localtime(due).strftime("%Y-%m-%d %H:%M") if due else "—"
    body = _("%(store)s · %(title)s\n优先级 %(pri)s · 责任部门 %(dept)s · 截止 %(due)s") % {
        "store": issue.store.name,
        "title": issue.title,
        "pri": issue.priority or issue.suggested_priority or "—",
        "dept": issue.department.name if issue.department else _("待分级"),
        "due": due_text,
    }
    return Message(
        kind=_kind_of(percent),
        level=_level_of(percent),
        title=title,
        body=body,
        object_type="issue",
        object_ref=issue.number,
        url=issue.get_absolute_url(),
        dedupe_key=f"sla:{issue.pk}:{clock}:{percent}",
    )


def _recipients(issue: Issue, audience: str, ops_by_store, quality_leads) -> list[User]:
    head = issue.department.head if issue.department else None
    ops = ops_by_store.get(issue.store_id, [])
    if audience == EscalationLevel.Audience.OWNER:
        if issue.assignee is not None:
            return [issue.assignee]
        if head is not None:
            return [head]
        return ops  # not triaged yet: the store's ops specialists owe the answer
    if audience == EscalationLevel.Audience.HEAD_AND_OPS:
        return ([head] if head else []) + ops
    return list(quality_leads)


def _preferences(users) -> dict[int, Preference]:
    """The notification preferences of ``users`` by user id (created where missing, as
    ``preference_for`` would one by one)."""
    ids = {user.pk for user in users if user is not None}
    found = {p.user_id: p for p in Preference.objects.filter(user_id__in=ids)}
    missing = ids - found.keys()
    if missing:
        Preference.objects.bulk_create(
            [Preference(user_id=pk) for pk in missing], ignore_conflicts=True
        )
        found.update((p.user_id, p) for p in Preference.objects.filter(user_id__in=missing))
    return found


@transaction.atomic
def sweep(now: dt.datetime) -> dict:
    """Raise every ladder alert due at ``now`` (set-based) and notify its audience."""
    fired = _raise_due_alerts(now)
    if not fired:
        return {"alerts": 0, "notifications": 0}
    issues = Issue.objects.select_related("store", "department__head", "assignee").in_bulk(
        {issue_id for issue_id, _clock, _p in fired}
    )
    store_ids = {issue.store_id for issue in issues.values()}
    ops_by_store = defaultdict(list)
    through = User.stores.through
    for row in through.objects.filter(
        store_id__in=store_ids, user__is_active=True, user__role=Role.OPS_SPECIALIST
    ).select_related("user"):
        ops_by_store[row.store_id].append(row.user)
    quality_leads = list(User.objects.filter(role=Role.QUALITY_LEAD, is_active=True))
    audiences = dict(EscalationLevel.objects.values_list("percent", "audience"))
    told = [
        (
            issues[issue_id],
            clock,
            percent,
            _recipients(issues[issue_id], audiences[percent], ops_by_store, quality_leads),
        )
        for issue_id, clock, percent in fired
    ]
    # The recipients' channel choices and the group bots per scope are loaded once, not
    # once per alert: a sweep after an outage raises thousands.
    preferences = _preferences([user for *_rest, recipients in told for user in recipients])
    bots_by_scope: dict[tuple, list] = {}
    sent = 0
    for issue, clock, percent, recipients in told:
        message = _message(issue, clock, percent)
        for user in recipients:
            user._notification_preference_cache = preferences.get(user.pk)
        scope = (issue.department_id, issue.store.region_id, message.level)
        if scope not in bots_by_scope:
            bots_by_scope[scope] = bots_for(
                department_id=scope[0], region_id=scope[1], level=scope[2]
            )
        sent += len(
            notify(recipients=recipients, message=message, bots_to=bots_by_scope[scope], at=now)
        )
    logger.info("sla_sweep at %s: %d alerts, %d notifications", now, len(fired), sent)
    return {"alerts": len(fired), "notifications": sent}
