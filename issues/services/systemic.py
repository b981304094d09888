"""系统性问题: creating one, grouping issues into it, moving its status — through the
systemic workflow (``SYSTEMIC_FLOW``), with a history row each."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from closedloop.errors import InvalidTransition, PermissionDenied
from closedloop.org.models import User

from .. import policy
from ..choices import NO_STATUS, EventKind, SystemicAction, SystemicStatus
from ..models import Issue, SystemicIssue
from ..workflow import ISSUE_FLOW, SYSTEMIC_FLOW
from .common import at_or_now, find_department, required_text


@transaction.atomic
def create_systemic_issue(
    *,
    actor: User,
    title: str,
    description: str = "",
    department=None,
    issues: Sequence[Issue] = (),
    at=None,
) -> SystemicIssue:
    if not policy.can_edit_systemic(actor):
        raise PermissionDenied(_("只有运营人员可以创建系统性问题。"))
    at = at_or_now(at)
    title = required_text(title, "title", _("请填写系统性问题名称。"))
    systemic = SystemicIssue.objects.create(
        title=title[:200],
        description=(description or "").strip(),
        owner=actor,
        department=find_department(department),
        status=NO_STATUS,
    )
    SYSTEMIC_FLOW.transition(systemic, action=SystemicAction.IDENTIFY, actor=actor, at=at)
    systemic.save(update_fields=["status"])
    if issues:
        group_into_systemic(systemic=systemic, issues=issues, actor=actor, at=at)
    return systemic


@transaction.atomic
def group_into_systemic(
    *, systemic: SystemicIssue, issues: Sequence[Issue], actor: User, at=None
) -> int:
    at = at_or_now(at)
    if not policy.can_edit_systemic(actor):
        raise PermissionDenied(_("只有运营人员可以归并系统性问题。"))
    grouped = []
    for issue in Issue.objects.select_for_update().filter(pk__in=[i.pk for i in issues]):
        if issue.systemic_issue_id == systemic.pk:
            continue
        issue.systemic_issue = systemic
        issue.save(update_fields=["systemic_issue", "updated_at"])
        ISSUE_FLOW.record(
            issue,
            kind=EventKind.SYSTEMIC,
            actor=actor,
            at=at,
            body=systemic.title,
            public=False,
            data={"systemic": systemic.pk},
        )
        grouped.append(issue.number)
    if grouped:
        grouped.sort()
        SYSTEMIC_FLOW.record(
            systemic,
            actor=actor,
            at=at,
            action=SystemicAction.GROUP,
            body=", ".join(grouped),
            data={"issues": grouped},
        )
    return len(grouped)


@transaction.atomic
def set_systemic_status(
    *, systemic: SystemicIssue, actor: User, status: str, at=None
) -> SystemicIssue:
    """Move a systemic issue to ``status`` by the action of its table that leads there."""
    if not policy.can_edit_systemic(actor):
        raise PermissionDenied(_("只有运营人员可以更新系统性问题。"))
    systemic = SYSTEMIC_FLOW.lock(systemic)
    action = next(
        (a for a in SYSTEMIC_FLOW.transitions if SYSTEMIC_FLOW.target(systemic, a) == status),
        None,
    )
    if action is None:
        raise InvalidTransition(
            _("系统性问题当前为“%(s)s”，不能改为“%(t)s”。")
            % {
                "s": systemic.get_status_display(),
                "t": SystemicStatus(status).label if status in SystemicStatus.values else status,
            }
        )
    SYSTEMIC_FLOW.transition(systemic, action=action, actor=actor, at=at_or_now(at))
    systemic.save(update_fields=["status", "updated_at"])
    return systemic
