"""An issue's description holds at most 5 000 characters, every text on its timeline (a
reply, a note, a question to the store and its answer, a resolution, a reason, a rating
comment) at most 2 000. The services refuse longer text with a translated message on
the field, nothing saved; the forms stop typing there and say so; the API says so in
its schema and answers 400."""

import pytest

from closedloop.errors import DomainError
from issues import services
from issues.choices import MAX_COMMENT_LENGTH, MAX_DESCRIPTION_LENGTH
from issues.models import Issue, IssueEvent
from tests.factories import new_issue, to_in_progress, to_resolved, to_triaged

pytestmark = pytest.mark.django_db

LONG_COMMENT = "长" * (MAX_COMMENT_LENGTH + 1)
SUBMISSION = {
    "category": "system",
    "title": "DMS 打印工单很慢",
    "description": "每张工单要等两分钟。",
    "impact_scope": "store",
}


# --- the services -------------------------------------------------------------------------


def test_a_description_up_to_the_limit_is_taken_longer_is_refused(cast):
    issue = new_issue(cast, description="述" * MAX_DESCRIPTION_LENGTH)
    assert len(issue.description) == MAX_DESCRIPTION_LENGTH
    with pytest.raises(DomainError) as refused:
        new_issue(cast, description="述" * (MAX_DESCRIPTION_LENGTH + 1))
    assert refused.value.errors == {"description": ["问题描述最多 5000 个字，现在是 5001 个字。"]}
    assert Issue.objects.count() == 1


def test_a_line_break_counts_once_as_the_browser_counts_it(cast):
    text = "行\r\n" * (MAX_DESCRIPTION_LENGTH // 2)  # 5 000 in a textarea, 7 500 sent
    issue = new_issue(cast, description=text)
    # (Lengths compared, not the texts: a failing comparison of long texts is slow.)
    assert "\r" not in issue.description
    assert len(issue.description) == MAX_DESCRIPTION_LENGTH - 1  # the last break stripped


def _comment(cast, issue, text):
    return services.comment(issue=to_triaged(cast, issue), actor=cast.head, body=text)


def _ask(cast, issue, text):
    return services.ask_store(issue=to_in_progress(cast, issue), actor=cast.head, question=text)


def _reply(cast, issue, text):
    issue = services.ask_store(issue=to_in_progress(cast, issue), actor=cast.head, question="?")
    return services.store_reply(issue=issue, actor=cast.manager, body=text)


def _resolve(cast, issue, text):
    return services.resolve(issue=to_in_progress(cast, issue), actor=cast.head, resolution=text)


def _reject(cast, issue, text):
    return services.reject(issue=issue, actor=cast.ops, reason=text)


def _reopen(cast, issue, text):
    return services.reopen(issue=to_resolved(cast, issue), actor=cast.manager, reason=text)


def _rate(cast, issue, text):
    issue = to_resolved(cast, issue)
    return services.confirm(issue=issue, actor=cast.manager, rating=4, comment=text)


def _reprioritise(cast, issue, text):
    issue = to_triaged(cast, issue)
    return services.change_priority(issue=issue, actor=cast.ops, priority="P0", reason=text)


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (_comment, "body"),
        (_ask, "question"),
        (_reply, "body"),
        (_resolve, "resolution"),
        (_reject, "reason"),
        (_reopen, "reason"),
        (_rate, "comment"),
        (_reprioritise, "reason"),
    ],
)
def test_every_timeline_text_has_the_limit(cast, act, field):
    act(cast, new_issue(cast), "字" * MAX_COMMENT_LENGTH)  # up to the limit: taken
    with pytest.raises(DomainError) as refused:
        act(cast, new_issue(cast), LONG_COMMENT)
    assert refused.value.field == field
    assert refused.value.message == "最多 2000 个字，现在是 2001 个字。"
    # The refused step left nothing (the steps before it, driving the issue there, did).
    assert not IssueEvent.objects.filter(body=LONG_COMMENT).exists()
    assert not Issue.objects.filter(rating_comment=LONG_COMMENT).exists()
    assert not Issue.objects.filter(resolution=LONG_COMMENT).exists()


# --- the pages ----------------------------------------------------------------------------


def test_the_submit_form_says_the_limit_and_refuses_more(cast, client):
    client.force_login(cast.manager)
    page = client.get("/issues/new/").content.decode()
    assert 'maxlength="5000"' in page and "最多 5000 个字。" in page
    response = client.post(
        "/issues/new/", {**SUBMISSION, "description": "述" * (MAX_DESCRIPTION_LENGTH + 1)}
    )
    assert response.status_code == 200
    assert "问题描述最多 5000 个字，现在是 5001 个字。" in response.content.decode()
    assert not Issue.objects.exists()


def test_a_reply_on_the_page_says_the_limit_and_refuses_more(cast, client):
    issue = to_triaged(cast, new_issue(cast))
    client.force_login(cast.head)
    page = client.get(f"/issues/{issue.number}/").content.decode()
    assert f'maxlength="{MAX_COMMENT_LENGTH}"' in page and "最多 2000 个字。" in page
    response = client.post(
        f"/issues/{issue.number}/do/comment/",
        {"comment-body": LONG_COMMENT, "comment-visibility": "public"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "最多 2000 个字，现在是 2001 个字。" in html
    assert not IssueEvent.objects.filter(kind="comment").exists()


def test_english_speakers_read_the_limit_in_english(cast, client):
    cast.manager.language = "en"
    cast.manager.save()
    client.force_login(cast.manager)
    assert "At most 5000 characters." in client.get("/issues/new/").content.decode()


# --- the API ------------------------------------------------------------------------------


def test_the_api_refuses_longer_text_with_400(cast, api):
    body = {**SUBMISSION, "store": "HZ001", "description": "述" * (MAX_DESCRIPTION_LENGTH + 1)}
    response = api.as_(cast.dms).post("/api/v1/issues/", body, format="json")
    assert response.status_code == 400
    assert "description" in response.json()
    issue = to_triaged(cast, new_issue(cast))
    response = api.as_(cast.head).post(
        f"/api/v1/issues/{issue.number}/comments/", {"body": LONG_COMMENT}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()
    assert not IssueEvent.objects.filter(kind="comment").exists()


def test_the_api_schema_says_the_limits(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    assert components["IssueCreateRequest"]["properties"]["description"]["maxLength"] == 5000
    assert components["CommentRequest"]["properties"]["body"]["maxLength"] == 2000
    assert components["ReasonRequest"]["properties"]["reason"]["maxLength"] == 2000
