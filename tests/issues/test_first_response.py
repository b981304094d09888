"""Response is met by the department's accept or public reply, never by an internal note
or by someone outside the department."""

import pytest

from issues import selectors, services
from issues.models import Issue
from tests.factories import at, new_issue, to_triaged

pytestmark = pytest.mark.django_db


def test_accept_is_first_response(cast):
    issue = to_triaged(cast, new_issue(cast, when=at(2026, 11, 23, 10)), when=at(2026, 11, 23, 10))
    services.accept(issue=issue, actor=cast.member, at=at(2026, 11, 23, 11))
    assert Issue.objects.get(pk=issue.pk).first_response_at == at(2026, 11, 23, 11)


def test_public_reply_by_department_is_first_response(cast):
    issue = to_triaged(cast, new_issue(cast))
    services.comment(
        issue=issue, actor=cast.member, body="正在排查", public=True, at=at(2026, 11, 23, 12)
    )
    assert Issue.objects.get(pk=issue.pk).first_response_at == at(2026, 11, 23, 12)


def test_internal_note_is_not_a_response(cast):
    issue = to_triaged(cast, new_issue(cast))
    services.comment(issue=issue, actor=cast.head, body="内部讨论", public=False)
    assert Issue.objects.get(pk=issue.pk).first_response_at is None


def test_reply_by_other_department_or_store_is_not_a_response(cast):
    issue = to_triaged(cast, new_issue(cast))
    services.comment(issue=issue, actor=cast.scm_head, body="不是我们部门", public=True)
    services.comment(issue=issue, actor=cast.manager, body="还在等", public=True)
    assert Issue.objects.get(pk=issue.pk).first_response_at is None


def test_first_response_is_not_overwritten(cast):
    issue = to_triaged(cast, new_issue(cast))
    services.comment(issue=issue, actor=cast.member, body="收到", at=at(2026, 11, 23, 12))
    services.accept(issue=issue, actor=cast.head, at=at(2026, 11, 23, 15))
    assert Issue.objects.get(pk=issue.pk).first_response_at == at(2026, 11, 23, 12)


def test_breach_flags_are_exact(cast):
    submitted = at(2026, 11, 23, 10)  # Monday; P1 response 24 calendar hours
    issue = to_triaged(cast, new_issue(cast, when=submitted), when=submitted)
    assert issue.response_due_at == at(2026, 11, 24, 10)
    assert not selectors.response_breached(issue, at(2026, 11, 24, 10))
    assert selectors.response_breached(issue, at(2026, 11, 24, 10, 0, 1))
    services.accept(issue=issue, actor=cast.head, at=at(2026, 11, 24, 10))
    issue.refresh_from_db()
    assert not selectors.response_breached(issue, at(2026, 12, 30))
