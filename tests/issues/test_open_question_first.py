"""While an issue waits for the store, the department's open question and the store's
answer form lead the detail page (before the description, the actions and the long
timeline), so a store manager on a phone sees them first."""

import pytest
from django.urls import reverse

from issues import services
from tests.factories import new_issue, to_in_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(cast):
    issue = to_in_progress(cast, new_issue(cast))
    for i in range(5):
        services.comment(issue=issue, actor=cast.head, body=f"排查进展{i}")
    return services.ask_store(issue=issue, actor=cast.head, question="请拍一张报错界面的照片")


def test_the_store_sees_the_question_and_its_answer_form_first(cast, client, waiting):
    client.force_login(cast.manager)
    html = client.get(waiting.get_absolute_url()).content.decode()
    answer_url = reverse("issues:action", args=[waiting.number, "store_reply"])
    question = html.index('data-testid="open-question"')
    assert question < html.index('data-testid="description"')
    assert "请拍一张报错界面的照片" in html[question : html.index('data-testid="description"')]
    form = html.index(f'action="{answer_url}"')
    assert question < form < html.index('data-testid="description"')
    assert html.count(f'action="{answer_url}"') == 1  # not again among the other actions
    assert 'data-testid="action-store_reply" open' in html


def test_the_department_sees_its_question_without_an_answer_form(cast, client, waiting):
    client.force_login(cast.head)
    html = client.get(waiting.get_absolute_url()).content.decode()
    assert html.index('data-testid="open-question"') < html.index('data-testid="description"')
    assert reverse("issues:action", args=[waiting.number, "store_reply"]) not in html


def test_no_question_once_answered(cast, client, waiting):
    services.store_reply(issue=waiting, actor=cast.manager, body="照片已上传")
    client.force_login(cast.manager)
    html = client.get(waiting.get_absolute_url()).content.decode()
    assert 'data-testid="open-question"' not in html
