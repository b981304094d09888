"""Systemic issues: one named problem groups the issues of many stores, with its own
status flow; headquarters works them, stores never see the page (404)."""

import re

import pytest

from closedloop.errors import InvalidTransition, PermissionDenied
from issues import services
from issues.models import IssueEvent, SystemicEvent, SystemicIssue
from tests.factories import new_issue, to_triaged

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_stores(cast):
    a = new_issue(cast, title="DMS 派工慢")
    b = new_issue(cast, who=cast.neighbour, store=cast.org.ningbo, title="DMS 派工也慢")
    return a, b


def test_group_issues_of_many_stores(cast, two_stores):
    a, b = two_stores
    systemic = services.create_systemic_issue(
        actor=cast.ops, title="DMS 派工模块性能", department="IT", issues=[a, b]
    )
    assert set(systemic.issues.values_list("store__code", flat=True)) == {"HZ001", "NB001"}
    assert IssueEvent.objects.filter(kind="systemic").count() == 2


def test_status_flow(cast):
    systemic = services.create_systemic_issue(actor=cast.lead, title="配件调拨慢")
    services.set_systemic_status(systemic=systemic, actor=cast.lead, status="pushed")
    services.set_systemic_status(systemic=systemic, actor=cast.lead, status="landed")
    with pytest.raises(InvalidTransition):
        services.set_systemic_status(systemic=systemic, actor=cast.lead, status="identified")
    assert SystemicIssue.objects.get().status == "landed"


def test_store_manager_cannot_create(cast):
    with pytest.raises(PermissionDenied):
        services.create_systemic_issue(actor=cast.manager, title="x")


def test_pages(cast, client, two_stores):
    a, b = two_stores
    client.force_login(cast.lead)
    response = client.post(
        "/issues/systemic/new/",
        {
            "title": "DMS 派工模块性能",
            "description": "多店反映",
            "department": cast.org.it.pk,
            "issues": f"{a.number}，{b.number}",
        },
    )
    systemic = SystemicIssue.objects.get()
    assert response.status_code == 302 and systemic.issues.count() == 2
    page = client.get(f"/issues/systemic/{systemic.pk}/").content.decode()
    assert a.number in page and b.number in page
    client.post(f"/issues/systemic/{systemic.pk}/status/", {"status": "pushed"})
    systemic.refresh_from_db()
    assert systemic.status == "pushed"
    assert "DMS 派工模块性能" in client.get("/issues/systemic/").content.decode()


def test_unknown_or_invisible_number_is_refused_and_nothing_saved(cast, client, two_stores):
    a, b = two_stores
    client.force_login(cast.ops)
    far = new_issue(cast, who=cast.far_manager, store=cast.org.guangzhou, title="远方")
    response = client.post(
        "/issues/systemic/new/", {"title": "x", "issues": f"{a.number}, {far.number}"}
    )
    assert response.status_code == 200 and far.number in response.content.decode()
    assert not SystemicIssue.objects.exists()


def test_store_manager_gets_404(cast, client):
    systemic = services.create_systemic_issue(actor=cast.lead, title="配件调拨慢")
    client.force_login(cast.manager)
    assert client.get("/issues/systemic/").status_code == 404
    assert client.get(f"/issues/systemic/{systemic.pk}/").status_code == 404


def test_every_change_is_recorded_through_the_workflow(cast, two_stores):
    a, b = two_stores
    systemic = services.create_systemic_issue(actor=cast.ops, title="DMS 派工模块性能", issues=[a])
    services.group_into_systemic(systemic=systemic, issues=[a, b], actor=cast.lead)
    services.set_systemic_status(systemic=systemic, actor=cast.lead, status="in_progress")
    services.set_systemic_status(systemic=systemic, actor=cast.ops, status="landed")
    rows = list(
        SystemicEvent.objects.filter(systemic_issue=systemic).values_list(
            "actor__username", "action", "from_status", "to_status", "body"
        )
    )
    assert rows == [
        ("ops", "identify", "", "identified", ""),
        ("ops", "group", "", "", a.number),
        ("lead", "group", "", "", b.number),  # a was grouped already
        ("lead", "start", "identified", "in_progress", ""),
        ("ops", "land", "in_progress", "landed", ""),
    ]


def test_refused_changes_record_nothing(cast):
    systemic = services.create_systemic_issue(actor=cast.lead, title="配件调拨慢")
    with pytest.raises(PermissionDenied):
        services.set_systemic_status(systemic=systemic, actor=cast.head, status="pushed")
    with pytest.raises(InvalidTransition):
        services.set_systemic_status(systemic=systemic, actor=cast.lead, status="identified")
    assert SystemicEvent.objects.filter(systemic_issue=systemic).count() == 1
    assert SystemicIssue.objects.get().status == "identified"


