"""Service functions: every change to an issue goes through one of these (STYLE.md 1).

Each is keyword-only, atomic, locks the issue row, checks the allowed-transitions table
and the actor's right, records a history row, and recomputes SLA due times when the
clock's inputs change. Views, serializers and tasks call them and hold no rule."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import filetype
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.numbering import format_number, next_value
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import Department, Store, User
from integrations.services import webhooks

from . import alerts, policy, sla
from . import notifications as notices
from .choices import (
    AUTO_CLOSE_DAYS,
    DEFAULT_ROUTING,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    OPEN_STATUSES,
    REOPEN_WINDOW_DAYS,
    SUGGESTED_PRIORITY,
    TRANSITIONS,
    Action,
    Category,
    Channel,
    EventKind,
    ImpactScope,
    Priority,
    Status,
    SystemicStatus,
)
from .models import Attachment, Issue, IssueEvent, RoutingRule, SlaPause, SystemicIssue

ALLOWED_UPLOAD_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "application/pdf": "pdf",
}
DUE_SOON_HOURS = 4


# --- helpers ----------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _lock(issue: Issue) -> Issue:
    return Issue.objects.select_for_update().get(pk=issue.pk)


def _check(issue: Issue, action: str, actor: User | None) -> str:
    """Raise unless ``action`` is allowed from the issue's state and for ``actor``;
    return the target status."""
    targets = TRANSITIONS[action]
    if issue.status not in targets:
        raise InvalidTransition(
            _("问题当前状态为“%(s)s”，不能执行“%(a)s”。")
            % {"s": Status(issue.status).label, "a": Action(action).label}
        )
    if actor is not None and not policy.can(actor, action, issue):
        raise PermissionDenied(_("你无权对该问题执行“%(a)s”。") % {"a": Action(action).label})
    return targets[issue.status]


def _event(
    issue,
    *,
    kind,
    actor,
    at,
    action="",
    from_status="",
    to_status="",
    body="",
    public=True,
    data=None,
) -> IssueEvent:
    event = IssueEvent.objects.create(
        issue=issue,
        kind=kind,
        actor=actor,
        at=at,
        action=action,
        from_status=from_status,
        to_status=to_status,
        body=body,
        public=public,
        data=data or {},
    )
    # The one hook for outbound webhooks: a submission or status change becomes
    # issue.created / issue.status_changed after the transaction commits.
    webhooks.issue_event_recorded(event)
    return event


def _transition(issue, *, action, actor, at, to_status, body="", public=True, data=None):
    from_status = issue.status
    issue.status = to_status
    return _event(
        issue,
        kind=EventKind.TRANSITION,
        actor=actor,
        at=at,
        action=action,
        from_status=from_status,
        to_status=to_status,
        body=body,
        public=public,
        data=data,
    )


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, field=field)
    return text


def recompute_due_times(issue: Issue) -> None:
    """Store the response and resolution due times from the policy, the start of the
    clock and the pauses (DOMAIN.md §3). Called on creation, triage, priority change,
    pause and resume."""
    dues = sla.compute_issue_dues(issue)
    issue.response_due_at = dues.response_due_at
    issue.resolution_due_at = dues.resolution_due_at
    issue.sla_business_hours = dues.business_hours
    issue.sla_calendar_gap = dues.calendar_gap


def _save_with_new_clock(issue: Issue) -> None:
    """Save an issue whose clock inputs changed: new due times, new ladder moments."""
    recompute_due_times(issue)
    issue.save()
    alerts.sync_milestones(issue)


# --- routing and suggestions ------------------------------------------------------------


def suggest_priority(impact_scope: str) -> str:
    return SUGGESTED_PRIORITY.get(impact_scope, Priority.P2)


def route(*, category: str, title: str = "", description: str = "") -> Department | None:
    """The department a new issue goes to: the first matching keyword rule, else the
    category rule, else the default routing of DOMAIN.md §3."""
    rules = list(RoutingRule.objects.filter(active=True).select_related("department"))
    text = f"{title}\n{description}".lower()
    for rule in rules:
        if (
            rule.keyword
            and rule.keyword.lower() in text
            and (not rule.category or rule.category == category)
        ):
            return rule.department
    for rule in rules:
        if not rule.keyword and rule.category == category:
            return rule.department
    code = DEFAULT_ROUTING.get(category)
    return Department.objects.filter(code=code).first() if code else None


_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")


def _terms(text: str) -> set[str]:
    """Latin words and Chinese character bigrams: enough to spot the same problem."""
    tokens = _WORD.findall(text.lower())
    words = {t for t in tokens if len(t) > 1}
    chars = [t for t in tokens if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
    words.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return words


def similar_open_issues(issue: Issue, *, limit: int = 5, pool: int = 300) -> list[Issue]:
    """Open issues of other stores in the same category that share words with this one."""
    mine = _terms(f"{issue.title} {issue.description}")
    if not mine:
        return []
    candidates = (
        Issue.objects.open()
        .filter(category=issue.category)
        .exclude(store_id=issue.store_id)
        .exclude(pk=issue.pk)
        .select_related("store")
        .order_by("-submitted_at")[:pool]
    )
    scored = []
    for other in candidates:
        theirs = _terms(f"{other.title} {other.description}")
        overlap = len(mine & theirs)
        if overlap:
            scored.append((overlap / len(mine | theirs), other))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [other for score, other in scored[:limit] if score >= 0.08]


# --- attachments ----------------------------------------------------------------------


@dataclass
class CheckedUpload:
    upload: object
    content_type: str
    size: int
    name: str


def check_uploads(files: Sequence, *, existing: int = 0) -> list[CheckedUpload]:
    """Validate every file before anything is saved: images or PDF by content (not by
    name), ≤ 10 MB each, ≤ 9 per issue."""
    files = [f for f in files if f]
    if existing + len(files) > MAX_ATTACHMENTS:
        raise DomainError(
            _("每个问题最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS}, field="attachments"
        )
    checked = []
    for upload in files:
        name = getattr(upload, "name", "file") or "file"
        size = getattr(upload, "size", None)
        if size is None or size > MAX_ATTACHMENT_BYTES:
            raise DomainError(_("文件“%(f)s”超过 10 MB。") % {"f": name}, field="attachments")
        if size == 0:
            raise DomainError(_("文件“%(f)s”是空文件。") % {"f": name}, field="attachments")
        head = upload.read(8192)
        upload.seek(0)
        kind = filetype.guess(head)
        if kind is None or kind.mime not in ALLOWED_UPLOAD_TYPES:
            raise DomainError(_("文件“%(f)s”不是图片或 PDF。") % {"f": name}, field="attachments")
        checked.append(CheckedUpload(upload, kind.mime, size, name[-255:]))
    return checked


def _save_uploads(issue: Issue, checked: Iterable[CheckedUpload], actor, at) -> list[Attachment]:
    saved = []
    for item in checked:
        attachment = Attachment(
            issue=issue,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            uploaded_by=actor,
        )
        extension = ALLOWED_UPLOAD_TYPES[item.content_type]
        stem = re.sub(r"[^\w.-]", "_", item.name.rsplit(".", 1)[0])[:60] or "file"
        attachment.file.save(f"{stem}.{extension}", item.upload, save=False)
        attachment.save()
        _event(
            issue,
            kind=EventKind.ATTACHMENT,
            actor=actor,
            at=at,
            body=item.name,
            data={"attachment": attachment.pk},
        )
        saved.append(attachment)
    return saved


@transaction.atomic
def add_attachments(*, issue: Issue, actor: User, files: Sequence, at=None) -> list[Attachment]:
    issue = _lock(issue)
    if actor.is_read_only or not policy.can_comment(actor, issue, public=True):
        raise PermissionDenied(_("你无权为该问题上传附件。"))
    if issue.status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
        raise InvalidTransition(_("问题已结束，不能再上传附件。"))
    checked = check_uploads(files, existing=issue.attachments.count())
    if not checked:
        raise DomainError(_("请选择要上传的文件。"), field="file")
    return _save_uploads(issue, checked, actor, _now(at))


# --- intake ---------------------------------------------------------------------------


@transaction.atomic
def create_issue(
    *,
    submitted_by: User,
    store: Store,
    category: str,
    title: str,
    description: str,
    impact_scope: str,
    expected_resolution_date: dt.date | None = None,
    channel: str = Channel.WEB,
    external_ref: str = "",
    files: Sequence = (),
    at: dt.datetime | None = None,
) -> tuple[Issue, bool]:
    """Submit a problem. Returns ``(issue, created)``; a repeated ``external_ref`` from
    the same source returns the existing issue and creates nothing."""
    at = _now(at)
    external_ref = (external_ref or "").strip()
    source = submitted_by.username if external_ref else ""
    if external_ref:
        existing = Issue.objects.filter(external_source=source, external_ref=external_ref).first()
        if existing is not None:
            return existing, False

    errors: dict[str, list] = {}
    if submitted_by.is_read_only:
        raise PermissionDenied(_("只读账号不能提交问题。"))
    if store is None or not Store.objects.visible_to(submitted_by).filter(pk=store.pk).exists():
        errors["store"] = [_("门店不存在或不在你的范围内。")]
    elif not store.active:
        errors["store"] = [_("该门店已停用。")]
    if category not in Category.values:
        errors["category"] = [_("请选择问题分类。")]
    if impact_scope not in ImpactScope.values:
        errors["impact_scope"] = [_("请选择影响范围。")]
    if channel not in Channel.values:
        errors["channel"] = [_("来源渠道无效。")]
    title = (title or "").strip()
    description = (description or "").strip()
    if not title:
        errors["title"] = [_("请填写问题标题。")]
    elif len(title) > 200:
        errors["title"] = [_("标题最多 200 个字。")]
    if not description:
        errors["description"] = [_("请描述问题。")]
    if len(external_ref) > 64:
        errors["external_ref"] = [_("外部单号最多 64 个字符。")]
    today = timezone.localdate(at)
    if expected_resolution_date and expected_resolution_date < today:
        errors["expected_resolution_date"] = [_("期望解决日期不能早于今天。")]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    checked = check_uploads(files)

    year = timezone.localtime(at).year
    number = format_number("ISS", year, next_value("ISS", year), 5)
    suggested = suggest_priority(impact_scope)
    issue = Issue(
        number=number,
        store=store,
        category=category,
        title=title,
        description=description,
        impact_scope=impact_scope,
        expected_resolution_date=expected_resolution_date,
        channel=channel,
        external_ref=external_ref,
        external_source=source,
        status=Status.SUBMITTED,
        suggested_priority=suggested,
        suggested_department=route(category=category, title=title, description=description),
        submitted_by=submitted_by,
        submitted_at=at,
    )
    recompute_due_times(issue)
    try:
        with transaction.atomic():
            issue.save()
    except IntegrityError:
        # Two pushes of the same external_ref raced: the other one won.
        if external_ref:
            return Issue.objects.get(external_source=source, external_ref=external_ref), False
        raise
    alerts.sync_milestones(issue)
    _event(
        issue,
        kind=EventKind.TRANSITION,
        actor=submitted_by,
        at=at,
        action="submit",
        to_status=Status.SUBMITTED,
    )
    _save_uploads(issue, checked, submitted_by, at)
    notices.submitted(issue, at)
    return issue, True


# --- triage ---------------------------------------------------------------------------


def _department(code_or_obj) -> Department | None:
    if code_or_obj in (None, ""):
        return None
    if isinstance(code_or_obj, Department):
        return code_or_obj
    department = Department.objects.filter(code=str(code_or_obj)).first()
    if department is None:
        raise DomainError(_("部门“%(d)s”不存在。") % {"d": code_or_obj}, field="department")
    return department


def _priority(value) -> str:
    if value not in Priority.values:
        raise DomainError(_("优先级应为 P0–P3。"), field="priority")
    return value


@transaction.atomic
def triage(*, issue: Issue, actor: User, priority: str, department=None, at=None) -> Issue:
    """分级: set the priority and the owning department (default: the suggestion)."""
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.TRIAGE, actor)
    priority = _priority(priority)
    department = _department(department) or issue.suggested_department
    if department is None:
        raise DomainError(_("请选择责任部门。"), field="department")
    issue.priority = priority
    issue.department = department
    issue.triaged_at = at
    _transition(
        issue,
        action=Action.TRIAGE,
        actor=actor,
        at=at,
        to_status=to_status,
        data={"priority": priority, "department": department.code},
    )
    _save_with_new_clock(issue)
    notices.triaged(issue, at)
    return issue


@transaction.atomic
def change_priority(
    *, issue: Issue, actor: User, priority: str, department=None, reason: str = "", at=None
) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    _check(issue, Action.CHANGE_PRIORITY, actor)
    priority = _priority(priority)
    department = _department(department) or issue.department
    old = {
        "priority": issue.priority,
        "department": issue.department.code if issue.department else None,
    }
    if department != issue.department:
        issue.assignee = None
    issue.priority = priority
    issue.department = department
    _event(
        issue,
        kind=EventKind.PRIORITY,
        actor=actor,
        at=at,
        action=Action.CHANGE_PRIORITY,
        body=(reason or "").strip(),
        public=False,
        data={"old": old, "new": {"priority": priority, "department": department.code}},
    )
    _save_with_new_clock(issue)
    return issue


@transaction.atomic
def reject(*, issue: Issue, actor: User, reason: str, at=None) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.REJECT, actor)
    reason = _required_text(reason, "reason", _("驳回必须填写原因。"))
    issue.reject_reason = reason
    issue.closed_at = at
    _transition(issue, action=Action.REJECT, actor=actor, at=at, to_status=to_status, body=reason)
    issue.save()
    alerts.sync_milestones(issue)  # no ladder any more
    return issue


@transaction.atomic
def mark_duplicate(*, issue: Issue, actor: User, duplicate_of: Issue, at=None) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.MARK_DUPLICATE, actor)
    if duplicate_of is None or duplicate_of.pk == issue.pk:
        raise DomainError(_("请指定保留的问题（不能是它自己）。"), field="duplicate_of")
    if duplicate_of.status in (Status.DUPLICATE, Status.REJECTED):
        raise DomainError(_("保留的问题不能是已驳回或重复的问题。"), field="duplicate_of")
    issue.duplicate_of = duplicate_of
    issue.closed_at = at
    _transition(
        issue,
        action=Action.MARK_DUPLICATE,
        actor=actor,
        at=at,
        to_status=to_status,
        body=duplicate_of.number,
        data={"duplicate_of": duplicate_of.number},
    )
    issue.save()
    alerts.sync_milestones(issue)  # no ladder any more
    return issue


# --- department side ------------------------------------------------------------------


def _mark_first_response(issue: Issue, at) -> None:
    if issue.first_response_at is None:
        issue.first_response_at = at


@transaction.atomic
def accept(*, issue: Issue, actor: User, at=None) -> Issue:
    """受理: the department takes the issue; counts as its first response."""
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.ACCEPT, actor)
    _mark_first_response(issue, at)
    if issue.assignee_id is None and actor.role in DEPARTMENT_ROLES:
        issue.assignee = actor
    _transition(issue, action=Action.ACCEPT, actor=actor, at=at, to_status=to_status)
    issue.save()
    return issue


@transaction.atomic
def assign(*, issue: Issue, actor: User, assignee: User, at=None) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    _check(issue, Action.ASSIGN, actor)
    if (
        assignee is None
        or not assignee.is_active
        or not (assignee.role in DEPARTMENT_ROLES and assignee.department_id == issue.department_id)
    ):
        raise DomainError(_("处理人必须是责任部门的在职成员。"), field="assignee")
    old = issue.assignee.username if issue.assignee else None
    issue.assignee = assignee
    event = _event(
        issue,
        kind=EventKind.ASSIGN,
        actor=actor,
        at=at,
        action=Action.ASSIGN,
        body=str(assignee),
        public=False,
        data={"old": old, "new": assignee.username},
    )
    issue.save()
    if assignee.pk != actor.pk:
        notices.assigned(issue, at, event.pk)
    return issue


@transaction.atomic
def comment(*, issue: Issue, actor: User, body: str, public: bool = True, at=None) -> IssueEvent:
    """A public reply or an internal note. A public reply by the owning department is its
    first response; an internal note never is."""
    at = _now(at)
    issue = _lock(issue)
    if not policy.can_comment(actor, issue, public=public):
        raise PermissionDenied(
            _("你无权在该问题下发表内部备注。") if not public else _("你无权回复该问题。")
        )
    body = _required_text(body, "body", _("请填写内容。"))
    if public and policy.counts_as_department_response(actor, issue):
        _mark_first_response(issue, at)
        issue.save(update_fields=["first_response_at", "updated_at"])
    return _event(
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
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.ASK_STORE, actor)
    question = _required_text(question, "question", _("请写明需要门店补充的内容。"))
    _mark_first_response(issue, at)
    SlaPause.objects.create(issue=issue, started_at=at)
    issue.sla_paused_at = at
    event = _transition(
        issue, action=Action.ASK_STORE, actor=actor, at=at, to_status=to_status, body=question
    )
    _save_with_new_clock(issue)
    notices.asked_store(issue, at, event.pk, question)
    return issue


@transaction.atomic
def store_reply(*, issue: Issue, actor: User, body: str, files: Sequence = (), at=None) -> Issue:
    """The store answers; the clocks run again and the due times move by the pause."""
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.STORE_REPLY, actor)
    body = _required_text(body, "body", _("请填写补充内容。"))
    checked = check_uploads(files, existing=issue.attachments.count())
    SlaPause.objects.filter(issue=issue, ended_at__isnull=True).update(ended_at=at)
    issue.sla_paused_at = None
    _transition(
        issue, action=Action.STORE_REPLY, actor=actor, at=at, to_status=to_status, body=body
    )
    _save_with_new_clock(issue)
    _save_uploads(issue, checked, actor, at)
    return issue


@transaction.atomic
def resolve(*, issue: Issue, actor: User, resolution: str, at=None) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.RESOLVE, actor)
    resolution = _required_text(resolution, "resolution", _("请填写解决方案。"))
    issue.resolution = resolution
    issue.resolved_at = at
    event = _transition(
        issue, action=Action.RESOLVE, actor=actor, at=at, to_status=to_status, body=resolution
    )
    issue.save()
    alerts.sync_milestones(issue)  # both clocks have stopped: no ladder while resolved
    notices.resolved(issue, at, event.pk)
    return issue


# --- store side -----------------------------------------------------------------------


@transaction.atomic
def confirm(*, issue: Issue, actor: User, rating, comment: str = "", at=None) -> Issue:
    """The store confirms the fix and rates it 1–5: closed."""
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.CONFIRM, actor)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating is None or not 1 <= rating <= 5:
        raise DomainError(_("评分应为 1–5 分。"), field="rating")
    issue.rating = rating
    issue.rating_comment = (comment or "").strip()
    issue.closed_at = at
    _transition(
        issue,
        action=Action.CONFIRM,
        actor=actor,
        at=at,
        to_status=to_status,
        body=issue.rating_comment,
        data={"rating": rating},
    )
    issue.save()
    return issue


@transaction.atomic
def reopen(*, issue: Issue, actor: User, reason: str, at=None) -> Issue:
    at = _now(at)
    issue = _lock(issue)
    to_status = _check(issue, Action.REOPEN, actor)
    reason = _required_text(reason, "reason", _("重新打开必须填写原因。"))
    if issue.resolved_at and at - issue.resolved_at > dt.timedelta(days=REOPEN_WINDOW_DAYS):
        raise InvalidTransition(
            _("问题解决已超过 %(n)d 天，不能重新打开，请提交新问题。") % {"n": REOPEN_WINDOW_DAYS}
        )
    issue.reopen_count += 1
    issue.resolved_at = None
    issue.closed_at = None
    issue.rating = None
    issue.rating_comment = ""
    _transition(issue, action=Action.REOPEN, actor=actor, at=at, to_status=to_status, body=reason)
    issue.save()
    alerts.sync_milestones(issue)  # open again: its ladder is back
    return issue


def auto_close_due(now: dt.datetime):
    """Resolved issues the store left unanswered for 7 days (set-based selection)."""
    return Issue.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=AUTO_CLOSE_DAYS)
    )


@transaction.atomic
def auto_close(*, issue: Issue, at=None) -> Issue | None:
    """Close a resolved issue after 7 days without objection; None if no longer due."""
    at = _now(at)
    issue = _lock(issue)
    if (
        issue.status != Status.RESOLVED
        or issue.resolved_at is None
        or (at - issue.resolved_at < dt.timedelta(days=AUTO_CLOSE_DAYS))
    ):
        return None
    to_status = _check(issue, Action.AUTO_CLOSE, None)
    issue.closed_at = at
    _transition(
        issue,
        action=Action.AUTO_CLOSE,
        actor=None,
        at=at,
        to_status=to_status,
        body=_("解决后 %(n)d 天无异议，自动关闭。") % {"n": AUTO_CLOSE_DAYS},
    )
    issue.save()
    return issue


# --- SLA state ------------------------------------------------------------------------


def effective_now(issue: Issue, now: dt.datetime) -> dt.datetime:
    """The clock's "now": it stands still while the issue waits for the store."""
    return issue.sla_paused_at or now


