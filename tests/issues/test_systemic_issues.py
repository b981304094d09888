"""Systemic issues: one named problem groups the issues of many stores, with its own
status flow; headquarters works them, stores never see the page (404)."""

import pytest

from closedloop.errors import InvalidTransition, PermissionDenied
from issues import services
from issues.models import IssueEvent, SystemicIssue
from tests.factories import new_issue

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
