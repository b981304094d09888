"""Service functions of the dashboards app: KPI targets, the weekly meeting (schedule,
agenda, attendance, start/finish, decisions) and its action items. Keyword-only, atomic;
they check the actor's right and the object's state and raise ``DomainError`` (400 / a
message on the field), ``InvalidTransition`` (409) or ``PermissionDenied`` (403)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import HQ_ROLES
from closedloop.org.models import User

from . import policy, rectification
from .choices import (
    DEFAULT_AGENDA,
    DEFAULT_INVITED_DEPARTMENTS,
    DEFAULT_MEETING_MINUTES,
    DEFAULT_MEETING_START,
    METRIC_INFO,
    ActionItemAction,
    ActionStatus,
    BlockKind,
    Direction,
    MeetingAction,
    MeetingStatus,
    Method,
    Metric,
    Unit,
)
from .models import ActionItem, AgendaBlock, Attendance, Decision, KpiTarget, Meeting
from .periods import ZONE, week
from .workflow import ACTION_ITEM_FLOW, MEETING_FLOW

MAX_VALUE = Decimal("9999999999")
MAX_BLOCK_MINUTES = 180


def _now(at):
    return at or timezone.now()


# --- KPI targets ---------------------------------------------------------------------------


def _decimal(value, field: str, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(_("请填写数值。"), field=field)
        return None
    if isinstance(value, bool):
        raise DomainError(_("请填写数值。"), field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("请填写数值。"), field=field) from exc
    if not number.is_finite() or abs(number) > MAX_VALUE:
        raise DomainError(_("数值超出范围。"), field=field)
    return number.quantize(Decimal("0.0001"))


@transaction.atomic
def set_kpi_target(
    *,
    actor: User,
    metric: str,
    target,
    valid_from: dt.date,
    baseline=None,
    direction: str | None = None,
    method: str = Method.STANDARD,
    at: dt.datetime | None = None,
) -> tuple[KpiTarget, bool]:
    """Set a metric's baseline and target from ``valid_from`` on (upsert by metric and
    date). Rates are fractions (0.85). Returns ``(target, created)``."""
    if not policy.can_set_targets(actor):
        raise PermissionDenied(_("只有运营负责人可以设置 KPI 目标。"))
    if metric not in Metric.values:
        raise DomainError(_("指标“%(m)s”不存在。") % {"m": metric}, field="metric")
    unit, natural = METRIC_INFO[metric]
    direction = direction or natural
    if direction not in Direction.values:
        raise DomainError(_("方向应为 higher 或 lower。"), field="direction")
    method = method or Method.STANDARD
    if method not in Method.values:
        raise DomainError(_("达成率算法应为 standard 或 progress。"), field="method")
    if not isinstance(valid_from, dt.date):
        raise DomainError(_("请填写生效日期。"), field="from")
    target = _decimal(target, "target", required=True)
    baseline = _decimal(baseline, "baseline", required=False)
    for name, value in (("target", target), ("baseline", baseline)):
        if value is None:
            continue
        if value < 0:
            raise DomainError(_("数值不能为负。"), field=name)
        if unit == Unit.RATE and value > 1:
            raise DomainError(_("比率请填写 0 到 1 之间的小数（如 0.85 表示 85%）。"), field=name)
    if method == Method.PROGRESS and baseline is None:
        raise DomainError(_("按进度计算达成率需要基线值。"), field="baseline")
    if (
        baseline is not None
        and baseline == target
        and (method == Method.PROGRESS or direction == Direction.LOWER)
    ):
        raise DomainError(_("基线值与目标值不能相同。"), field="target")
    if direction == Direction.HIGHER and method == Method.STANDARD and target == 0:
        raise DomainError(_("目标值不能为 0。"), field="target")
    obj, created = KpiTarget.objects.update_or_create(
        metric=metric,
        valid_from=valid_from,
        defaults={
            "baseline": baseline,
            "target": target,
            "direction": direction,
            "method": method,
            "set_by": actor,
            "set_at": _now(at),
        },
    )
    return obj, created


# --- the weekly meeting ----------------------------------------------------------------------


def _require_lead(actor) -> None:
    if not policy.can_run_meeting(actor):
        raise PermissionDenied(_("只有运营负责人可以组织周会。"))


def default_invitees() -> list[User]:
    """The heads of IT, product, supply chain, customer service and operations."""
    heads = User.objects.filter(
        headed_departments__code__in=DEFAULT_INVITED_DEPARTMENTS, is_active=True
    ).distinct()
    return list(heads)


def _people(users: Iterable, field: str) -> list[User]:
    people = []
    for user in users:
        if user is None:
            continue
        if not (user.is_active and (user.is_superuser or user.role in HQ_ROLES)):
            raise DomainError(_("“%(u)s”不是总部人员，不能参会。") % {"u": user}, field=field)
        if user not in people:
            people.append(user)
    return people


@transaction.atomic
def schedule_meeting(
    *,
    actor: User,
    date: dt.date,
    start: dt.time | None = None,
    minutes: int = DEFAULT_MEETING_MINUTES,
    invited: Iterable[User] | None = None,
    topic: str = "",
    topic_notes: str = "",
) -> Meeting:
    """A week's meeting record with its invitees and the default agenda (DOMAIN.md §4).
    One meeting per week."""
    _require_lead(actor)
    if not isinstance(date, dt.date):
        raise DomainError(_("请填写会议日期。"), field="date")
    this_week = week(date)
    if Meeting.objects.filter(date__gte=this_week.first_day, date__lte=this_week.last_day).exists():
        raise DomainError(_("%(w)s 已有周会记录。") % {"w": this_week.label}, field="date")
    if not 15 <= int(minutes) <= 480:
        raise DomainError(_("会议时长应在 15 到 480 分钟之间。"), field="minutes")
    start = start or dt.time(*DEFAULT_MEETING_START)
    starts_at = dt.datetime.combine(date, start, tzinfo=ZONE)
    people = _people(invited if invited is not None else default_invitees(), "invited")
    meeting = Meeting.objects.create(
        date=date,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=int(minutes)),
        host=actor,
        topic=(topic or "").strip()[:200],
        topic_notes=(topic_notes or "").strip(),
    )
    Attendance.objects.bulk_create(Attendance(meeting=meeting, user=user) for user in people)
    AgendaBlock.objects.bulk_create(
        AgendaBlock(meeting=meeting, kind=kind, position=i, planned_minutes=planned)
        for i, (kind, planned) in enumerate(DEFAULT_AGENDA)
    )
    return meeting


def _lock_meeting(meeting: Meeting) -> Meeting:
    return MEETING_FLOW.lock(meeting)


def _editable(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.FINISHED:
        raise InvalidTransition(_("周会已结束，记录不能再修改；如需补充请先重新打开。"))


@transaction.atomic
def update_meeting(
    *, actor: User, meeting: Meeting, topic: str, topic_notes: str = "", agenda=None
) -> Meeting:
    """The topic (专题) and the agenda's planned minutes (``{kind: minutes}``)."""
    _require_lead(actor)
    meeting = _lock_meeting(meeting)
    _editable(meeting)
    meeting.topic = (topic or "").strip()[:200]
    meeting.topic_notes = (topic_notes or "").strip()
    meeting.save(update_fields=["topic", "topic_notes"])
    if agenda:
        blocks = {block.kind: block for block in meeting.blocks.all()}
        for kind, planned in agenda.items():
            if kind not in blocks:
                raise DomainError(_("议程“%(k)s”不存在。") % {"k": kind}, field="agenda")
            try:
                planned = int(planned)
            except (TypeError, ValueError):
                planned = -1
            if not 1 <= planned <= MAX_BLOCK_MINUTES:
                raise DomainError(
                    _("每项议程时长应在 1 到 %(n)d 分钟之间。") % {"n": MAX_BLOCK_MINUTES},
                    field=f"minutes_{kind}",
                )
            blocks[kind].planned_minutes = planned
        AgendaBlock.objects.bulk_update(blocks.values(), ["planned_minutes"])
    return meeting


