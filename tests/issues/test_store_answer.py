"""While an issue waits for the store (待门店补充), a public reply by the store *is* its
answer — on the page (回复) and through the API's comment endpoint alike — and the
department can always resume the issue without the answer (恢复处理)."""

import datetime as dt

import pytest
from django.urls import reverse

from closedloop.errors import InvalidTransition, PermissionDenied
from closedloop.notifications.models import Notification
from issues import services
from issues.choices import Action, Status
from issues.models import Issue, IssueEvent, SlaPause
from tests.factories import at, new_issue, to_in_progress

pytestmark = pytest.mark.django_db

ASKED = at(2026, 11, 23, 10)
ANSWERED = at(2026, 11, 24, 10)  # a day later: the due times move by a day


def _waiting(cast):
    issue = to_in_progress(cast, new_issue(cast, when=ASKED), when=ASKED)
    due = issue.resolution_due_at
    issue = services.ask_store(issue=issue, actor=cast.head, question="请提供截图", at=ASKED)
    assert issue.status == Status.WAITING_FOR_STORE
    issue.due_before = due
    return issue


def _assert_answered(issue, *, by, body):
    due_before = issue.due_before
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == Status.IN_PROGRESS
    assert issue.sla_paused_at is None
    assert not SlaPause.objects.filter(issue=issue, ended_at__isnull=True).exists()
    assert issue.resolution_due_at - due_before == dt.timedelta(days=1)
    event = IssueEvent.objects.get(issue=issue, action=Action.STORE_REPLY)
    assert (event.actor, event.body, event.from_status, event.to_status) == (
        by,
        body,
        Status.WAITING_FOR_STORE,
        Status.IN_PROGRESS,
    )
    return event


def test_a_public_reply_by_the_store_is_its_answer(cast):
    issue = _waiting(cast)
    services.comment(issue=issue, actor=cast.manager, body="截图见附件", at=ANSWERED)
    _assert_answered(issue, by=cast.manager, body="截图见附件")
    told = Notification.objects.get(recipient=cast.head, kind="issue_store_answered")
    assert told.object_ref == issue.number and told.body == "截图见附件"


def test_the_reply_button_on_the_page_answers(client, cast):
    issue = _waiting(cast)
    client.force_login(cast.manager)
    response = client.post(
        reverse("issues:action", args=[issue.number, "comment"]),
        {"comment-body": "已补充：每天上午出现", "comment-visibility": "public"},
    )
    assert response.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_PROGRESS
    assert IssueEvent.objects.filter(issue=issue, action=Action.STORE_REPLY).exists()


def test_the_api_comment_by_the_store_answers_too(api, cast):
    issue = _waiting(cast)
    response = api.as_(cast.manager).post(
        f"/api/v1/issues/{issue.number}/comments/", {"body": "补充", "public": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["action"] == Action.STORE_REPLY
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_PROGRESS


def test_store_reply_tells_the_assignee(cast):
    issue = _waiting(cast)
    services.assign(issue=issue, actor=cast.head, assignee=cast.member)
    services.store_reply(issue=issue, actor=cast.manager, body="补充内容", at=ANSWERED)
    assert Notification.objects.filter(recipient=cast.member, kind="issue_store_answered").exists()
    assert not Notification.objects.filter(
        recipient=cast.head, kind="issue_store_answered"
    ).exists()


@pytest.mark.parametrize("who,public", [("head", True), ("member", True), ("ops", False)])
def test_department_replies_and_notes_do_not_answer(cast, who, public):
    issue = _waiting(cast)
    services.comment(issue=issue, actor=getattr(cast, who), body="还在等门店", public=public)
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == Status.WAITING_FOR_STORE and issue.sla_paused_at == ASKED


def test_the_department_can_resume_without_the_answer(cast):
    issue = _waiting(cast)
    services.resume(issue=issue, actor=cast.member, reason="门店已电话说明", at=ANSWERED)
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == Status.IN_PROGRESS and issue.sla_paused_at is None
    event = IssueEvent.objects.get(issue=issue, action=Action.RESUME)
    assert (event.actor, event.body, event.from_status, event.to_status) == (
        cast.member,
        "门店已电话说明",
        Status.WAITING_FOR_STORE,
        Status.IN_PROGRESS,
    )
    with pytest.raises(InvalidTransition):
        services.resume(issue=issue, actor=cast.head, reason="再来一次")


def test_only_the_department_resumes(cast):
    issue = _waiting(cast)
    for who in (cast.manager, cast.scm_head, cast.executive):
        with pytest.raises(PermissionDenied):
            services.resume(issue=issue, actor=who, reason="x")
    assert Issue.objects.get(pk=issue.pk).status == Status.WAITING_FOR_STORE


def test_the_detail_page_offers_resume_to_the_department(client, cast):
    issue = _waiting(cast)
    client.force_login(cast.head)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert reverse("issues:action", args=[issue.number, "resume"]) in page
    response = client.post(
        reverse("issues:action", args=[issue.number, "resume"]), {"resume-reason": "电话已确认"}
    )
    assert response.status_code == 302
    assert Issue.objects.get(pk=issue.pk).status == Status.IN_PROGRESS
    client.force_login(cast.manager)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert reverse("issues:action", args=[issue.number, "resume"]) not in page


def test_resume_needs_a_reason_on_the_page(client, cast):
    issue = _waiting(cast)
    client.force_login(cast.head)
    response = client.post(
        reverse("issues:action", args=[issue.number, "resume"]), {"resume-reason": "  "}
    )
    assert response.status_code == 200
    assert Issue.objects.get(pk=issue.pk).status == Status.WAITING_FOR_STORE
