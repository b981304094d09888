"""我负责的 is a work queue: the person's open work, the most urgent first (breached, then
the nearest due time), finished issues behind the 含已结束 toggle; a department member's
is what is assigned to them plus the department's unassigned issues (marked); it has a
page and a navigation link for every role that has work, and no tab for those without.
The list itself leaves finished issues out unless asked (含已结束 or a status filter),
and its grouping tabs do not repeat the same total."""

import datetime as dt

import pytest
from django.utils import timezone

from closedloop.core.navigation import items_for
from issues import services
from tests.factories import new_issue, to_in_progress, to_resolved, to_triaged

pytestmark = pytest.mark.django_db


def _rows(response):
    assert response.status_code == 200
    return [issue.number for issue in response.context["page"]]


def _tabs(response):
    return [tab.key for tab, _count in response.context["tabs"]]


@pytest.fixture
def department_work(cast):
    """IT's issues: a closed P0, a P2 in progress, a breached P1, then a fresh P1."""
    now = timezone.now()
    closed = to_resolved(cast, new_issue(cast, title="已关闭的 P0", impact_scope="national"))
    closed = services.confirm(issue=closed, actor=cast.manager, rating=5)
    p2 = to_in_progress(cast, new_issue(cast, title="P2 处理中"))
    p2 = services.change_priority(issue=p2, actor=cast.ops, priority="P2", reason="影响小")
    breached = to_triaged(cast, new_issue(cast, title="超时的 P1", when=now - dt.timedelta(days=2)))
    fresh = to_triaged(cast, new_issue(cast, title="刚分派的 P1"))
    return {"closed": closed, "p2": p2, "breached": breached, "fresh": fresh}


def test_the_head_sees_open_work_most_urgent_first(cast, client, department_work):
    w = department_work
    client.force_login(cast.head)
    rows = _rows(client.get("/issues/mine/"))
    assert rows == [w["breached"].number, w["fresh"].number, w["p2"].number]
    # The same on the list's tab and the API's filter.
    assert _rows(client.get("/issues/?view=mine")) == rows
    with_finished = _rows(client.get("/issues/mine/?finished=true"))
    assert with_finished == [*rows, w["closed"].number]


def test_a_fresh_p1_is_on_top_without_breached_work(cast, client, department_work):
    w = department_work
    working = services.accept(issue=w["breached"], actor=cast.head)
    services.resolve(issue=working, actor=cast.head, resolution="已修复")
    client.force_login(cast.head)
    assert _rows(client.get("/issues/mine/"))[0] == w["fresh"].number


def test_a_member_gets_their_own_and_the_unassigned(cast, client, department_work):
    w = department_work
    services.assign(issue=w["p2"], actor=cast.head, assignee=cast.head)
    services.assign(issue=w["breached"], actor=cast.head, assignee=cast.member)
    client.force_login(cast.member)
    response = client.get("/issues/mine/")
    assert _rows(response) == [w["breached"].number, w["fresh"].number]
    html = response.content.decode()
    assert html.count('data-testid="unassigned"') == 1  # the fresh one, not their own


def test_the_page_and_its_link_for_those_with_work(cast, client):
    for who in ("head", "member", "ops"):
        user = getattr(cast, who)
        assert "issues:mine" in {item["name"] for item in items_for(user)}, who
        client.force_login(user)
        assert client.get("/issues/mine/").status_code == 200
        assert "mine" in _tabs(client.get("/issues/"))
    for who in ("lead", "executive", "director", "manager"):
        user = getattr(cast, who)
        assert "issues:mine" not in {item["name"] for item in items_for(user)}, who
        client.force_login(user)
        assert client.get("/issues/mine/").status_code == 403
        response = client.get("/issues/?view=mine")
        assert "mine" not in _tabs(response) and response.context["listing"].tab == "priority"


def test_the_list_leaves_finished_issues_out_unless_asked(cast, client, department_work):
    w = department_work
    client.force_login(cast.lead)
    assert w["closed"].number not in _rows(client.get("/issues/"))
    response = client.get("/issues/")
    assert 'data-testid="finished-toggle"' in response.content.decode()
    assert w["closed"].number in _rows(client.get("/issues/?finished=true"))
    assert _rows(client.get("/issues/?status=closed")) == [w["closed"].number]


def test_grouping_tabs_do_not_repeat_the_total(cast, client, department_work):
    client.force_login(cast.head)
    html = client.get("/issues/").content.decode()
    for key in ("priority", "department", "status"):
        assert f'data-testid="count-{key}"' not in html
    assert 'data-testid="count-overdue"' in html and 'data-testid="count-mine"' in html


def test_my_work_queries_do_not_grow(cast, client, flat_queries):
    def grow(n=5):
        for i in range(n):
            to_triaged(cast, new_issue(cast, title=f"IT 问题{i}"))

    grow(2)
    client.force_login(cast.member)
    flat_queries(lambda: _rows(client.get("/issues/mine/")), grow=lambda: grow(20), limit=10)
