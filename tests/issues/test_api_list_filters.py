"""The issue list as data: every filter of API.md, ordering, pagination, and a pinned
number of queries that does not grow with the rows."""

import datetime as dt

import pytest
from django.utils import timezone

from issues import services
from issues.choices import Category, ImpactScope, Priority
from tests.factories import at, new_issue, png

pytestmark = pytest.mark.django_db

LIST = "/api/v1/issues/"


def numbers(reply):
    assert reply.status_code == 200, reply.json()
    return [row["number"] for row in reply.json()["results"]]


# --- filters ------------------------------------------------------------------------------


@pytest.fixture
def board(cast):
    """A small tracking table: one issue per interesting state, all seen by the lead."""
    org = cast.org
    now = timezone.now()
    submitted = new_issue(cast, title="保养预约系统打不开")
    triaged = services.triage(
        issue=new_issue(cast, who=cast.neighbour, store=org.ningbo, category=Category.SUPPLY_CHAIN),
        actor=cast.ops,
        priority=Priority.P1,
        department="SCM",
    )
    # P1 by scope (calendar hours), submitted three days ago, never answered: overdue.
    late = new_issue(
        cast,
        who=cast.far_manager,
        store=org.guangzhou,
        impact_scope=ImpactScope.MULTI_STORE,
        when=now - dt.timedelta(days=3),
        title="配件到货延迟",
    )
    working = services.accept(
        issue=services.triage(issue=new_issue(cast), actor=cast.ops, priority=Priority.P2),
        actor=cast.head,
    )
    # Overdue too, but waiting for the store: the clock is paused, so not in the view.
    waiting = new_issue(cast, impact_scope=ImpactScope.MULTI_STORE, when=now - dt.timedelta(days=3))
    services.triage(issue=waiting, actor=cast.ops, priority=Priority.P1, department="IT")
    waiting = services.ask_store(issue=waiting, actor=cast.head, question="请补充截图")
    return {
        "submitted": submitted.number,
        "triaged": triaged.number,
        "late": late.number,
        "working": working.number,
        "waiting": waiting.number,
    }


def test_filter_by_status(cast, api, board):
    lead = api.as_(cast.lead)
    assert numbers(lead.get(LIST, {"status": "triaged"})) == [board["triaged"]]
    both = numbers(lead.get(f"{LIST}?status=in_progress&status=waiting_for_store"))
    assert set(both) == {board["working"], board["waiting"]}


def test_filter_by_priority_category_department_store_region(cast, api, board):
    lead = api.as_(cast.lead)
    assert set(numbers(lead.get(LIST, {"priority": "P1"}))) == {board["triaged"], board["waiting"]}
    assert numbers(lead.get(LIST, {"category": "supply_chain"})) == [board["triaged"]]
    assert numbers(lead.get(LIST, {"department": "SCM"})) == [board["triaged"]]
    assert set(numbers(lead.get(LIST, {"department": "IT"}))) == {
        board["working"],
        board["waiting"],
    }
    assert numbers(lead.get(LIST, {"store": "GZ001"})) == [board["late"]]
    assert numbers(lead.get(LIST, {"region": "SOUTH"})) == [board["late"]]
    assert len(numbers(lead.get(LIST, {"region": "EAST"}))) == 4
    assert numbers(lead.get(LIST, {"store": "NOPE"})) == []


def test_filter_overdue(cast, api, board):
    lead = api.as_(cast.lead)
    assert numbers(lead.get(LIST, {"overdue": "true"})) == [board["late"]]
    assert board["late"] not in numbers(lead.get(LIST, {"overdue": "false"}))
    assert len(numbers(lead.get(LIST, {"overdue": "false"}))) == 4
    # Visibility first, then the filter: the store manager of HZ001 has no late issue.
    assert numbers(api.as_(cast.manager).get(LIST, {"overdue": "true"})) == []


def test_filter_mine(cast, api, board):
    assert set(numbers(api.as_(cast.head).get(LIST, {"mine": "true"}))) == {
        board["working"],
        board["waiting"],
    }
    assert numbers(api.as_(cast.scm_head).get(LIST, {"mine": "true"})) == [board["triaged"]]
    assert numbers(api.as_(cast.far_manager).get(LIST, {"mine": "true"})) == [board["late"]]
    # Ops: the untriaged issues of its stores are its work.
    assert numbers(api.as_(cast.ops).get(LIST, {"mine": "true"})) == [board["submitted"]]
    assert len(numbers(api.as_(cast.head).get(LIST, {"mine": "false"}))) == 2


def test_search(cast, api, board):
    lead = api.as_(cast.lead)
    assert numbers(lead.get(LIST, {"search": "预约系统"})) == [board["submitted"]]
    assert numbers(lead.get(LIST, {"search": board["late"]})) == [board["late"]]
    assert numbers(lead.get(LIST, {"search": "gz001"})) == [board["late"]]
    assert numbers(lead.get(LIST, {"search": "宁波"})) == [board["triaged"]]
    assert numbers(lead.get(LIST, {"search": "不存在的词"})) == []
    # Search never widens what a person may see.
    assert numbers(api.as_(cast.neighbour).get(LIST, {"search": "预约系统"})) == []