def test_detail_page_shows_the_history_and_refuses_an_illegal_change(cast, client):
    systemic = services.create_systemic_issue(actor=cast.lead, title="配件调拨慢")
    services.set_systemic_status(systemic=systemic, actor=cast.lead, status="pushed")
    client.force_login(cast.ops)
    page = client.get(f"/issues/systemic/{systemic.pk}/")
    history = [(e.action, e.actor) for e in page.context["history"]]
    assert history == [("identify", cast.lead), ("push", cast.lead)]
    text = page.content.decode()
    assert "推动总部" in text and "已推动" in text
    # Offered next: what the table allows from 已推动 (推进中, 已落地), nothing else.
    assert page.context["next_statuses"] == ["in_progress", "landed"]

    services.set_systemic_status(systemic=systemic, actor=cast.lead, status="landed")
    response = client.post(
        f"/issues/systemic/{systemic.pk}/status/", {"status": "pushed"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["系统性问题当前为“已落地”，不能改为“已推动”。"]
    assert SystemicIssue.objects.get().status == "landed"
    assert SystemicEvent.objects.filter(systemic_issue=systemic).count() == 3


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_systemic_issues_their_first_history_row(cast):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("issues", "0005_issueevent_kind_default")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("issues", "SystemicIssue")
    made = old.objects.create(title="配件调拨慢", owner_id=cast.lead.pk, status="pushed")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)  # through 0006_systemicevent, and back where the suite was
    row = SystemicEvent.objects.get(systemic_issue_id=made.pk)
    assert (row.actor, row.action, row.from_status, row.to_status, row.at) == (
        cast.lead,
        "identify",
        "",
        "identified",
        SystemicIssue.objects.get(pk=made.pk).created_at,
    )


def test_list_filters_by_status_through_its_filterset(cast, client):
    services.create_systemic_issue(actor=cast.lead, title="配件调拨慢")
    pushed = services.create_systemic_issue(actor=cast.lead, title="DMS 派工模块性能")
    services.set_systemic_status(systemic=pushed, actor=cast.lead, status="pushed")
    client.force_login(cast.director)

    def titles(query):
        response = client.get(f"/issues/systemic/{query}")
        assert response.status_code == 200
        return {row.title for row in response.context["rows"]}, response.context["status"]

    assert titles("?status=pushed") == ({"DMS 派工模块性能"}, "pushed")
    assert titles("?status=identified") == ({"配件调拨慢"}, "identified")
    # An unknown status filters nothing, as an empty one does.
    assert titles("?status=lost") == titles("") == ({"配件调拨慢", "DMS 派工模块性能"}, "")


def test_the_list_counts_only_the_issues_the_viewer_can_see(cast, client):
    """The IT member sees the IT issue of Hangzhou, not the SCM issue of Guangzhou."""
    it_issue = to_triaged(cast, new_issue(cast))
    far = new_issue(cast, store=cast.org.guangzhou, who=cast.far_manager, category="supply_chain")
    far = services.triage(issue=far, actor=cast.lead, priority="P2", department="SCM")
    services.create_systemic_issue(actor=cast.lead, title="派工慢", issues=[it_issue, far])
    client.force_login(cast.lead)
    row = client.get("/issues/systemic/").context["rows"][0]
    assert (row.issue_count, row.store_count, row.open_count) == (2, 2, 2)
    client.force_login(cast.member)
    row = client.get("/issues/systemic/").context["rows"][0]
    assert (row.issue_count, row.store_count, row.open_count) == (1, 1, 1)


def test_adding_says_why_a_number_was_not_added(cast, client):
    inside = new_issue(cast, title="已归入的")
    fresh = new_issue(cast, title="新的")
    invisible = new_issue(cast, store=cast.org.guangzhou, who=cast.far_manager)
    systemic = services.create_systemic_issue(actor=cast.ops, title="派工慢", issues=[inside])
    client.force_login(cast.ops)  # ops covers Hangzhou and Ningbo, not Guangzhou
    numbers = f"{inside.number}, {fresh.number}, {invisible.number}, ISS-2026-99999"
    response = client.post(f"/issues/systemic/{systemic.pk}/add/", {"issues": numbers}, follow=True)
    text = response.content.decode()
    assert "已归入 1 个问题。" in text
    assert f"已在本系统性问题中：{inside.number}。" in text
    assert f"找不到或不在你的范围内：{invisible.number}, ISS-2026-99999。" in text
    assert set(systemic.issues.values_list("number", flat=True)) == {inside.number, fresh.number}


def test_the_detail_page_has_a_way_back_and_styled_tables(cast, client):
    systemic = services.create_systemic_issue(
        actor=cast.lead, title="派工慢", issues=[new_issue(cast)]
    )
    client.force_login(cast.lead)
    html = client.get(f"/issues/systemic/{systemic.pk}/").content.decode()
    assert 'href="/issues/systemic/" data-testid="back-to-systemic"' in html
    assert re.search(r'<table class="[^"]*cl-table[^"]*" data-testid="systemic-issues"', html)
    assert 'class="badge status-badge status-submitted"' in html
