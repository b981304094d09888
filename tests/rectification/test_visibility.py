"""Who sees which project (DOMAIN.md §2), in the API, the board, the project page and the
Excel export alike: store-side roles by their stores, department people the projects
with a measure they own (a head: owned by their department), the quality lead and the
executive everything. Anything else is 404, not 403."""

import io

import openpyxl
import pytest

from closedloop.org.choices import Role

from ..factories import UserFactory
from .helpers import recent_project

pytestmark = pytest.mark.django_db

VISIBLE = {
    "manager": {"hz"},
    "neighbour": {"nb"},
    "far_manager": {"gz"},
    "ops": {"hz", "nb"},
    "director": {"hz", "nb"},
    "head": {"hz"},  # a member of IT owns a measure of it
    "member": {"hz"},
    "scm_head": set(),
    "lead": {"hz", "nb", "gz"},
    "executive": {"hz", "nb", "gz"},
    "outsider": set(),
}


@pytest.fixture
def projects(cast):
    south_ops = UserFactory(
        username="south_ops", role=Role.OPS_SPECIALIST, stores=[cast.org.guangzhou]
    )
    nb_measures = [
        {"text": "补库存", "kind": "emergency", "owner_name": "配件经理", "deadline": None}
    ]
    return {
        "hz": recent_project(cast),  # the root measure is owned by ``member`` (IT)
        "nb": recent_project(
            cast, store="NB001", measures=[dict(nb_measures[0], deadline="2099-01-01")]
        ),
        "gz": recent_project(
            cast,
            who=south_ops,
            store="GZ001",
            ops_specialist="south_ops",
            measures=[dict(nb_measures[0], deadline="2099-01-01")],
        ),
    }


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_api_list_and_detail(cast, api, projects, who):
    user = getattr(cast, who)
    client = api.as_(user)
    listed = {row["number"] for row in client.get("/api/v1/rectifications/").json()["results"]}
    assert listed == {projects[key].number for key in VISIBLE[who]}
    for key, project in projects.items():
        response = client.get(f"/api/v1/rectifications/{project.number}/")
        assert response.status_code == (200 if key in VISIBLE[who] else 404), (who, key)


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_board_page_and_project_page(cast, client, projects, who):
    client.force_login(getattr(cast, who))
    board = client.get("/rectification/").content.decode()
    for key, project in projects.items():
        assert (project.number in board) == (key in VISIBLE[who]), (who, key)
        page = client.get(f"/rectification/{project.number}/")
        assert page.status_code == (200 if key in VISIBLE[who] else 404), (who, key)
        pdf = client.get(f"/rectification/{project.number}/kickoff.pdf")
        assert pdf.status_code == (200 if key in VISIBLE[who] else 404), (who, key)


@pytest.mark.parametrize("who", ["manager", "ops", "lead", "outsider"])
def test_export_holds_exactly_the_visible_projects(cast, client, projects, who):
    client.force_login(getattr(cast, who))
    response = client.get("/rectification/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert numbers == {projects[key].number for key in VISIBLE[who]}


def test_actions_on_an_invisible_project_are_404(cast, api, projects):
    number = projects["gz"].number
    for action in ("sign", "start", "submit", "cancel", "tracking-logs"):
        response = api.as_(cast.manager).post(
            f"/api/v1/rectifications/{number}/{action}/", {"reason": "x"}, format="json"
        )
        assert response.status_code == 404, action
    response = api.as_(cast.manager).patch(
        f"/api/v1/rectifications/{number}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 404


def test_machine_clients_need_the_rectification_scope(cast, api, projects):
    # The DMS token has issues and metrics scopes only.
    assert api.as_(cast.dms).get("/api/v1/rectifications/").status_code == 403
    response = api.as_(cast.dms).post("/api/v1/rectifications/", {"store": "HZ001"}, format="json")
    assert response.status_code == 403


def test_store_managers_cannot_open_projects(cast, api, client):
    response = api.as_(cast.manager).post("/api/v1/rectifications/", {}, format="json")
    assert response.status_code == 403
    client.force_login(cast.manager)
    assert client.get("/rectification/new/").status_code == 403


def test_ops_cannot_open_a_project_for_a_store_they_do_not_cover(cast, api):
    from .helpers import recent

    body = recent(cast, store="GZ001")
    response = api.as_(cast.ops).post("/api/v1/rectifications/", body, format="json")
    assert response.status_code == 400 and "store" in response.json()
