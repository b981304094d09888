"""Every transition of the allowed-transitions table: allowed from its states, refused
from the others, each with a history row (actor, time, from, to, reason)."""

import datetime as dt

import pytest
from django.utils import timezone

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from issues import selectors, services
from issues.choices import TRANSITIONS, Action, Status
from issues.models import Issue, IssueEvent
from tests.factories import new_issue, to_in_progress, to_resolved, to_triaged

pytestmark = pytest.mark.django_db


def _drive_to(cast, status):
    issue = new_issue(cast)
    if status == Status.SUBMITTED:
        return issue
    if status == Status.TRIAGED:
        return to_triaged(cast, issue)
    if status == Status.IN_PROGRESS:
        return to_in_progress(cast, issue)
    if status == Status.WAITING_FOR_STORE:
        issue = to_in_progress(cast, issue)
        return services.ask_store(issue=issue, actor=cast.head, question="请提供截图")
    if status == Status.RESOLVED:
        return to_resolved(cast, issue)
    if status == Status.CLOSED:
        issue = to_resolved(cast, issue)
        return services.confirm(issue=issue, actor=cast.manager, rating=5)
    if status == Status.REJECTED:
        return services.reject(issue=issue, actor=cast.ops, reason="非售后问题")
    if status == Status.DUPLICATE:
        survivor = new_issue(cast, title="同一问题")
        return services.mark_duplicate(issue=issue, actor=cast.ops, duplicate_of=survivor)
    raise AssertionError(status)


def _perform(cast, action, issue):
    """Perform ``action`` with a legitimate actor and valid input."""
    calls = {
        Action.TRIAGE: lambda: services.triage(issue=issue, actor=cast.ops, priority="P2"),
        Action.CHANGE_PRIORITY: lambda: services.change_priority(
            issue=issue, actor=cast.ops, priority="P0", reason="升级"
        ),
        Action.ACCEPT: lambda: services.accept(issue=issue, actor=cast.head),
        Action.ASSIGN: lambda: services.assign(issue=issue, actor=cast.head, assignee=cast.member),
        Action.ASK_STORE: lambda: services.ask_store(issue=issue, actor=cast.head, question="?"),
        Action.STORE_REPLY: lambda: services.store_reply(
            issue=issue, actor=cast.manager, body="截图已上传"
        ),
        Action.RESUME: lambda: services.resume(issue=issue, actor=cast.head, reason="电话已说明"),
        Action.RESOLVE: lambda: services.resolve(issue=issue, actor=cast.head, resolution="ok"),
        Action.CONFIRM: lambda: services.confirm(issue=issue, actor=cast.manager, rating=4),
        Action.REOPEN: lambda: services.reopen(issue=issue, actor=cast.manager, reason="又出现"),
        Action.REJECT: lambda: services.reject(issue=issue, actor=cast.ops, reason="不是问题"),
        Action.MARK_DUPLICATE: lambda: services.mark_duplicate(
            issue=issue, actor=cast.ops, duplicate_of=new_issue(cast, title="另一个")
        ),
    }
    return calls[action]()


# Submitting creates an issue and closing on time is the system's: neither acts on an
# existing issue for a person.
ACTIONS = [a for a in Action.values if a not in (Action.SUBMIT, Action.AUTO_CLOSE)]
CASES = [(action, status) for action in ACTIONS for status in Status.values]


@pytest.mark.parametrize("action,status", CASES)
def test_transition_table(cast, action, status):
    issue = _drive_to(cast, status)
    allowed = TRANSITIONS[action]
    if status in allowed:
        result = _perform(cast, action, issue)
        assert result.status == allowed[status]
        assert Issue.objects.get(pk=issue.pk).status == allowed[status]
    else:
        events_before = IssueEvent.objects.filter(issue=issue).count()
        with pytest.raises(InvalidTransition):
            _perform(cast, action, issue)
        assert Issue.objects.get(pk=issue.pk).status == status
        assert IssueEvent.objects.filter(issue=issue).count() == events_before


def test_each_transition_records_history(cast):
    issue = to_resolved(cast, new_issue(cast))
    services.confirm(issue=issue, actor=cast.manager, rating=5, comment="很快")
    rows = list(
        IssueEvent.objects.filter(issue=issue, kind="transition").values_list(
            "actor__username", "from_status", "to_status"
        )
    )
    assert rows == [
        ("manager", "", "submitted"),
        ("ops", "submitted", "triaged"),
        ("head", "triaged", "in_progress"),
        ("head", "in_progress", "resolved"),
        ("manager", "resolved", "closed"),
    ]
    assert all(e.at for e in IssueEvent.objects.filter(issue=issue))