@transaction.atomic
def record_attendance(
    *, actor: User, meeting: Meeting, attended: Iterable[User], invite: Iterable[User] = ()
) -> Meeting:
    """Who came (出席): ``attended`` are marked present, every other invitee absent;
    ``invite`` adds people to the invitation first."""
    _require_lead(actor)
    meeting = _lock_meeting(meeting)
    _editable(meeting)
    extra = _people(invite, "invite")
    present = _people(attended, "attended")
    existing = set(meeting.attendances.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, user=user) for user in extra if user.pk not in existing
    )
    invited = existing | {user.pk for user in extra}
    strangers = [user for user in present if user.pk not in invited]
    if strangers:
        raise DomainError(_("“%(u)s”不在邀请名单中。") % {"u": strangers[0]}, field="attended")
    ids = [user.pk for user in present]
    meeting.attendances.update(attended=False)
    meeting.attendances.filter(user_id__in=ids).update(attended=True)
    return meeting


@transaction.atomic
def start_meeting(*, actor: User, meeting: Meeting, at=None) -> Meeting:
    at = _now(at)
    meeting = _lock_meeting(meeting)
    MEETING_FLOW.transition(meeting, action=MeetingAction.START, actor=actor, at=at)
    meeting.started_at = meeting.started_at or at
    meeting.save(update_fields=["status", "started_at"])
    return meeting


@transaction.atomic
def finish_meeting(*, actor: User, meeting: Meeting, at=None) -> Meeting:
    at = _now(at)
    meeting = _lock_meeting(meeting)
    MEETING_FLOW.transition(meeting, action=MeetingAction.FINISH, actor=actor, at=at)
    meeting.finished_at = at
    meeting.save(update_fields=["status", "finished_at"])
    return meeting


@transaction.atomic
def reopen_meeting(*, actor: User, meeting: Meeting, reason: str, at=None) -> Meeting:
    at = _now(at)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("重新打开必须填写原因。"), field="reason")
    meeting = _lock_meeting(meeting)
    MEETING_FLOW.transition(meeting, action=MeetingAction.REOPEN, actor=actor, at=at, body=reason)
    meeting.finished_at = None
    meeting.save(update_fields=["status", "finished_at"])
    return meeting


