"""The issue's life after intake: every transition of its allowed-transitions table, and the
recorded changes that are not transitions (priority, assignment, comments).

Each service locks the row, validates its input, lets the kit check the table and the
actor's right and record the history row, then applies the change and its side effects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import DEPARTMENT_ROLES
from closedloop.org.models import User

from .. import alerts, policy
from .. import notifications as notices
from ..choices import AUTO_CLOSE_DAYS, REOPEN_WINDOW_DAYS, Action, EventKind, Priority, Status
from ..models import Issue, IssueEvent, SlaPause
from ..selectors import reopen_expired
from ..workflow import ISSUE_FLOW
from .clock import save_with_new_clock
from .common import at_or_now, find_department, limited_text, required_text
from .uploads import check_uploads, save_uploads


def _priority(value) -> str:
    if value not in Priority.values:
        raise DomainError(_("优先级应为 P0–P3。"), field="priority")
    return value


@transaction.atomic
def triage(*, issue: Issue, actor: User, priority: str, department=None, at=None) -> Issue:
    """分级: set the priority and the owning department (default: the suggestion)."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    priority = _priority(priority)
    department = find_department(department) or issue.suggested_department
    if department is None:
        raise DomainError(_("请选择责任部门。"), field="department")
    ISSUE_FLOW.transition(
        issue,
        action=Action.TRIAGE,
        actor=actor,
        at=at,
        data={"priority": priority, "department": department.code},
    )
    issue.priority = priority
    issue.department = department
    issue.triaged_at = at
    save_with_new_clock(issue)
    notices.triaged(issue, at)
    return issue


@transaction.atomic
def change_priority(
    *, issue: Issue, actor: User, priority: str, department=None, reason: str = "", at=None
) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    ISSUE_FLOW.check(issue, Action.CHANGE_PRIORITY, actor)
    reason = limited_text(reason, "reason")
    priority = _priority(priority)
    department = find_department(department) or issue.department
    old = {
        "priority": issue.priority,
        "department": issue.department.code if issue.department else None,
    }
    ISSUE_FLOW.record(
        issue,
        kind=EventKind.PRIORITY,
        actor=actor,
        at=at,
        action=Action.CHANGE_PRIORITY,
        body=reason,
        public=False,
        data={"old": old, "new": {"priority": priority, "department": department.code}},
    )
    if department != issue.department:
        issue.assignee = None
    issue.priority = priority
    issue.department = department
    save_with_new_clock(issue)
    return issue


@transaction.atomic
def reject(*, issue: Issue, actor: User, reason: str, at=None) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    reason = required_text(reason, "reason", _("驳回必须填写原因。"))
    ISSUE_FLOW.transition(issue, action=Action.REJECT, actor=actor, at=at, body=reason)
    issue.reject_reason = reason
    issue.closed_at = at
    issue.save()
    alerts.sync_milestones(issue)  # no ladder any more
    return issue


@transaction.atomic
def mark_duplicate(*, issue: Issue, actor: User, duplicate_of: Issue, at=None) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    if duplicate_of is None or duplicate_of.pk == issue.pk:
        raise DomainError(_("请指定保留的问题（不能是它自己）。"), field="duplicate_of")
    if duplicate_of.status in (Status.DUPLICATE, Status.REJECTED):
        raise DomainError(_("保留的问题不能是已驳回或重复的问题。"), field="duplicate_of")
    ISSUE_FLOW.transition(
        issue,
        action=Action.MARK_DUPLICATE,
        actor=actor,
        at=at,
        body=duplicate_of.number,
        data={"duplicate_of": duplicate_of.number},
    )
    issue.duplicate_of = duplicate_of
    issue.closed_at = at
    issue.save()
    alerts.sync_milestones(issue)  # no ladder any more
    return issue


def _mark_first_response(issue: Issue, at) -> None:
    if issue.first_response_at is None:
        issue.first_response_at = at


@transaction.atomic
def accept(*, issue: Issue, actor: User, at=None) -> Issue:
    """受理: the department takes the issue; counts as its first response."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    ISSUE_FLOW.transition(issue, action=Action.ACCEPT, actor=actor, at=at)
    _mark_first_response(issue, at)
    if issue.assignee_id is None and actor.role in DEPARTMENT_ROLES:
        issue.assignee = actor
    issue.save()
    return issue


@transaction.atomic
def assign(*, issue: Issue, actor: User, assignee: User, at=None) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    ISSUE_FLOW.check(issue, Action.ASSIGN, actor)
    if (
        assignee is None
        or not assignee.is_active
        or not (assignee.role in DEPARTMENT_ROLES and assignee.department_id == issue.department_id)
    ):
        raise DomainError(_("处理人必须是责任部门的在职成员。"), field="assignee")
    old = issue.assignee.username if issue.assignee else None
    event = ISSUE_FLOW.record(
        issue,
        kind=EventKind.ASSIGN,
        actor=actor,
        at=at,
        action=Action.ASSIGN,
        body=str(assignee),
        public=False,
        data={"old": old, "new": assignee.username},
    )
    issue.assignee = assignee
    issue.save()
    if assignee.pk != actor.pk:
        notices.assigned(issue, at, event.pk)
    return issue


@transaction.atomic
def comment(*, issue: Issue, actor: User, body: str, public: bool = True, at=None) -> IssueEvent:
    """A public reply or an internal note. A public reply by the owning department is its
    first response; an internal note never is."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    if not policy.can_comment(actor, issue, public=public):
        raise PermissionDenied(
            _("你无权在该问题下发表内部备注。") if not public else _("你无权回复该问题。")
        )
    body = required_text(body, "body", _("请填写内容。"))
    if (
        public
        and issue.status == Status.WAITING_FOR_STORE
        and policy.answers_for_store(actor, issue)
    ):
        # The store replied instead of using 补充信息: that reply is its answer.
        return _store_answers(issue, actor, body, at)
    if public and policy.counts_as_department_response(actor, issue):
        _mark_first_response(issue, at)
        issue.save(update_fields=["first_response_at", "updated_at"])
    return ISSUE_FLOW.record(
        issue,
        kind=EventKind.COMMENT if public else EventKind.NOTE,
        actor=actor,
        at=at,
        body=body,
        public=public,
    )


