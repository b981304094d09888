"""The lifecycle of a project (DOMAIN.md §5): draft → three signatures → kicked_off →
start → executing → submit → pending_acceptance; cancel with a reason from any open
state. Every transition writes a history row and only the project's people may act."""

import pytest

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from rectification import services
from rectification.models import ProjectEvent

from .helpers import at, day, executing, kicked_off, new_project, recent_executing, recent_project

pytestmark = pytest.mark.django_db


def test_created_as_draft_with_number_and_history(cast):
    project = new_project(cast)
    assert project.number == "REF-2025-001"
    assert project.status == "draft" and project.health == "green"
    assert (project.execution_every_days, project.observation_every_days) == (1, 7)
    assert project.regional_director == cast.director  # the region's director by default
    event = ProjectEvent.objects.get(project=project)
    assert (event.action, event.to_status, event.actor) == ("create", "draft", cast.ops)
    assert [w.question for w in project.whys.all()] == ["为什么等待时间长?", "为什么接待流程慢?"]
    assert [m.start_on for m in project.measures.all()] == [day(2025, 9, 22), day(2025, 9, 22)]


def test_three_signatures_kick_off(cast):
    project = new_project(cast)
    project = services.sign(project=project, actor=cast.manager, at=at(2025, 9, 22, 10))
    project = services.sign(project=project, actor=cast.ops, at=at(2025, 9, 22, 10, 5))
    assert project.status == "draft"
    project = services.sign(project=project, actor=cast.director, at=at(2025, 9, 22, 11))
    assert project.status == "kicked_off"
    assert project.kicked_off_at == at(2025, 9, 22, 11)
    assert sorted(project.signoffs.values_list("role", "user__username")) == [
        ("ops_specialist", "ops"),
        ("regional_director", "director"),
        ("store_manager", "manager"),
    ]
    kick = project.events.get(action="kick_off")
    assert (kick.from_status, kick.to_status, kick.actor) == ("draft", "kicked_off", cast.director)


def test_start_submit(cast):
    project = executing(cast)
    assert project.status == "executing" and project.started_on == day(2025, 9, 22)
    project = services.submit(project=project, actor=cast.ops, at=at(2025, 9, 27, 20))
    assert project.status == "pending_acceptance" and project.next_tracking_on is None
    assert list(project.events.filter(from_status__gt="").values_list("action", flat=True)) == [
        "kick_off",
        "start",
        "submit",
    ]


# --- who may do what (API: 403 for a visible project, 404 for an invisible one) ----------


@pytest.fixture
def people(cast):
    """The cast plus a second ops specialist of the Hangzhou store (not this project's)
    and the director of another region."""
    from closedloop.org.choices import Role

    from ..factories import UserFactory

    cast.ops2 = UserFactory(username="ops2", role=Role.OPS_SPECIALIST, stores=[cast.org.hangzhou])
    cast.south_director = UserFactory(
        username="south_director", role=Role.REGIONAL_DIRECTOR, region=cast.org.south
    )
    return cast


def _post(api, user, project, action, body=None):
    return api.as_(user).post(
        f"/api/v1/rectifications/{project.number}/{action}/", body or {}, format="json"
    )


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("manager", 200),
        ("ops", 200),
        ("director", 200),
        ("ops2", 403),  # covers the store, does not run this project
        ("lead", 403),  # not one of the three signatures
        ("member", 403),  # owns a measure: sees it, does not sign
        ("head", 403),
        ("executive", 403),  # read-only
        ("neighbour", 404),
        ("far_manager", 404),
        ("outsider", 404),
        ("south_director", 404),
    ],
)
def test_who_may_sign(people, api, who, code):
    project = recent_project(people)
    response = _post(api, getattr(people, who), project, "sign")
    assert response.status_code == code, response.content
    if code == 200:
        assert project.signoffs.get().user == getattr(people, who)
    else:
        assert not project.signoffs.exists()


def test_signing_twice_is_a_conflict(cast, api):
    project = recent_project(cast)
    assert _post(api, cast.manager, project, "sign").status_code == 200
    response = _post(api, cast.manager, project, "sign")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert project.signoffs.count() == 1


def test_an_incomplete_kickoff_cannot_be_signed(cast, api):
    project = recent_project(cast, goals=[], whys=[])
    response = _post(api, cast.manager, project, "sign")
    assert response.status_code == 400
    assert set(response.json()) == {"goals", "whys"}
    assert not project.signoffs.exists()


@pytest.mark.parametrize(
    ("who", "code"),
    [("ops", 200), ("lead", 200), ("manager", 403), ("director", 403), ("ops2", 403)],
)
def test_who_may_start(people, api, who, code):
    project = kicked_off(people, recent_project(people), when=None)
    assert _post(api, getattr(people, who), project, "start").status_code == code
    project.refresh_from_db()
    assert project.status == ("executing" if code == 200 else "kicked_off")


@pytest.mark.parametrize(("who", "code"), [("ops", 200), ("lead", 200), ("manager", 403)])
def test_who_may_submit(people, api, who, code):
    project = recent_executing(people)
    assert _post(api, getattr(people, who), project, "submit").status_code == code