def response_breached(issue: Issue, now: dt.datetime | None = None) -> bool:
    if issue.status in (Status.REJECTED, Status.DUPLICATE) or issue.response_due_at is None:
        return False
    answered = issue.first_response_at or effective_now(issue, _now(now))
    return answered > issue.response_due_at


def resolution_breached(issue: Issue, now: dt.datetime | None = None) -> bool:
    if issue.status in (Status.REJECTED, Status.DUPLICATE) or issue.resolution_due_at is None:
        return False
    done = issue.resolved_at or effective_now(issue, _now(now))
    return done > issue.resolution_due_at


def overdue_q(now: dt.datetime, *, soon_hours: int = DUE_SOON_HOURS) -> Q:
    """Open issues whose response or resolution is past due or due within ``soon_hours``
    (the 超时预警 view). Issues waiting for the store are paused and left out."""
    horizon = now + dt.timedelta(hours=soon_hours)
    running = Q(status__in=[s for s in OPEN_STATUSES if s != Status.WAITING_FOR_STORE])
    return running & (
        Q(first_response_at__isnull=True, response_due_at__lte=horizon)
        | Q(resolution_due_at__lte=horizon)
    )


def mine_q(user: User) -> Q:
    """我负责的: assigned to me, my department's, or submitted by me."""
    q = Q(assignee=user) | Q(submitted_by=user)
    if user.role in DEPARTMENT_ROLES and user.department_id:
        q |= Q(department_id=user.department_id)
    if user.role == Role.OPS_SPECIALIST:
        q |= Q(store__in=user.stores.all(), status=Status.SUBMITTED)
    return q


