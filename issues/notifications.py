"""Who hears about what happens to an issue. Called by the services inside their
transaction; the outbox delivers after commit (closedloop.notifications)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, notify
from closedloop.org.choices import Role
from closedloop.org.models import User

from .models import Issue


def _message(issue: Issue, kind: str, title: str, body: str = "", level=Level.INFO, key=""):
    return Message(
        kind=kind,
        level=level,
        title=title,
        body=body or f"{issue.store.name} · {issue.title}",
        object_type="issue",
        object_ref=issue.number,
        url=issue.get_absolute_url(),
        dedupe_key=key,
    )


def _ops_of(issue: Issue):
    return User.objects.filter(role=Role.OPS_SPECIALIST, is_active=True, stores=issue.store_id)


def submitted(issue: Issue, at) -> None:
    """A new problem: the store's ops specialists triage it."""
    notify(
        recipients=_ops_of(issue),
        message=_message(
            issue,
            "issue_submitted",
            _("新问题待分级：%(n)s") % {"n": issue.number},
            key=f"issue:{issue.pk}:submitted",
        ),
        at=at,
    )


def triaged(issue: Issue, at) -> None:
    """Routed: the owning department's head hears of it."""
    head = issue.department.head if issue.department else None
    notify(
        recipients=[head] if head else [],
        message=_message(
            issue,
            "issue_routed",
            _("%(p)s 问题分派到本部门：%(n)s") % {"p": issue.priority, "n": issue.number},
            level=Level.WARNING if issue.priority in ("P0", "P1") else Level.INFO,
            key=f"issue:{issue.pk}:routed:{issue.department_id}",
        ),
        at=at,
    )


def assigned(issue: Issue, at, event_id: int) -> None:
    notify(
        recipients=[issue.assignee],
        message=_message(
            issue,
            "issue_assigned",
            _("问题已指派给你：%(n)s") % {"n": issue.number},
            key=f"issue:{issue.pk}:assigned:{event_id}",
        ),
        at=at,
    )


def _store_side(issue: Issue):
    people = {issue.submitted_by}
    people.update(
        User.objects.filter(role=Role.STORE_MANAGER, is_active=True, store_id=issue.store_id)
    )
    return [p for p in people if p.role != Role.API_CLIENT]


def asked_store(issue: Issue, at, event_id: int, question: str) -> None:
    notify(
        recipients=_store_side(issue),
        message=_message(
            issue,
            "issue_waiting",
            _("请补充问题信息：%(n)s") % {"n": issue.number},
            body=question,
            level=Level.WARNING,
            key=f"issue:{issue.pk}:ask:{event_id}",
        ),
        at=at,
    )


def store_answered(issue: Issue, at, event_id: int, answer: str) -> None:
    """The store answered the department's question: whoever works on it (the assignee,
    else the department's head) goes on."""
    person = issue.assignee or (issue.department.head if issue.department else None)
    notify(
        recipients=[person] if person else [],
        message=_message(
            issue,
            "issue_store_answered",
            _("门店已补充信息：%(n)s") % {"n": issue.number},
            body=answer,
            key=f"issue:{issue.pk}:answered:{event_id}",
        ),
        at=at,
    )


def resolved(issue: Issue, at, event_id: int) -> None:
    notify(
        recipients=_store_side(issue),
        message=_message(
            issue,
            "issue_resolved",
            _("问题已解决，请确认并评分：%(n)s") % {"n": issue.number},
            body=issue.resolution,
            key=f"issue:{issue.pk}:resolved:{event_id}",
        ),
        at=at,
    )
