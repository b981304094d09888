"""The stored SLA clock of an issue: due times and ladder moments recomputed whenever their
inputs change (creation, triage, priority change, pause, resume, configuration)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from .. import alerts, sla
from ..models import Issue


def recompute_due_times(issue: Issue) -> None:
    """Store the response and resolution due times from the policy, the start of the
    clock and the pauses (DOMAIN.md §3). Called on creation, triage, priority change,
    pause and resume."""
    dues = sla.compute_issue_dues(issue)
    issue.response_due_at = dues.response_due_at
    issue.resolution_due_at = dues.resolution_due_at
    issue.sla_business_hours = dues.business_hours
    issue.sla_calendar_gap = dues.calendar_gap


def save_with_new_clock(issue: Issue) -> None:
    """Save an issue whose clock inputs changed: new due times, new ladder moments."""
    recompute_due_times(issue)
    issue.save()
    alerts.sync_milestones(issue)


def recompute_open_issues(*, priority: str | None = None, batch: int = 500) -> int:
    """Recompute stored due times and ladder moments of open issues after the quality
    lead changed an SLA policy, the ladder or the calendar. Returns how many changed."""
    qs = Issue.objects.open().order_by("pk")
    if priority:
        qs = qs.filter(Q(priority=priority) | Q(priority="", suggested_priority=priority))
    changed = 0
    last_pk = 0
    while True:
        chunk = list(qs.filter(pk__gt=last_pk).prefetch_related("sla_pauses")[:batch])
        if not chunk:
            return changed
        with transaction.atomic():
            for issue in chunk:
                before = (issue.response_due_at, issue.resolution_due_at, issue.sla_calendar_gap)
                recompute_due_times(issue)
                after = (issue.response_due_at, issue.resolution_due_at, issue.sla_calendar_gap)
                if before != after:
                    issue.save(
                        update_fields=[
                            "response_due_at",
                            "resolution_due_at",
                            "sla_business_hours",
                            "sla_calendar_gap",
                            "updated_at",
                        ]
                    )
                    changed += 1
                alerts.sync_milestones(issue)
        last_pk = chunk[-1].pk