@transaction.atomic
def ask_store(*, issue: Issue, actor: User, question: str, at=None) -> Issue:
    """待门店补充: ask the store for more; both SLA clocks stop until it answers."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    question = required_text(question, "question", _("请写明需要门店补充的内容。"))
    event = ISSUE_FLOW.transition(issue, action=Action.ASK_STORE, actor=actor, at=at, body=question)
    _mark_first_response(issue, at)
    SlaPause.objects.create(issue=issue, started_at=at)
    issue.sla_paused_at = at
    save_with_new_clock(issue)
    notices.asked_store(issue, at, event.pk, question)
    return issue


@transaction.atomic
def store_reply(*, issue: Issue, actor: User, body: str, files: Sequence = (), at=None) -> Issue:
    """The store answers; the clocks run again and the due times move by the pause."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    body = required_text(body, "body", _("请填写补充内容。"))
    checked = check_uploads(files, existing=issue.attachments.count())
    _store_answers(issue, actor, body, at)
    save_uploads(issue, checked, actor, at)
    return issue


def _store_answers(issue: Issue, actor: User, body: str, at) -> IssueEvent:
    """门店补充 (the issue is locked): back to 处理中, and the department hears of it."""
    event = ISSUE_FLOW.transition(issue, action=Action.STORE_REPLY, actor=actor, at=at, body=body)
    _end_wait(issue, at)
    notices.store_answered(issue, at, event.pk, body)
    return event


def _end_wait(issue: Issue, at) -> None:
    """The clocks run again; the due times move by the pause."""
    SlaPause.objects.filter(issue=issue, ended_at__isnull=True).update(ended_at=at)
    issue.sla_paused_at = None
    save_with_new_clock(issue)


@transaction.atomic
def resume(*, issue: Issue, actor: User, reason: str, at=None) -> Issue:
    """恢复处理: the department goes on without waiting longer for the store's answer
    (it came by phone, or is no longer needed); the clocks run again."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    reason = required_text(reason, "reason", _("恢复处理必须填写原因。"))
    ISSUE_FLOW.transition(issue, action=Action.RESUME, actor=actor, at=at, body=reason)
    _end_wait(issue, at)
    return issue


@transaction.atomic
def resolve(*, issue: Issue, actor: User, resolution: str, at=None) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    resolution = required_text(resolution, "resolution", _("请填写解决方案。"))
    event = ISSUE_FLOW.transition(issue, action=Action.RESOLVE, actor=actor, at=at, body=resolution)
    issue.resolution = resolution
    issue.resolved_at = at
    issue.save()
    alerts.sync_milestones(issue)  # both clocks have stopped: no ladder while resolved
    notices.resolved(issue, at, event.pk)
    return issue


@transaction.atomic
def confirm(*, issue: Issue, actor: User, rating, comment: str = "", at=None) -> Issue:
    """The store confirms the fix and rates it 1–5: closed."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating is None or not 1 <= rating <= 5:
        raise DomainError(_("评分应为 1–5 分。"), field="rating")
    comment = limited_text(comment, "comment")
    ISSUE_FLOW.transition(
        issue, action=Action.CONFIRM, actor=actor, at=at, body=comment, data={"rating": rating}
    )
    issue.rating = rating
    issue.rating_comment = comment
    issue.closed_at = at
    issue.save()
    return issue


@transaction.atomic
def reopen(*, issue: Issue, actor: User, reason: str, at=None) -> Issue:
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    reason = required_text(reason, "reason", _("重新打开必须填写原因。"))
    if reopen_expired(issue, at):
        raise InvalidTransition(
            _("问题解决已超过 %(n)d 天，不能重新打开，请提交新问题。") % {"n": REOPEN_WINDOW_DAYS}
        )
    ISSUE_FLOW.transition(issue, action=Action.REOPEN, actor=actor, at=at, body=reason)
    issue.reopen_count += 1
    issue.resolved_at = None
    issue.closed_at = None
    issue.rating = None
    issue.rating_comment = ""
    issue.save()
    alerts.sync_milestones(issue)  # open again: its ladder is back
    return issue


@transaction.atomic
def auto_close(*, issue: Issue, at=None) -> Issue | None:
    """Close a resolved issue after 7 days without objection; None if no longer due."""
    at = at_or_now(at)
    issue = ISSUE_FLOW.lock(issue)
    if (
        issue.status != Status.RESOLVED
        or issue.resolved_at is None
        or (at - issue.resolved_at < dt.timedelta(days=AUTO_CLOSE_DAYS))
    ):
        return None
    ISSUE_FLOW.transition(
        issue,
        action=Action.AUTO_CLOSE,
        actor=None,
        at=at,
        body=_("解决后 %(n)d 天无异议，自动关闭。") % {"n": AUTO_CLOSE_DAYS},
    )
    issue.closed_at = at
    issue.save()
    return issue
