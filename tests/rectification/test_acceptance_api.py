"""API.md "Rectification": POST/GET ``acceptances/``, ``acceptances/sign/``, ``rechecks/``
and the project's ``sustainability`` and acceptances — the bodies as the contract names
them, 400 naming the field and range, 409 in the wrong state, 403/404 as everywhere."""

import pytest

from rectification.models import Acceptance

from .acceptance_helpers import observing, pending, recheck
from .helpers import day

pytestmark = pytest.mark.django_db


def url(project, tail=""):
    return f"/api/v1/rectifications/{project.number}/{tail}"


def body(project, **over):
    wait = project.goals.get(order=1).pk
    data = {
        "kind": "initial",
        "date": "2025-09-28",
        "process": {"documents": 10, "mastery": 9, "execution": 10},
        "goals": [{"goal": wait, "actual": 31, "score": 26}],
        "satisfaction": {"value": 84, "score": 8},
        "interviews": {"positive": 4, "neutral": 1, "negative": 0, "score": 10},
        "sustainability": 9,
        "conclusion": "pass",
        "override_reason": "",
        "suggestions": ["巩固新流程"],
    }
    data.update(over)
    return data


def test_post_a_scorecard(cast, api):
    project = pending(cast)
    response = api.as_(cast.ops).post(url(project, "acceptances/"), body(project), format="json")
    assert response.status_code == 201, response.content
    reply = response.json()
    assert (
        reply["total"],
        reply["rating"],
        reply["suggested_conclusion"],
        reply["conclusion"],
    ) == (
        82.0,
        "good",
        "pass",
        "pass",
    )
    (goal,) = reply["goals"]
    assert (round(goal["achievement_rate"], 4), goal["band"], goal["points"], goal["score"]) == (
        0.9412,
        "met",
        40.0,
        26.0,
    )
    assert reply["satisfaction"] == {"value": 84.0, "score": 8.0, "band": "good"}
    assert reply["interviews"]["band"] == "excellent"
    assert (reply["status"], reply["assessor"], reply["store_manager"]) == (
        "observing",
        "ops",
        None,
    )
    listed = api.get(url(project, "acceptances/"))
    assert [row["id"] for row in listed.json()] == [reply["id"]]
    # The store manager signs it.
    signed = api.as_(cast.manager).post(url(project, "acceptances/sign/"))
    assert signed.status_code == 200, signed.content
    assert signed.json()["store_manager"] == "manager"
    assert api.post(url(project, "acceptances/sign/")).status_code == 409


def test_a_score_outside_its_band_is_a_400_naming_field_and_range(cast, api):
    project = pending(cast)
    wait = project.goals.get(order=1).pk
    response = api.as_(cast.ops).post(
        url(project, "acceptances/"),
        body(project, goals=[{"goal": wait, "actual": 31, "score": 30}]),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert "24–28" in str(errors["goals[0].score"])
    assert not Acceptance.objects.exists()


@pytest.mark.parametrize(
    "over,field",
    [
        ({"process": {"documents": 11, "mastery": 9, "execution": 10}}, "process.documents"),
        ({"satisfaction": {"value": 84, "score": 10}}, "satisfaction.score"),
        (
            {"interviews": {"positive": 4, "neutral": 1, "negative": -1, "score": 10}},
            "interviews.negative",
        ),
        ({"conclusion": "fail"}, "override_reason"),
        ({"sustainability": "abc"}, "sustainability"),
        ({"kind": "later"}, "kind"),
    ],
)
def test_bad_bodies(cast, api, over, field):
    project = pending(cast)
    response = api.as_(cast.ops).post(
        url(project, "acceptances/"), body(project, **over), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Acceptance.objects.exists()


def test_wrong_state_409_forbidden_403_invisible_404(cast, api):
    project = observing(cast)
    response = api.as_(cast.ops).post(url(project, "acceptances/"), body(project), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    other = pending(cast)
    assert (
        api.as_(cast.manager)
        .post(url(other, "acceptances/"), body(other), format="json")
        .status_code
        == 403
    )
    assert (
        api.as_(cast.far_manager)
        .post(url(other, "acceptances/"), body(other), format="json")
        .status_code
        == 404
    )


def test_recheck_and_sustainability_on_the_project(cast, api):
    project = observing(cast)
    goals = {g.order: g.pk for g in project.goals.all()}
    client = api.as_(cast.ops)
    for date, wait, sat in [("2025-10-07", 29, 85), ("2025-10-14", 31, 84), ("2025-10-21", 28, 86)]:
        response = client.post(
            url(project, "rechecks/"),
            {
                "date": date,
                "method": "onsite",
                "readings": [{"goal": goals[1], "value": wait}, {"goal": goals[2], "value": sat}],
                "findings": "稳定",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    reply = client.post(
        url(project, "rechecks/"),
        {"date": "2025-10-28", "method": "phone", "readings": [{"goal": goals[1], "value": 30}]},
        format="json",
    ).json()
    assert reply["sustainability"]["verdict"] == "excellent"
    assert reply["rebound"] is False
    detail = client.get(url(project)).json()
    sustainability = detail["sustainability"]
    assert sustainability["verdict"] == "excellent"
    wait_row = next(g for g in sustainability["goals"] if g["goal"] == goals[1])
    assert {k: wait_row[k] for k in ("mean", "min", "max", "verdict")} == {
        "mean": 29.5,
        "min": 28.0,
        "max": 31.0,
        "verdict": "excellent",
    }
    assert [a["kind"] for a in detail["acceptances"]] == ["initial"]
    assert len(detail["rechecks"]) == 4
    bad = client.post(url(project, "rechecks/"), {"method": "fax"}, format="json")
    assert bad.status_code == 400 and "method" in bad.json()


def test_acceptance_list_query_count_is_flat(cast, api, flat_queries):
    project = observing(cast)
    client = api.as_(cast.ops)

    def fetch():
        response = client.get(url(project, "acceptances/"))
        assert response.status_code == 200
        return response

    def grow():
        for n in range(3):
            Acceptance.objects.create(
                **{
                    f.name: getattr(project.acceptances.first(), f.name)
                    for f in Acceptance._meta.concrete_fields
                    if f.name not in ("id",)
                }
            )
            assert n >= 0

    response = flat_queries(fetch, grow=grow, limit=12)
    assert len(response.json()) == 4


def test_detail_query_count_is_flat_with_rechecks(cast, api, flat_queries):
    project = observing(cast)
    client = api.as_(cast.ops)
    dates = iter([day(2025, 10, d) for d in (7, 14, 21, 28)])
    recheck(cast, project, next(dates), 29, 85)  # (an empty prefetch skips its query)

    def fetch():
        response = client.get(url(project))
        assert response.status_code == 200
        return response

    def grow():
        for _ in range(2):
            recheck(cast, project, next(dates), 29, 85)

    flat_queries(fetch, grow=grow, limit=40)
