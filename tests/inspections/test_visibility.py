"""Who sees which inspection (DOMAIN.md §2), in one place (``visible_to``) for every page
and API: the store manager their store's issued reports only, an ops specialist their
stores, a regional director their region, department people only the inspections whose
follow-up involves their department, the quality lead and executives everything.
Anything else is a 404, never a 403 that would leak its existence."""

import pytest

from inspections import services
from inspections.models import Inspection

from .helpers import finding, perform, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    hz = perform(cast, findings=[finding()])
    draft = start(cast)
    gz = perform(cast, store=cast.org.guangzhou, who=cast.lead)
    return {"hz": hz, "draft": draft, "gz": gz, "photo": hz.photos.first()}


# role → what it sees of (hz issued, hz draft, gz issued)
MATRIX = {
    "manager": (True, False, False),
    "neighbour": (False, False, False),
    "far_manager": (False, False, True),
    "ops": (True, True, False),
    "outsider": (False, False, False),
    "director": (True, True, False),
    "head": (False, False, False),
    "member": (False, False, False),
    "lead": (True, True, True),
    "executive": (True, True, True),
}


def _pages(inspection, photo=None):
    pk = inspection.pk
    urls = [f"/inspections/{pk}/", f"/inspections/{pk}/report/", f"/inspections/{pk}/report.pdf"]
    if photo is not None:
        urls.append(f"/inspections/{pk}/photos/{photo.pk}/")
    return urls


@pytest.mark.parametrize("role", list(MATRIX))
def test_pages_and_api_follow_the_matrix(cast, world, client, api, role):
    user = getattr(cast, role)
    sees = dict(zip(("hz", "draft", "gz"), MATRIX[role], strict=True))
    assert set(Inspection.objects.visible_to(user)) == {
        world[key] for key, visible in sees.items() if visible
    }
    client.force_login(user)
    for key, visible in sees.items():
        inspection = world[key]
        photo = world["photo"] if key == "hz" else None
        urls = _pages(inspection, photo) if key != "draft" else [f"/inspections/{inspection.pk}/"]
        for url in urls:
            assert client.get(url).status_code == (200 if visible else 404), (role, url)
        detail = api.as_(user).get(f"/api/v1/inspections/{inspection.pk}/")
        assert detail.status_code == (200 if visible else 404), (role, key)
    listed = {row["id"] for row in api.as_(user).get("/api/v1/inspections/").json()["results"]}
    assert listed == {world[k].pk for k, v in sees.items() if v}


def test_the_store_manager_sees_the_report_in_their_store_view(cast, world, client):
    client.force_login(cast.manager)
    page = client.get("/inspections/").content.decode()
    assert "我的门店巡检" in page
    assert f'data-id="{world["hz"].pk}"' in page
    assert f'data-id="{world["draft"].pk}"' not in page
    assert f'data-id="{world["gz"].pk}"' not in page
    # A page for headquarters roles (not an object to hide): a plain refusal.
    assert client.get("/inspections/board/").status_code == 403
    assert client.get("/inspections/board/export.xlsx").status_code == 403
    assert client.get(f"/inspections/{world['draft'].pk}/perform/").status_code == 404


def test_the_report_reaches_the_store_managers_inbox(cast, world):
    note = cast.manager.notifications.get(kind="inspection_report")
    assert note.url == f"/inspections/{world['hz'].pk}/report/"
    assert not cast.neighbour.notifications.filter(kind="inspection_report").exists()


def test_department_people_see_what_involves_their_department(cast, world, client):
    hz = world["hz"]
    assert not Inspection.objects.visible_to(cast.head).exists()
    services.request_resource(
        inspection=hz, actor=cast.ops, kind="it", what="DMS 升级", department="IT"
    )
    assert list(Inspection.objects.visible_to(cast.head)) == [hz]
    assert list(Inspection.objects.visible_to(cast.member)) == [hz]
    assert not Inspection.objects.visible_to(cast.scm_head).exists()
    # A finding turned into an issue routed to supply chain shows it to them too.
    issue = services.finding_to_issue(finding=hz.findings.get(), actor=cast.ops)
    services_issues = __import__("issues.services", fromlist=["triage"])
    services_issues.triage(issue=issue, actor=cast.ops, priority="P2", department="SCM")
    assert list(Inspection.objects.visible_to(cast.scm_head)) == [hz]
    client.force_login(cast.head)
    assert client.get(f"/inspections/{hz.pk}/").status_code == 200
    assert client.get("/inspections/board/").status_code == 403


def test_the_board_shows_only_visible_stores(cast, world, api):
    stores = {
        r["store"]
        for r in api.as_(cast.manager).get("/api/v1/inspections/board/").json()["results"]
    }
    assert stores == {"HZ001"}
    stores = {
        r["store"] for r in api.as_(cast.lead).get("/api/v1/inspections/board/").json()["results"]
    }
    assert stores == {"HZ001", "GZ001"}
    assert api.as_(cast.neighbour).get("/api/v1/inspections/board/").json()["count"] == 0


def test_actions_on_invisible_inspections_are_404_and_read_only_roles_403(cast, world, client, api):
    hz = world["hz"]
    client.force_login(cast.neighbour)
    assert client.post(f"/inspections/{hz.pk}/do/close/").status_code == 404
    assert api.as_(cast.neighbour).post(f"/api/v1/inspections/{hz.pk}/close/").status_code == 404
    row = hz.findings.get()
    assert (
        api.as_(cast.neighbour)
        .patch(
            f"/api/v1/inspections/{hz.pk}/findings/{row.pk}/", {"status": "solved"}, format="json"
        )
        .status_code
        == 404
    )
    # The executive sees, never changes; the director sees the region, runs nothing.
    response = api.as_(cast.executive).patch(
        f"/api/v1/inspections/{hz.pk}/findings/{row.pk}/", {"status": "solved"}, format="json"
    )
    assert response.status_code == 403
    response = api.as_(cast.director).patch(
        f"/api/v1/inspections/{hz.pk}/findings/{row.pk}/", {"status": "solved"}, format="json"
    )
    assert response.status_code == 403
    client.force_login(cast.director)
    response = client.post(
        f"/inspections/{hz.pk}/do/log/", {"log-date": "2026-11-21", "log-participants": "x"}
    )
    assert response.status_code == 403 and not hz.logs.exists()
    row.refresh_from_db()
    assert row.status == "not_started"


def test_only_inspectors_start_inspections(cast, client, api):
    for role, status in (("manager", 403), ("director", 403), ("executive", 403), ("ops", 200)):
        client.force_login(getattr(cast, role))
        assert client.get("/inspections/new/").status_code == status, role
    body = {"store": "HZ001", "date": "2026-11-20", "template": "store-standard", "items": []}
    assert (
        api.as_(cast.manager).post("/api/v1/inspections/", body, format="json").status_code == 403
    )
    assert api.as_(cast.dms).post("/api/v1/inspections/", body, format="json").status_code == 403
