"""Who may submit a problem is one rule (``policy.can_submit``) for the web form and the
API: a department head gets neither; a store manager and ops get both."""

import pytest

from issues import policy
from issues.choices import Action
from issues.models import Issue

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "store": "HZ001",
    "category": "system",
    "title": "DMS 打印失败",
    "description": "工单无法打印",
    "impact_scope": "store",
}


@pytest.mark.parametrize(
    "who,allowed",
    [("head", False), ("member", False), ("director", False), ("ops", True), ("manager", True)],
)
def test_the_form_and_the_api_agree(cast, client, api, who, allowed):
    user = getattr(cast, who)
    assert policy.can(user, Action.SUBMIT, None) == policy.can_submit(user) == allowed
    client.force_login(user)
    assert client.get("/issues/new/").status_code == (200 if allowed else 403)
    response = api.as_(user).post("/api/v1/issues/", PAYLOAD, format="json")
    assert response.status_code == (201 if allowed else 403), response.content
    assert Issue.objects.exists() == allowed


def test_the_dms_still_submits(cast, api):
    response = api.as_(cast.dms).post("/api/v1/issues/", PAYLOAD, format="json")
    assert response.status_code == 201
