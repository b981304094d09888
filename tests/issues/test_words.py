"""Words people stumbled on: the quality lead's role label is not a near twin of 运营专员;
the login asks for the user name the accounts have; the timeline names departments as
everywhere else; the rating runs 1→5 with words."""

import re

import pytest

from closedloop.org.choices import Role
from issues import services
from issues.forms import ConfirmForm
from tests.factories import new_issue, to_resolved

pytestmark = pytest.mark.django_db


def test_the_quality_lead_is_not_called_like_the_ops_specialist():
    assert str(Role.QUALITY_LEAD.label) == "服务质量负责人"
    assert "运营" not in str(Role.QUALITY_LEAD.label)


def test_the_old_label_still_imports(cast):
    from closedloop.org.services import _role

    errors = {}
    assert _role("运营负责人", errors) == _role("服务质量负责人", errors) == Role.QUALITY_LEAD
    assert errors == {}


def test_the_login_asks_for_the_user_name(client):
    html = client.get("/accounts/login/").content.decode()
    assert "请使用用户名和密码登录" in html and "工号" not in html


def test_the_timeline_names_the_department(cast, client):
    issue = new_issue(cast, category="supply_chain")
    services.triage(issue=issue, actor=cast.ops, priority="P0", department="SCM")
    services.change_priority(issue=issue, actor=cast.ops, priority="P1", department="IT")
    client.force_login(cast.lead)
    html = client.get(issue.get_absolute_url()).content.decode()
    summary = re.search(r'data-testid="triage-summary">([^<]*)<', html).group(1)
    assert summary == f"P0 · {cast.org.supply.name}"
    assert f"{cast.org.supply.name} → {cast.org.it.name}" in html
    assert "· SCM" not in html


def test_the_rating_runs_from_1_to_5_with_words(cast, client):
    labels = [(value, str(label)) for value, label in ConfirmForm().fields["rating"].choices]
    assert labels == [
        (1, "1 很不满意"),
        (2, "2 不满意"),
        (3, "3 一般"),
        (4, "4 满意"),
        (5, "5 很满意"),
    ]
    issue = to_resolved(cast, new_issue(cast))
    client.force_login(cast.manager)
    html = client.get(issue.get_absolute_url()).content.decode()
    assert html.index("1 很不满意") < html.index("5 很满意")