@pytest.mark.parametrize(
    ("who", "code"),
    [("ops", 200), ("lead", 200), ("director", 200), ("manager", 403), ("member", 403)],
)
def test_who_may_cancel(people, api, who, code):
    project = recent_executing(people)
    response = _post(api, getattr(people, who), project, "cancel", {"reason": "门店停业装修"})
    assert response.status_code == code
    project.refresh_from_db()
    assert project.status == ("cancelled" if code == 200 else "executing")


@pytest.mark.parametrize(("who", "code"), [("ops", 201), ("lead", 201), ("manager", 403)])
def test_who_may_write_a_tracking_log(people, api, who, code):
    project = recent_executing(people)
    body = {"method": "phone", "progress": 20, "assessment": "on_plan"}
    response = _post(api, getattr(people, who), project, "tracking-logs", body)
    assert response.status_code == code
    assert project.tracking_logs.count() == (1 if code == 201 else 0)


@pytest.mark.parametrize(
    ("status", "action", "body"),
    [
        ("draft", "start", None),
        ("draft", "submit", None),
        ("draft", "tracking-logs", {"method": "phone", "progress": 1, "assessment": "on_plan"}),
        ("kicked_off", "submit", None),
        ("kicked_off", "sign", None),
        (
            "kicked_off",
            "tracking-logs",
            {"method": "phone", "progress": 1, "assessment": "on_plan"},
        ),
        ("executing", "start", None),
        ("cancelled", "cancel", {"reason": "再取消一次"}),
        ("cancelled", "start", None),
    ],
)
def test_transitions_not_in_the_table_are_conflicts(cast, api, status, action, body):
    project = recent_project(cast)
    if status in ("kicked_off", "executing"):
        project = kicked_off(cast, project, when=None)
    if status == "executing":
        project = services.start(project=project, actor=cast.ops)
    if status == "cancelled":
        project = services.cancel(project=project, actor=cast.ops, reason="重复立项")
    response = _post(api, cast.ops if action != "sign" else cast.manager, project, action, body)
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "invalid_transition"
    project.refresh_from_db()
    assert project.status == status


def test_cancel_needs_a_reason(cast, api):
    project = recent_project(cast)
    response = _post(api, cast.ops, project, "cancel", {"reason": "  "})
    assert response.status_code == 400 and "reason" in response.json()
    with pytest.raises(DomainError) as caught:
        services.cancel(project=project, actor=cast.ops, reason="")
    assert caught.value.field == "reason"
    project.refresh_from_db()
    assert project.status == "draft"


def test_editing_a_signed_draft_withdraws_the_signatures(cast, api):
    project = recent_project(cast)
    services.sign(project=project, actor=cast.manager)
    services.sign(project=project, actor=cast.ops)
    response = api.as_(cast.ops).patch(
        f"/api/v1/rectifications/{project.number}/", {"containment": "再调一名顾问"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["signoffs"] == []
    edit = project.events.get(action="edit")
    assert sorted(edit.data["withdrawn"]) == ["ops_specialist", "store_manager"]


@pytest.mark.parametrize(("who", "code"), [("ops", 200), ("lead", 200), ("manager", 403)])
def test_who_may_edit_a_draft(people, api, who, code):
    project = recent_project(people)
    response = api.as_(getattr(people, who)).patch(
        f"/api/v1/rectifications/{project.number}/", {"title": "新名称"}, format="json"
    )
    assert response.status_code == code
    project.refresh_from_db()
    assert project.title == ("新名称" if code == 200 else "客户等待时间过长")


def test_a_measure_owner_updates_their_measure_only(cast):
    project = recent_executing(cast)
    mine = project.measures.get(owner=cast.member)
    other = project.measures.get(text="人员补强")
    services.update_measure(project=project, measure_id=mine.pk, actor=cast.member, progress=50)
    mine.refresh_from_db()
    assert (mine.progress, mine.status) == (50, "in_progress")
    with pytest.raises(PermissionDenied):
        services.update_measure(
            project=project, measure_id=other.pk, actor=cast.member, progress=10
        )
    # The store carries the measures out: its manager may update any of them...
    services.update_measure(project=project, measure_id=other.pk, actor=cast.manager, status="done")
    other.refresh_from_db()
    assert (other.status, other.progress) == ("done", 100)
    # ... but only the project's ops specialist moves a deadline.
    with pytest.raises(DomainError) as caught:
        services.update_measure(
            project=project, measure_id=mine.pk, actor=cast.manager, deadline=day(2030, 1, 1)
        )
    assert "deadline" in caught.value.errors
    with pytest.raises(PermissionDenied):
        services.update_measure(
            project=project, measure_id=mine.pk, actor=cast.director, progress=1
        )
    history = project.events.filter(action="update_measure")
    assert history.count() == 2


def test_a_measure_of_a_cancelled_project_cannot_change(cast):
    project = recent_project(cast)
    services.cancel(project=project, actor=cast.ops, reason="重复")
    with pytest.raises(InvalidTransition):
        services.update_measure(
            project=project, measure_id=project.measures.first().pk, actor=cast.ops, progress=5
        )