# --- decisions and action items ----------------------------------------------------------------


def _owner(owner) -> User | None:
    if owner is None:
        return None
    if not (owner.is_active and (owner.is_superuser or owner.role in HQ_ROLES)):
        raise DomainError(_("负责人必须是在职的总部人员。"), field="owner")
    return owner


def _check_decision(meeting, text, owner, due_on):
    text = (text or "").strip()
    if not text:
        raise DomainError(_("请填写决策内容。"), field="text")
    owner = _owner(owner)
    if due_on is not None and due_on < meeting.date:
        raise DomainError(_("截止日期不能早于会议日期。"), field="due_on")
    return text, owner


def _sync_action_item(decision: Decision, actor: User, at) -> ActionItem | None:
    """A clear decision has exactly one action item; its open item follows the edits."""
    item = ActionItem.objects.select_for_update().filter(decision=decision).first()
    if not decision.is_clear:
        if item is not None:
            raise DomainError(_("已生成行动项的决策必须保留负责人和截止日期。"), field="owner")
        return None
    fields = {
        "text": decision.text,
        "owner": decision.owner,
        "due_on": decision.due_on,
        "issue": decision.issue,
        "project_number": decision.project_number,
    }
    if item is None:
        item = ActionItem.objects.create(
            decision=decision, meeting=decision.meeting, created_at=at, **fields
        )
        ACTION_ITEM_FLOW.record(item, actor=actor, at=at, action="create", to_status=item.status)
        return item
    if item.status == ActionStatus.OPEN:
        for name, value in fields.items():
            setattr(item, name, value)
        item.save(update_fields=list(fields))
    return item


@transaction.atomic
def capture_decision(
    *,
    actor: User,
    meeting: Meeting,
    block: str,
    text: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
    issue=None,
    project_number: str = "",
    at=None,
) -> Decision:
    """A decision taken on an item while the meeting runs (text, owner, due date); a
    clear one (all three set) becomes an action item at once."""
    at = _now(at)
    _require_lead(actor)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.IN_PROGRESS:
        raise InvalidTransition(_("请先开始会议，再记录决策。"))
    if block not in BlockKind.values:
        raise DomainError(_("议程无效。"), field="block")
    if issue is not None:
        from issues.models import Issue

        if not Issue.objects.visible_to(actor).filter(pk=issue.pk).exists():
            raise DomainError(_("问题不存在或不在你的范围内。"), field="issue")
    project_number = (project_number or "").strip()[:20]
    if project_number:
        projects = rectification.visible_projects(actor)
        if (
            projects is not None
            and not projects.filter(**{rectification.FIELDS["number"]: project_number}).exists()
        ):
            raise DomainError(_("整改项目不存在或不在你的范围内。"), field="project")
    text, owner = _check_decision(meeting, text, owner, due_on)
    decision = Decision.objects.create(
        meeting=meeting,
        block=block,
        issue=issue,
        project_number=project_number,
        text=text,
        owner=owner,
        due_on=due_on,
        created_by=actor,
        created_at=at,
    )
    _sync_action_item(decision, actor, at)
    return decision


@transaction.atomic
def update_decision(
    *,
    actor: User,
    decision: Decision,
    text: str,
    owner: User | None,
    due_on: dt.date | None,
    at=None,
) -> Decision:
    """Complete or correct a decision (e.g. name the owner it lacked): it becomes an
    action item once clear."""
    at = _now(at)
    _require_lead(actor)
    meeting = _lock_meeting(decision.meeting)
    _editable(meeting)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision.text, decision.owner = _check_decision(meeting, text, owner, due_on)
    decision.due_on = due_on
    decision.save(update_fields=["text", "owner", "due_on"])
    _sync_action_item(decision, actor, at)
    return decision


def _action(item: ActionItem, action: str, actor: User, at, body: str = "") -> ActionItem:
    item = ACTION_ITEM_FLOW.lock(item)
    ACTION_ITEM_FLOW.transition(item, action=action, actor=actor, at=at, body=body)
    item.completed_at = at if item.status == ActionStatus.DONE else None
    item.save(update_fields=["status", "completed_at"])
    return item


@transaction.atomic
def complete_action_item(*, actor: User, item: ActionItem, note: str = "", at=None) -> ActionItem:
    """The owner (or the quality lead) marks the action item done."""
    return _action(item, ActionItemAction.COMPLETE, actor, _now(at), (note or "").strip())


@transaction.atomic
def reopen_action_item(*, actor: User, item: ActionItem, reason: str, at=None) -> ActionItem:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("重新打开必须填写原因。"), field="reason")
    return _action(item, ActionItemAction.REOPEN, actor, _now(at), reason)


@transaction.atomic
def cancel_action_item(*, actor: User, item: ActionItem, reason: str, at=None) -> ActionItem:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("取消必须填写原因。"), field="reason")
    return _action(item, ActionItemAction.CANCEL, actor, _now(at), reason)
