"""The weekly meeting (DOMAIN.md §4): a record per week with the default agenda and
invitees, attendance, start/finish through the workflow kit, decisions captured per item
— clear only with text, owner and due date — becoming action items tracked to done; the
three measures; what meeting mode shows."""

import datetime as dt
from decimal import Decimal

import pytest

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import Role
from dashboards import meetings, periods, services
from dashboards.models import ActionItem, ActionItemEvent, Decision, MeetingEvent
from rectification import services as rectification_services
from rectification.choices import Health
from rectification.models import Project
from tests.factories import DepartmentFactory, UserFactory
from tests.rectification.helpers import kicked_off

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.date(2026, 11, 25)


@pytest.fixture
def heads(cast):
    """The five invited departments with their heads (IT's head is the cast's)."""
    people = {"IT": cast.head}
    for code in ("PRODUCT", "SCM", "CS", "OPS"):
        department = DepartmentFactory(code=code)
        head = UserFactory(
            username=f"head_{code.lower()}", role=Role.DEPARTMENT_HEAD, department=department
        )
        department.head = head
        department.save()
        people[code] = head
    return people


@pytest.fixture
def meeting(cast, heads):
    return services.schedule_meeting(actor=cast.lead, date=WEDNESDAY, topic="P1 分类准确率")


def started(cast, meeting, at=None):
    return services.start_meeting(actor=cast.lead, meeting=meeting, at=at or bj(2026, 11, 25, 14))


def test_a_meeting_gets_the_default_agenda_and_invitees(cast, heads, meeting):
    blocks = [(b.kind, b.planned_minutes) for b in meeting.blocks.all()]
    assert blocks == [
        ("review", 10),
        ("top_issues", 30),
        ("new_issues", 20),
        ("topic", 20),
        ("next_week", 10),
    ]
    assert meeting.starts_at == bj(2026, 11, 25, 14) and meeting.ends_at == bj(2026, 11, 25, 15, 30)
    invited = set(meeting.attendances.values_list("user_id", flat=True))
    assert invited == {u.pk for u in heads.values()}
    assert meeting.status == "planned" and meeting.host == cast.lead


def test_one_meeting_per_week_and_only_the_quality_lead_schedules(cast, heads, meeting):
    with pytest.raises(DomainError) as caught:
        services.schedule_meeting(actor=cast.lead, date=WEDNESDAY + dt.timedelta(days=2))
    assert caught.value.field == "date"
    with pytest.raises(PermissionDenied):
        services.schedule_meeting(actor=cast.executive, date=WEDNESDAY + dt.timedelta(days=7))
    with pytest.raises(DomainError) as caught:
        services.schedule_meeting(
            actor=cast.lead, date=WEDNESDAY + dt.timedelta(days=7), invited=[cast.manager]
        )
    assert caught.value.field == "invited"


def test_attendance(cast, heads, meeting):
    services.record_attendance(
        actor=cast.lead, meeting=meeting, attended=[heads["IT"], heads["SCM"]], invite=[cast.ops]
    )
    present = set(meeting.attendances.filter(attended=True).values_list("user_id", flat=True))
    assert present == {heads["IT"].pk, heads["SCM"].pk}
    assert meeting.attendances.count() == 6
    with pytest.raises(DomainError) as caught:
        services.record_attendance(actor=cast.lead, meeting=meeting, attended=[cast.director])
    assert caught.value.field == "attended"
    # Nothing changed by the refused call.
    assert meeting.attendances.filter(attended=True).count() == 2


def test_start_and_finish_are_recorded_transitions(cast, heads, meeting):
    with pytest.raises(InvalidTransition):
        services.finish_meeting(actor=cast.lead, meeting=meeting)
    with pytest.raises(PermissionDenied):
        services.start_meeting(actor=cast.head, meeting=meeting)
    meeting = started(cast, meeting)
    assert meeting.status == "in_progress" and meeting.started_at == bj(2026, 11, 25, 14)
    meeting = services.finish_meeting(actor=cast.lead, meeting=meeting, at=bj(2026, 11, 25, 15, 28))
    assert meeting.status == "finished"
    actions = list(MeetingEvent.objects.filter(meeting=meeting).values_list("action", "to_status"))
    assert actions == [("start", "in_progress"), ("finish", "finished")]
    with pytest.raises(InvalidTransition):
        services.update_meeting(actor=cast.lead, meeting=meeting, topic="x")
    with pytest.raises(DomainError):
        services.reopen_meeting(actor=cast.lead, meeting=meeting, reason=" ")
    assert services.reopen_meeting(actor=cast.lead, meeting=meeting, reason="补记").status == (
        "in_progress"
    )