def test_reject_needs_reason_and_keeps_it(cast):
    issue = new_issue(cast)
    with pytest.raises(DomainError):
        services.reject(issue=issue, actor=cast.ops, reason="  ")
    assert Issue.objects.get(pk=issue.pk).status == Status.SUBMITTED
    services.reject(issue=issue, actor=cast.ops, reason="属于厂家质量问题")
    event = IssueEvent.objects.filter(issue=issue, action="reject").get()
    assert event.body == "属于厂家质量问题" and event.actor == cast.ops


def test_duplicate_needs_surviving_issue(cast):
    issue = new_issue(cast)
    with pytest.raises(DomainError):
        services.mark_duplicate(issue=issue, actor=cast.ops, duplicate_of=issue)
    survivor = new_issue(cast, title="原问题")
    services.mark_duplicate(issue=issue, actor=cast.ops, duplicate_of=survivor)
    assert Issue.objects.get(pk=issue.pk).duplicate_of == survivor


def test_confirm_needs_rating_1_to_5(cast):
    issue = to_resolved(cast, new_issue(cast))
    for bad in (0, 6, "x", None):
        with pytest.raises(DomainError):
            services.confirm(issue=issue, actor=cast.manager, rating=bad)
    assert Issue.objects.get(pk=issue.pk).status == Status.RESOLVED


def test_reopen_within_14_days_counts_and_later_refused(cast):
    resolved_at = timezone.now() - dt.timedelta(days=13)
    issue = to_resolved(cast, new_issue(cast, when=resolved_at), when=resolved_at)
    issue = services.reopen(issue=issue, actor=cast.manager, reason="问题复现")
    assert issue.status == Status.IN_PROGRESS and issue.reopen_count == 1
    issue = services.resolve(
        issue=issue,
        actor=cast.head,
        resolution="再次修复",
        at=timezone.now() - dt.timedelta(days=15),
    )
    with pytest.raises(InvalidTransition):
        services.reopen(issue=issue, actor=cast.manager, reason="又复现")
    assert Issue.objects.get(pk=issue.pk).reopen_count == 1


def test_auto_close_only_after_seven_days(cast):
    start = timezone.now() - dt.timedelta(days=10)
    issue = to_resolved(cast, new_issue(cast, when=start), when=start)
    assert services.auto_close(issue=issue, at=start + dt.timedelta(days=6)) is None
    closed = services.auto_close(issue=issue, at=start + dt.timedelta(days=7))
    assert closed.status == Status.CLOSED
    assert IssueEvent.objects.get(issue=issue, action="auto_close").actor is None
    assert list(selectors.auto_close_due(timezone.now())) == []


@pytest.mark.parametrize(
    "who,action",
    [
        ("manager", Action.TRIAGE),
        ("head", Action.TRIAGE),
        ("outsider", Action.TRIAGE),
        ("executive", Action.TRIAGE),
        ("scm_head", Action.ACCEPT),
        ("manager", Action.ACCEPT),
        ("ops", Action.RESOLVE),
    ],
)
def test_wrong_actor_is_refused(cast, who, action):
    issue = new_issue(cast)
    if action != Action.TRIAGE:
        issue = to_triaged(cast, issue)
    if action == Action.RESOLVE:
        issue = services.accept(issue=issue, actor=cast.head)
    status = issue.status
    with pytest.raises(PermissionDenied):
        {
            Action.TRIAGE: lambda u: services.triage(issue=issue, actor=u, priority="P1"),
            Action.ACCEPT: lambda u: services.accept(issue=issue, actor=u),
            Action.RESOLVE: lambda u: services.resolve(issue=issue, actor=u, resolution="x"),
        }[action](getattr(cast, who))
    assert Issue.objects.get(pk=issue.pk).status == status


def test_store_manager_cannot_write_internal_note(cast):
    issue = to_triaged(cast, new_issue(cast))
    with pytest.raises(PermissionDenied):
        services.comment(issue=issue, actor=cast.manager, body="内部", public=False)


def test_assignee_must_belong_to_department(cast):
    issue = to_triaged(cast, new_issue(cast))
    with pytest.raises(DomainError):
        services.assign(issue=issue, actor=cast.head, assignee=cast.scm_head)
    services.assign(issue=issue, actor=cast.head, assignee=cast.member)
    assert Issue.objects.get(pk=issue.pk).assignee == cast.member
