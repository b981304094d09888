"""The issue API's list picks its page's ids first (issue 9): the ordered, filtered ids
come from the index ``issue_by_submitted`` (no sort, no join, no sub-select per skipped
row), only the page's rows are joined and get their project's REF number, and the reply
is still exactly the plain ordered queryset's page (API.md: ``count``, ``next``,
``previous``, ``results``). Proved with EXPLAIN on generated data, as the list pages
are (``tests/perf/test_list_plans.py``)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from closedloop.core import bench
from issues import loadgen
from issues.choices import Status
from issues.models import Issue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)
LIST = "/api/v1/issues/"
PAGE = 50


@pytest.fixture
def generated(db):
    loadgen.generate(stores=20, issues=6000, people=100, seed=11, now=NOW, say=str)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.fixture
def vacuumed(transactional_db):
    """Generated data as a long-lived table is: vacuumed (its pages all-visible, so an
    index-only scan is costed as one) and analyzed. VACUUM needs to run outside a
    transaction, hence a transactional test."""
    loadgen.generate(stores=20, issues=6000, people=100, seed=11, now=NOW, say=str)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE issues_issue")


def _page_query(client, params) -> str:
    """The SQL of the request's page query (the one that reads the page's rows)."""
    with CaptureQueriesContext(connection) as captured:
        reply = client.get(LIST, params)
    assert reply.status_code == 200, reply.content
    pages = [q["sql"] for q in captured if "LIMIT" in q["sql"] and "rectification" in q["sql"]]
    assert len(pages) == 1, [q["sql"] for q in captured]
    return pages[0]


def _nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def test_deep_page_ids_come_from_the_index_and_the_annotation_runs_per_page_row(vacuumed, api):
    client = api.as_(bench.ROLES["lead"]())
    sql = _page_query(client, {"page": 100})  # OFFSET 4 950 of ~6 000
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    nodes = list(_nodes(plan["Plan"]))
    scans = [n for n in nodes if n.get("Relation Name") == "issues_issue"]
    picked = [n for n in scans if n.get("Index Name") == "issue_by_submitted"]
    assert [n["Node Type"] for n in picked] == ["Index Only Scan"], [
        (n["Node Type"], n.get("Index Name")) for n in scans
    ]
    assert all(n["Node Type"] != "Seq Scan" for n in scans), scans
    # The ids are read in index order: the only sort left is the page's 50 rows.
    for node in nodes:
        if node["Node Type"] == "Sort":
            assert node["Actual Rows"] <= PAGE, node
    # The project-number sub-select runs once per row of the page, not per skipped row.
    subplans = [n for n in nodes if n.get("Parent Relationship") == "SubPlan"]
    assert subplans, "rectification_number is a sub-select"
    assert all(n["Actual Loops"] <= PAGE for n in subplans), subplans


def _expected(queryset, page: int, size: int) -> list[str]:
    rows = queryset.values_list("number", flat=True)
    return list(rows[(page - 1) * size : page * size])


CASES = [
    # (role, query, the plain queryset's filter, its order)
    ("lead", {}, {}, ("-submitted_at", "-pk")),
    ("ops", {}, {}, ("-submitted_at", "-pk")),
    (
        "lead",
        {"status": [Status.CLOSED, Status.IN_PROGRESS]},
        {"status__in": [Status.CLOSED, Status.IN_PROGRESS]},
        ("-submitted_at", "-pk"),
    ),
    ("head", {"priority": "P1"}, {"priority": "P1"}, ("-submitted_at", "-pk")),
    ("lead", {"ordering": "priority"}, {}, ("priority", "-pk")),
    ("lead", {"ordering": "-resolution_due_at"}, {}, ("-resolution_due_at", "-pk")),
]


@pytest.mark.parametrize(("role", "query", "where", "order"), CASES)
def test_ids_first_pages_are_the_plain_ordered_pages(generated, api, role, query, where, order):
    user = bench.ROLES[role]()
    client = api.as_(user)
    plain = Issue.objects.visible_to(user).filter(**where).order_by(*order)
    count = plain.count()
    size = 40
    last = -(-count // size)
    assert last > 10, (role, query, count)  # deep pages are compared
    for page in (1, 2, last // 2, last - 1, last):
        reply = client.get(LIST, {**query, "page": page, "page_size": size})
        assert reply.status_code == 200, reply.content
        body = reply.json()
        assert list(body) == ["count", "next", "previous", "results"]
        assert body["count"] == count
        assert [row["number"] for row in body["results"]] == _expected(plain, page, size)
        assert (body["next"] is None) == (page == last)
        assert (body["previous"] is None) == (page == 1)
        if body["next"]:
            assert f"page={page + 1}" in body["next"]
    assert client.get(LIST, {**query, "page": last + 1, "page_size": size}).status_code == 404