def test_a_clear_decision_becomes_an_action_item(cast, heads, meeting):
    issue = make_issue(cast, submitted_at=bj(2026, 11, 20), priority="P1")
    with pytest.raises(InvalidTransition):  # not started yet
        services.capture_decision(
            actor=cast.lead,
            meeting=meeting,
            block="top_issues",
            issue=issue,
            text="x",
            owner=cast.head,
            due_on=WEDNESDAY,
        )
    meeting = started(cast, meeting)
    decision = services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="top_issues",
        issue=issue,
        text="IT 本周五前发布修复",
        owner=cast.head,
        due_on=dt.date(2026, 11, 27),
        at=bj(2026, 11, 25, 14, 20),
    )
    assert decision.is_clear
    item = ActionItem.objects.get(decision=decision)
    assert (item.text, item.owner, item.due_on, item.issue, item.status) == (
        "IT 本周五前发布修复",
        cast.head,
        dt.date(2026, 11, 27),
        issue,
        "open",
    )
    assert list(item.events.values_list("action", flat=True)) == ["create"]


def test_an_unclear_decision_is_recorded_but_is_no_action_item_until_completed(
    cast, heads, meeting
):
    meeting = started(cast, meeting)
    decision = services.capture_decision(
        actor=cast.lead, meeting=meeting, block="topic", text="产品部门出方案"
    )
    assert not decision.is_clear and not ActionItem.objects.exists()
    services.capture_decision(
        actor=cast.lead, meeting=meeting, block="topic", text="培训跟进", owner=cast.member
    )  # owner but no due date
    assert not ActionItem.objects.exists()
    services.update_decision(
        actor=cast.lead,
        decision=decision,
        text="产品部门出方案",
        owner=heads["PRODUCT"],
        due_on=dt.date(2026, 12, 2),
    )
    item = ActionItem.objects.get()
    assert item.owner == heads["PRODUCT"]
    # Once an action item exists, the decision may not lose its owner again.
    with pytest.raises(DomainError):
        services.update_decision(
            actor=cast.lead, decision=decision, text="x", owner=None, due_on=dt.date(2026, 12, 2)
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "x", "owner": "manager", "due_on": dt.date(2026, 11, 30)}, "owner"),
        ({"text": "x", "owner": "head", "due_on": dt.date(2026, 11, 24)}, "due_on"),
        ({"text": "x", "block": "lunch"}, "block"),
    ],
)
def test_bad_decisions_are_refused_on_the_field(cast, heads, meeting, kwargs, field):
    meeting = started(cast, meeting)
    if isinstance(kwargs.get("owner"), str):
        kwargs["owner"] = getattr(cast, kwargs["owner"])
    kwargs.setdefault("block", "topic")
    with pytest.raises(DomainError) as caught:
        services.capture_decision(actor=cast.lead, meeting=meeting, **kwargs)
    assert caught.value.field == field
    assert not Decision.objects.exists()


def test_action_items_are_tracked_to_done(cast, heads, meeting):
    meeting = started(cast, meeting)
    decision = services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="topic",
        text="x",
        owner=cast.head,
        due_on=WEDNESDAY,
        at=bj(2026, 11, 25, 14, 10),
    )
    item = decision.action_item
    with pytest.raises(PermissionDenied):  # not the owner
        services.complete_action_item(actor=cast.scm_head, item=item)
    with pytest.raises(PermissionDenied):  # read-only
        services.complete_action_item(actor=cast.executive, item=item)
    item = services.complete_action_item(actor=cast.head, item=item, at=bj(2026, 11, 26, 10))
    assert (item.status, item.completed_at) == ("done", bj(2026, 11, 26, 10))
    with pytest.raises(InvalidTransition):
        services.complete_action_item(actor=cast.head, item=item)
    with pytest.raises(PermissionDenied):  # only the quality lead reopens
        services.reopen_action_item(actor=cast.head, item=item, reason="没好")
    item = services.reopen_action_item(actor=cast.lead, item=item, reason="问题复现")
    assert item.status == "open" and item.completed_at is None
    item = services.cancel_action_item(actor=cast.lead, item=item, reason="合并到另一项")
    assert item.status == "cancelled"
    history = list(
        ActionItemEvent.objects.filter(action_item=item).values_list("action", "actor__username")
    )
    assert history == [
        ("create", "lead"),
        ("complete", "head"),
        ("reopen", "lead"),
        ("cancel", "lead"),
    ]


