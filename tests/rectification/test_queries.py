"""Pinned query counts: the board, my projects, the API list and the project page (page and
API) do not issue more queries as projects, tracking records or measures grow."""

import datetime as dt

import pytest

from rectification import services

from .helpers import iso, recent_executing, recent_project, today

pytestmark = pytest.mark.django_db


def grow_projects(cast, n):
    for i in range(n):
        recent_project(cast, title=f"项目 {i}", store="NB001" if i % 2 else "HZ001")
    recent_executing(cast, title="执行中项目")


def grow_project(cast, n):
    """One executing project with n extra measures and n tracking records (with items,
    difficulties, solutions and readings)."""
    measures = [
        {"text": f"措施 {i}", "kind": "root", "owner": "member", "deadline": iso(5)}
        for i in range(n)
    ]
    project = recent_executing(cast, measures=measures)
    # Records on the past n days need an execution period that started n days ago.
    project.execution_from = today() - dt.timedelta(days=n)
    project.save(update_fields=["execution_from"])
    goals = list(project.goals.all())
    for i in range(n):
        services.add_tracking_log(
            project=project,
            actor=cast.ops,
            data={
                "date": today() - dt.timedelta(days=n - i),
                "method": "phone",
                "progress": 5 * i,
                "assessment": "on_plan",
                "done": ["事项"],
                "in_progress": [{"text": "进行中", "progress": 30}],
                "difficulties": [{"text": "困难", "impact": "minor"}],
                "solutions": [{"text": "方案", "owner_name": "店长"}],
                "readings": [{"goal": g, "value": 40 - i} for g in goals],
            },
        )
    return project


# Measured, then pinned: any query per row, record or measure fails these.
# The project page and the API detail read the acceptances and the rechecks (+2).
# The board picks its page's ids first, then loads those rows (+1, issue 9).
BOARD, MINE, API_LIST, PAGE, API_DETAIL, TRACK = 9, 5, 2, 18, 15, 11


@pytest.mark.parametrize("rows", [2, 12])
def test_board(cast, client, rows, django_assert_max_num_queries):
    grow_projects(cast, rows)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(BOARD):
        response = client.get("/rectification/?level=A&level=B")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="board-row"') == rows + 1


@pytest.mark.parametrize("rows", [2, 12])
def test_my_projects(cast, client, rows, django_assert_max_num_queries):
    grow_projects(cast, rows)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(MINE):
        response = client.get("/rectification/mine/")
    assert response.content.decode().count('data-testid="project-card"') == rows + 1


@pytest.mark.parametrize("rows", [2, 12])
def test_api_list(cast, api, rows, django_assert_max_num_queries):
    grow_projects(cast, rows)
    with django_assert_max_num_queries(API_LIST):
        response = api.as_(cast.lead).get("/api/v1/rectifications/?page_size=200")
    assert response.json()["count"] == rows + 1


@pytest.mark.parametrize("rows", [1, 8])
def test_project_page(cast, client, rows, django_assert_max_num_queries):
    project = grow_project(cast, rows)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(PAGE):
        response = client.get(f"/rectification/{project.number}/")
    html = response.content.decode()
    assert html.count('data-testid="log"') == rows
    assert html.count('data-testid="gantt-row"') == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_api_detail(cast, api, rows, django_assert_max_num_queries):
    project = grow_project(cast, rows)
    with django_assert_max_num_queries(API_DETAIL):
        response = api.as_(cast.ops).get(f"/api/v1/rectifications/{project.number}/")
    body = response.json()
    assert len(body["tracking_logs"]) == rows and len(body["measures"]) == rows


@pytest.mark.parametrize("rows", [1, 8])
def test_tracking_form(cast, client, rows, django_assert_max_num_queries):
    project = grow_project(cast, rows)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(TRACK):
        response = client.get(f"/rectification/{project.number}/track/")
    assert response.status_code == 200
