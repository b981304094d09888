"""The list page's five working views: tab counts under the current filters, the overdue
and mine tabs, the querystring as a bookmark — and query counts that do not grow with the
number of rows (no N+1), for each tab and for 我的门店问题."""

import datetime as dt

import pytest
from django.utils import timezone

from issues import services
from tests.factories import new_issue, to_in_progress, to_triaged

pytestmark = pytest.mark.django_db

TABS = ["priority", "department", "status", "overdue", "mine"]


def _counts(response):
    return {tab.key: count for tab, count in response.context["tabs"]}


def _rows(response):
    return [issue.number for issue in response.context["page"]]


def test_tab_counts_are_one_per_view_under_the_filters(cast, client):
    now = timezone.now()
    late = new_issue(cast, impact_scope="national", when=now - dt.timedelta(hours=3))  # P0, 1 h
    fresh = new_issue(cast, title="新问题")
    mine = to_triaged(cast, new_issue(cast, title="IT 的问题"))
    new_issue(cast, store=cast.org.ningbo, who=cast.neighbour, category="supply_chain")

    client.force_login(cast.ops)
    response = client.get("/issues/")
    counts = _counts(response)
    # The grouping tabs show the same rows: no count of their own, the total once.
    assert counts["priority"] is counts["department"] is counts["status"] is None
    assert response.context["page"].paginator.count == 4
    assert counts["overdue"] == 1
    # An ops specialist's "mine": what they submitted plus their stores' untriaged issues.
    assert counts["mine"] == 3

    filtered = client.get("/issues/?category=system&store=HZ001")
    assert filtered.context["page"].paginator.count == 3
    filtered = _counts(filtered)
    assert filtered["overdue"] == 1

    client.force_login(cast.head)
    response = client.get("/issues/")
    assert response.context["page"].paginator.count == 1 and _counts(response)["mine"] == 1
    assert {late.number, fresh.number}.isdisjoint(_rows(client.get("/issues/")))
    assert _rows(client.get("/issues/?view=mine")) == [mine.number]


def test_overdue_tab_shows_a_past_due_issue(cast, client):
    now = timezone.now()
    late = new_issue(cast, impact_scope="national", when=now - dt.timedelta(hours=3))
    on_time = new_issue(cast, impact_scope="national", title="刚提交")
    answered = to_in_progress(cast, new_issue(cast, impact_scope="region", title="已受理"))

    client.force_login(cast.lead)
    response = client.get("/issues/?view=overdue")
    rows = _rows(response)
    assert late.number in rows
    assert answered.number not in rows
    assert on_time.number in rows  # P0 due within the next 4 hours: 预警
    page = response.content.decode()
    assert 'class="row-breached"' in page
    assert 'data-testid="tab-overdue"' in page and 'aria-current="page"' in page


def test_mine_tab_for_the_department_head_after_triage(cast, client):
    issue = new_issue(cast, title="派给 IT 的问题")
    supply = new_issue(cast, title="派给供应链的问题", category="supply_chain")
    client.force_login(cast.head)
    assert _rows(client.get("/issues/?view=mine")) == []

    to_triaged(cast, issue)  # → IT
    services.triage(issue=supply, actor=cast.ops, priority="P2", department="SCM")
    response = client.get("/issues/?view=mine")
    assert _rows(response) == [issue.number]
    assert _counts(response)["mine"] == 1


def test_tab_and_filters_live_in_the_querystring(cast, client):
    for index in range(3):
        new_issue(cast, title=f"系统问题{index}")
    new_issue(cast, title="供应链问题", category="supply_chain")
    client.force_login(cast.manager)
    response = client.get("/issues/?view=status&category=supply_chain")
    assert _rows(response) and len(_rows(response)) == 1
    page = response.content.decode()
    # Tab links keep the filters; the export link exports the same selection.
    assert "?view=overdue&amp;category=supply_chain" in page
    assert "/issues/export.xlsx?view=status&amp;category=supply_chain" in page


def test_priority_tab_groups_by_priority(cast, client):
    low = to_triaged(cast, new_issue(cast, title="低"), priority="P3")
    high = to_triaged(cast, new_issue(cast, title="高"), priority="P0")
    untriaged = new_issue(cast, title="未分级")
    client.force_login(cast.lead)
    response = client.get("/issues/?view=priority")
    assert _rows(response) == [high.number, low.number, untriaged.number]
    assert response.content.decode().count('data-testid="group"') == 3


def test_htmx_request_gets_only_the_results(cast, client):
    new_issue(cast)
    client.force_login(cast.manager)
    response = client.get("/issues/?view=status", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert 'id="issue-results"' in page
    assert "<html" not in page


def _fill(cast, count):
    now = timezone.now()
    stores = [(cast.org.hangzhou, cast.manager), (cast.org.ningbo, cast.neighbour)]
    for index in range(count):
        store, who = stores[index % 2]
        issue = new_issue(
            cast,
            store=store,
            who=who,
            title=f"问题{index}",
            impact_scope=["national", "region", "store"][index % 3],
            when=now - dt.timedelta(hours=index),
        )
        if index % 3:
            issue = to_in_progress(cast, issue)
            services.comment(issue=issue, actor=cast.head, body=f"部门回复{index}")
            services.assign(issue=issue, actor=cast.head, assignee=cast.member)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].object_list, "the page must show rows to prove anything"
    return response


@pytest.mark.parametrize("tab", TABS)
def test_list_queries_do_not_grow_with_rows(tab, cast, client, flat_queries):
    _fill(cast, 10)
    client.force_login(cast.ops)
    flat_queries(
        lambda: _page(client, f"/issues/?view={tab}"), grow=lambda: _fill(cast, 50), limit=10
    )


def test_list_with_filters_queries_do_not_grow(cast, client, flat_queries):
    url = "/issues/?view=department&category=system&search=问题&status=in_progress&sort=number"
    _fill(cast, 10)
    client.force_login(cast.lead)
    flat_queries(lambda: _page(client, url), grow=lambda: _fill(cast, 50), limit=10)


def test_my_store_queries_do_not_grow_with_rows(cast, client, flat_queries):
    _fill(cast, 10)
    client.force_login(cast.manager)
    response = flat_queries(
        lambda: _page(client, "/issues/store/"), grow=lambda: _fill(cast, 50), limit=8
    )
    assert "部门回复" in response.content.decode()