def test_submitted_after_and_before_use_local_dates(cast, api):
    # 23:30 in Asia/Shanghai on 10 January is still 10 January, though UTC says 15:30.
    late_evening = new_issue(cast, when=at(2026, 1, 10, 23, 30))
    next_morning = new_issue(cast, when=at(2026, 1, 11, 0, 30))
    later = new_issue(cast, when=at(2026, 2, 1, 9, 0))
    lead = api.as_(cast.lead)
    on_the_tenth = {"submitted_after": "2026-01-10", "submitted_before": "2026-01-10"}
    assert numbers(lead.get(LIST, on_the_tenth)) == [late_evening.number]
    assert numbers(lead.get(LIST, {"submitted_after": "2026-01-11"})) == [
        later.number,
        next_morning.number,
    ]
    assert numbers(lead.get(LIST, {"submitted_before": "2026-01-31"})) == [
        next_morning.number,
        late_evening.number,
    ]


def test_ordering(cast, api, board):
    lead = api.as_(cast.lead)
    oldest_first = numbers(lead.get(LIST, {"ordering": "submitted_at,number"}))
    newest_first = numbers(lead.get(LIST, {"ordering": "-submitted_at,-number"}))
    assert len(oldest_first) == 5 and oldest_first == list(reversed(newest_first))
    assert set(oldest_first[:2]) == {board["late"], board["waiting"]}
    by_number = numbers(lead.get(LIST, {"ordering": "number"}))
    assert by_number == sorted(by_number)
    rows = lead.get(LIST, {"ordering": "-priority", "priority": ["P1", "P2"]}).json()["results"]
    assert [r["priority"] for r in rows] == ["P2", "P1", "P1"]
    assert lead.get(LIST, {"ordering": "title"}).status_code == 400


def test_default_order_is_newest_first(cast, api):
    now = timezone.now()
    made = [new_issue(cast, when=now - dt.timedelta(hours=h)).number for h in (5, 1, 3)]
    assert numbers(api.as_(cast.lead).get(LIST)) == [made[1], made[2], made[0]]


def test_filters_are_not_duplicated_in_the_schema(cast, api):
    schema = api.as_(cast.lead).get("/api/v1/schema/?format=json").json()
    params = [p["name"] for p in schema["paths"]["/api/v1/issues/"]["get"]["parameters"]]
    assert len(params) == len(set(params))
    assert {
        "status",
        "priority",
        "category",
        "department",
        "store",
        "region",
        "overdue",
        "mine",
        "submitted_after",
        "submitted_before",
        "search",
        "ordering",
        "page",
        "page_size",
    } <= set(params)


# --- pagination ---------------------------------------------------------------------------


def test_pagination_and_max_page_size(cast, api):
    for _ in range(205):
        new_issue(cast)
    lead = api.as_(cast.lead)
    page = lead.get(LIST, {"page_size": 2}).json()
    assert page["count"] == 205 and len(page["results"]) == 2
    assert "page=2" in page["next"] and page["previous"] is None
    assert len(lead.get(LIST).json()["results"]) == 50
    biggest = lead.get(LIST, {"page_size": 500}).json()
    assert len(biggest["results"]) == 200 and biggest["next"]
    second = lead.get(biggest["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    assert lead.get(LIST, {"page": 99}).status_code == 404


# --- query counts -------------------------------------------------------------------------


def populate(cast, count):
    """``count`` issues with every relation the serializer reads: triaged ones with a
    department, accepted ones with an assignee, attachments, a duplicate, a systemic issue."""
    made = []
    for i in range(count):
        store = (cast.org.hangzhou, cast.org.ningbo)[i % 2]
        by = (cast.manager, cast.neighbour)[i % 2]
        issue = new_issue(cast, who=by, store=store, files=[png(f"{i}.png")] if i % 3 == 0 else ())
        if i % 2 == 0:
            issue = services.triage(
                issue=issue, actor=cast.ops, priority=Priority.P1, department="IT"
            )
        if i % 4 == 0:
            issue = services.accept(issue=issue, actor=cast.member)
        made.append(issue)
    services.mark_duplicate(issue=made[1], actor=cast.ops, duplicate_of=made[0])
    services.create_systemic_issue(actor=cast.ops, title="DMS 性能", issues=made[:4])
    return made


# The list costs: the page count, the page (its ids picked first in a sub-select, then those
# issues joined with store, region, department, assignee, submitter, duplicate_of and
# systemic issue, with their project's number), the attachments with uploaders.
LIST_QUERIES = 3
# The detail: the issue, its attachments, its timeline with actors.
DETAIL_QUERIES = 3


@pytest.mark.parametrize("rows", [10, 60])
@pytest.mark.parametrize("who", ["lead", "ops", "member"])
def test_list_query_count_is_pinned(
    cast, api, settings, tmp_path, django_assert_max_num_queries, rows, who
):
    settings.MEDIA_ROOT = tmp_path
    populate(cast, rows)
    client = api.as_(getattr(cast, who))
    with django_assert_max_num_queries(LIST_QUERIES):
        reply = client.get(LIST, {"page_size": 50})
    assert reply.status_code == 200
    assert len(reply.json()["results"]) == min(rows if who != "member" else rows // 2, 50)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert (
            client.get(LIST, {"page_size": 50, "mine": "true", "overdue": "false"}).status_code
            == 200
        )


def test_detail_query_count_is_pinned(cast, api, settings, tmp_path, django_assert_max_num_queries):
    settings.MEDIA_ROOT = tmp_path
    issue = populate(cast, 4)[0]
    for i in range(10):
        services.comment(issue=issue, actor=(cast.head, cast.member)[i % 2], body=f"进展 {i}")
    client = api.as_(cast.manager)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        reply = client.get(f"{LIST}{issue.number}/")
    assert reply.status_code == 200 and len(reply.json()["timeline"]) >= 13