def test_the_three_measures(cast, heads, meeting):
    november = periods.parse({"period": "2026-11"})
    services.record_attendance(
        actor=cast.lead, meeting=meeting, attended=list(heads.values())[:4]
    )  # 4 of 5
    meeting = started(cast, meeting)
    owner = cast.head
    for i, (text, who, due) in enumerate(
        [
            ("a", owner, dt.date(2026, 11, 26)),
            ("b", owner, dt.date(2026, 11, 27)),
            ("c", None, None),  # unclear
            ("d", owner, dt.date(2026, 12, 3)),  # due in December
        ]
    ):
        services.capture_decision(
            actor=cast.lead,
            meeting=meeting,
            block="topic",
            text=text,
            owner=who,
            due_on=due,
            at=bj(2026, 11, 25, 14, i),
        )
    items = {i.text: i for i in ActionItem.objects.all()}
    services.complete_action_item(actor=owner, item=items["a"], at=bj(2026, 11, 26, 9))
    services.complete_action_item(actor=owner, item=items["d"], at=bj(2026, 11, 28, 9))
    # A planned meeting's invitees do not count for attendance until it is held.
    services.schedule_meeting(actor=cast.lead, date=dt.date(2026, 11, 18))

    (m,) = meetings.measures([november], now=bj(2026, 12, 10))
    assert (m.invited, m.attended, m.attendance_rate) == (5, 4, Decimal("0.8"))
    assert (m.decisions, m.clear, m.clarity_rate) == (4, 3, Decimal("0.75"))
    # Due in November: a (done) and b (open) → 50 %; d is December's.
    assert (m.actions_due, m.actions_done, m.completion_rate) == (2, 1, Decimal("0.5"))
    # On November 26 only "a" had fallen due, and it was done.
    (early,) = meetings.measures([november], now=bj(2026, 11, 26, 12))
    assert (early.actions_due, early.actions_done) == (1, 1)


def test_meeting_mode_content(cast, heads, meeting):
    now = bj(2026, 11, 25, 14, 30)
    previous = services.schedule_meeting(actor=cast.lead, date=dt.date(2026, 11, 18))
    # Top P0/P1: overdue first, then the oldest.
    old_ok = make_issue(
        cast,
        submitted_at=bj(2026, 11, 1),
        priority="P1",
        resolution_due_at=bj(2026, 12, 20),
        first_response_at=bj(2026, 11, 1, 1),
        response_due_at=bj(2026, 11, 2),
    )
    late = make_issue(
        cast,
        submitted_at=bj(2026, 11, 10),
        priority="P0",
        resolution_due_at=bj(2026, 11, 13),
        first_response_at=bj(2026, 11, 10, 1),
        response_due_at=bj(2026, 11, 10, 1),
    )
    newer_ok = make_issue(
        cast,
        submitted_at=bj(2026, 11, 5),
        priority="P1",
        resolution_due_at=bj(2026, 12, 20),
        first_response_at=bj(2026, 11, 5, 1),
        response_due_at=bj(2026, 11, 6),
    )
    make_issue(cast, submitted_at=bj(2026, 11, 2), priority="P2")  # not P0/P1
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 2),
        priority="P0",
        status="resolved",
        resolved_at=bj(2026, 11, 3),
    )  # not open
    # New since the last meeting (Nov 18, 14:00).
    fresh = make_issue(cast, submitted_at=bj(2026, 11, 20), priority="P3", category="people")
    make_issue(cast, submitted_at=bj(2026, 11, 19), status="rejected")
    # Rectification projects: only the open red one is on the board.
    red, _green, red_cancelled = (kicked_off(cast) for _ in range(3))
    rectification_services.cancel(project=red_cancelled, actor=cast.ops, reason="门店整合")
    Project.objects.filter(pk__in=[red.pk, red_cancelled.pk]).update(health=Health.RED)
    board = meetings.meeting_board(meeting, cast.lead, now=now)
    assert [i.number for i in board.top_issues] == [late.number, old_ok.number, newer_ok.number]
    assert board.previous == previous
    assert board.new_since == bj(2026, 11, 18, 14)
    assert [i.number for i in board.new_issues] == [fresh.number]
    assert board.new_count == 1
    assert board.review_period.code == "2026-W47"
    assert [p.number for p in board.red_projects] == [red.number]