# --- systemic issues ------------------------------------------------------------------


@transaction.atomic
def create_systemic_issue(
    *, actor: User, title: str, description: str = "", department=None, issues: Sequence[Issue] = ()
) -> SystemicIssue:
    if not (actor.is_superuser or actor.role in (Role.QUALITY_LEAD, Role.OPS_SPECIALIST)):
        raise PermissionDenied(_("只有运营人员可以创建系统性问题。"))
    title = _required_text(title, "title", _("请填写系统性问题名称。"))
    systemic = SystemicIssue.objects.create(
        title=title[:200],
        description=(description or "").strip(),
        owner=actor,
        department=_department(department),
    )
    if issues:
        group_into_systemic(systemic=systemic, issues=issues, actor=actor)
    return systemic


@transaction.atomic
def group_into_systemic(
    *, systemic: SystemicIssue, issues: Sequence[Issue], actor: User, at=None
) -> int:
    at = _now(at)
    if not (actor.is_superuser or actor.role in (Role.QUALITY_LEAD, Role.OPS_SPECIALIST)):
        raise PermissionDenied(_("只有运营人员可以归并系统性问题。"))
    count = 0
    for issue in Issue.objects.select_for_update().filter(pk__in=[i.pk for i in issues]):
        if issue.systemic_issue_id == systemic.pk:
            continue
        issue.systemic_issue = systemic
        issue.save(update_fields=["systemic_issue", "updated_at"])
        _event(
            issue,
            kind=EventKind.SYSTEMIC,
            actor=actor,
            at=at,
            body=systemic.title,
            public=False,
            data={"systemic": systemic.pk},
        )
        count += 1
    return count


