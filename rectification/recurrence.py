"""Recurrence (复发, DOMAIN.md §7): a new issue of the same store and category as a
project that is observing, or was closed in the last 180 days, is suspected to be the
problem coming back (疑似复发). It is linked to that project when it is submitted, and the
project's ops specialist is told once.

The issue tracker does not know about projects: this module listens to the workflow
kit's ``recorded`` signal for the issue's history (connected in ``apps.py``) and acts on
the submission row; the triage queue reads the links (and the suggested cases) through
``rectification.selectors.triage_hints``. A project's category is the category of the
issue it was started from (a project without one has none and matches nothing)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, notify

from .choices import RECURRENCE_DAYS, Status
from .models import Project, ProjectEvent, Recurrence


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def window_start(submitted_at: dt.datetime) -> dt.datetime:
    """The earliest closure that still counts: the start of the (Shanghai) day
    ``RECURRENCE_DAYS`` days before the issue's submission day."""
    day = timezone.localdate(submitted_at) - dt.timedelta(days=RECURRENCE_DAYS)
    return _start_of_day(day)


def suspected_projects(*, store_id: int, category: str, submitted_at: dt.datetime):
    """The projects a new issue of ``store_id`` and ``category`` may be the recurrence
    of: observing ones, and closed ones whose closure lies within the window."""
    closed_recently = ProjectEvent.objects.filter(
        project=OuterRef("pk"),
        to_status=Status.CLOSED,
        at__gte=window_start(submitted_at),
        at__lte=submitted_at,
    )
    return (
        Project.objects.filter(store_id=store_id, issue__category=category)
        .filter(Q(status=Status.OBSERVING) | Q(Exists(closed_recently), status=Status.CLOSED))
        .select_related("store", "ops_specialist")
        .order_by("-created_at", "-pk")
    )


def _message(issue, project) -> Message:
    values = {"i": issue.number, "n": project.number, "t": project.title, "s": issue.store.name}
    return Message(
        kind="recurrence",
        level=Level.WARNING,
        title=_("疑似复发：%(i)s 与整改项目 %(n)s 同店同类") % values,
        body=_(
            "%(s)s 提交了新问题 %(i)s，与整改项目 %(n)s（%(t)s）同一门店、同一分类，请核实是否复发。"
        )
        % values,
        object_type="issue",
        object_ref=issue.number,
        url=issue.get_absolute_url(),
        dedupe_key=f"recurrence:{issue.pk}:{project.pk}",
    )


def flag(issue, *, at: dt.datetime | None = None) -> list[Recurrence]:
    """Link a newly submitted issue to every project it may be the recurrence of, and tell
    each project's ops specialist (once per issue and project, whatever retries do)."""
    at = at or issue.submitted_at
    links = []
    for project in suspected_projects(
        store_id=issue.store_id, category=issue.category, submitted_at=issue.submitted_at
    ):
        link, created = Recurrence.objects.get_or_create(
            issue=issue, project=project, defaults={"created_at": at}
        )
        links.append(link)
        if created:
            notify(recipients=[project.ops_specialist], message=_message(issue, project), at=at)
    return links


def on_issue_recorded(sender, row, obj, **kwargs) -> None:
    """Receiver of ``closedloop.core.workflow.recorded`` for the issue's history: the
    submission of a new issue is checked for recurrence (inside its transaction)."""
    from issues.choices import Action
    from issues.choices import Status as IssueStatus

    if row.action == Action.SUBMIT and row.to_status == IssueStatus.SUBMITTED:
        flag(obj, at=row.at)