SYSTEMIC_FLOW = {
    SystemicStatus.IDENTIFIED: {SystemicStatus.IN_PROGRESS, SystemicStatus.PUSHED},
    SystemicStatus.IN_PROGRESS: {SystemicStatus.PUSHED, SystemicStatus.LANDED},
    SystemicStatus.PUSHED: {SystemicStatus.IN_PROGRESS, SystemicStatus.LANDED},
    SystemicStatus.LANDED: set(),
}


@transaction.atomic
def set_systemic_status(*, systemic: SystemicIssue, actor: User, status: str) -> SystemicIssue:
    if not (actor.is_superuser or actor.role in (Role.QUALITY_LEAD, Role.OPS_SPECIALIST)):
        raise PermissionDenied(_("只有运营人员可以更新系统性问题。"))
    systemic = SystemicIssue.objects.select_for_update().get(pk=systemic.pk)
    if status not in SYSTEMIC_FLOW.get(systemic.status, set()):
        raise InvalidTransition(
            _("系统性问题当前为“%(s)s”，不能改为“%(t)s”。")
            % {
                "s": systemic.get_status_display(),
                "t": SystemicStatus(status).label if status in SystemicStatus.values else status,
            }
        )
    systemic.status = status
    systemic.save(update_fields=["status", "updated_at"])
    return systemic


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
