"""``GET /api/v1/kpis/`` and ``PUT /api/v1/kpi-targets/{metric}/`` exactly as API.md says:
names, rates as fractions, the board rows; errors as 400 on the field, 403, 404."""

import datetime as dt

import pytest

from dashboards.models import KpiTarget

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(cast):
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 2),
        status="resolved",
        priority="P1",
        resolved_at=bj(2026, 11, 4),
        response_due_at=bj(2026, 11, 3),
        first_response_at=bj(2026, 11, 2, 12),
    )
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 3),
        priority="P1",
        department=cast.org.supply,
        response_due_at=bj(2026, 11, 4),
    )
    make_issue(
        cast, submitted_at=bj(2026, 11, 3), store=cast.org.guangzhou, submitted_by=cast.far_manager
    )
    make_issue(cast, submitted_at=bj(2026, 11, 3), status="rejected")


def test_kpis_for_a_month(cast, api, november):
    KpiTarget.objects.create(
        metric="resolution_rate",
        baseline="0.58",
        target="0.85",
        valid_from=dt.date(2026, 1, 1),
        set_at=bj(2026, 1, 1),
    )
    body = api.as_(cast.lead).get("/api/v1/kpis/?period=2026-11").json()
    assert body["period"] == {
        "kind": "month",
        "code": "2026-11",
        "from": "2026-11-01",
        "to": "2026-11-30",
    }
    assert body["previous_period"]["code"] == "2026-10"
    assert body["submitted"] == 3
    assert body["resolution_rate"] == pytest.approx(1 / 3)
    assert body["avg_resolution_days"] == 2.0
    assert body["backlog"] == 2
    assert body["response_rate"] == {"P0": None, "P1": 0.5, "P2": None, "P3": None}
    assert body["department_response_rate"] == {"IT": 1.0, "SCM": 0.0}
    # The rectification app is installed: no project yet, so nothing closed on time.
    assert body["rectification"] == {
        "on_time_rate": None,
        "avg_cycle_days": None,
        "red_projects": 0,
    }
    (row,) = body["board"]
    assert {k: row[k] for k in ("metric", "baseline", "target", "trend", "deviation")} == {
        "metric": "resolution_rate",
        "baseline": 0.58,
        "target": 0.85,
        "trend": "flat",  # nothing was submitted in October: nothing to compare with
        "deviation": "major",
    }
    assert row["current"] == pytest.approx(1 / 3)
    assert row["achievement_rate"] == pytest.approx((1 / 3) / 0.85)


def test_week_range_and_slices(cast, api, november):
    client = api.as_(cast.lead)
    week = client.get("/api/v1/kpis/?week=2026-W45").json()  # Nov 2–8
    assert week["period"]["from"] == "2026-11-02" and week["submitted"] == 3
    ranged = client.get("/api/v1/kpis/?from=2026-11-03&to=2026-11-03").json()
    assert ranged["period"]["kind"] == "range" and ranged["submitted"] == 2
    south = client.get("/api/v1/kpis/?period=2026-11&region=SOUTH").json()
    assert south["submitted"] == 1 and south["slices"] == {"region": "SOUTH"}
    scm = client.get("/api/v1/kpis/?period=2026-11&department=SCM&category=system").json()
    assert scm["submitted"] == 1


def test_kpis_are_scoped_to_the_caller(cast, api, november):
    assert api.as_(cast.director).get("/api/v1/kpis/?period=2026-11").json()["submitted"] == 2
    assert api.as_(cast.scm_head).get("/api/v1/kpis/?period=2026-11").json()["submitted"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=2026-13", "period"),
        ("week=2026-W99", "week"),
        ("from=2026-11-01", "to"),
        ("from=2026-11-09&to=2026-11-01", "to"),
        ("period=2026-11&region=MARS", "region"),
        ("period=2026-11&tier=Q", "tier"),
        ("period=2026-11&category=x", "category"),
    ],
)
def test_bad_kpi_parameters_are_400_on_the_field(cast, api, query, field):
    response = api.as_(cast.lead).get(f"/api/v1/kpis/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_kpis_need_a_headquarters_role_or_a_read_scope(cast, api):
    assert api.as_(cast.manager).get("/api/v1/kpis/").status_code == 403
    cast.dms.api_scopes = ["metrics:write"]  # pushes metrics, reads no issue
    cast.dms.save()
    assert api.as_(cast.dms).get("/api/v1/kpis/").status_code == 403
    cast.dms.api_scopes = ["issues:read"]
    cast.dms.save()
    assert api.as_(cast.dms).get("/api/v1/kpis/").status_code == 200
    api.force_authenticate(user=None)
    assert api.get("/api/v1/kpis/").status_code in (401, 403)


def test_put_a_target_creates_then_updates(cast, api):
    client = api.as_(cast.lead)
    body = {"baseline": 0.58, "target": 0.85, "direction": "higher", "from": "2026-11-01"}
    created = client.put("/api/v1/kpi-targets/resolution_rate/", body, format="json")
    assert created.status_code == 201
    data = created.json()
    assert (data["metric"], data["baseline"], data["target"], data["from"]) == (
        "resolution_rate",
        0.58,
        0.85,
        "2026-11-01",
    )
    assert data["set_by"] == "lead" and data["direction"] == "higher"
    body["target"] = 0.9
    updated = client.put("/api/v1/kpi-targets/resolution_rate/", body, format="json")
    assert updated.status_code == 200 and updated.json()["target"] == 0.9
    assert KpiTarget.objects.count() == 1
    # Lower is better, without a baseline; "method" may be given too.
    days = client.put(
        "/api/v1/kpi-targets/avg_resolution_days/",
        {"target": 15, "direction": "lower", "from": "2026-11-01", "method": "standard"},
        format="json",
    )
    assert days.status_code == 201 and days.json()["baseline"] is None
    listed = client.get("/api/v1/kpi-targets/").json()
    assert {row["metric"] for row in listed} == {"resolution_rate", "avg_resolution_days"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": 0.85, "direction": "higher"}, "from"),
        ({"target": "x", "from": "2026-11-01"}, "target"),
        ({"from": "2026-11-01"}, "target"),
        ({"target": 85, "from": "2026-11-01"}, "target"),  # a rate is a fraction
        ({"target": 0.85, "baseline": 1.5, "from": "2026-11-01"}, "baseline"),
        ({"target": 0.85, "direction": "sideways", "from": "2026-11-01"}, "direction"),
        ({"target": 0.85, "method": "magic", "from": "2026-11-01"}, "method"),
        ({"target": 0.85, "method": "progress", "from": "2026-11-01"}, "baseline"),
        ({"target": 0.85, "from": "2026-02-30"}, "from"),
        ({"target": -1, "from": "2026-11-01"}, "target"),
        ({"target": 0.8, "baseline": 0.8, "method": "progress", "from": "2026-11-01"}, "target"),
    ],
)
def test_bad_target_bodies_are_400_on_the_field_and_save_nothing(cast, api, body, field):
    response = api.as_(cast.lead).put("/api/v1/kpi-targets/resolution_rate/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not KpiTarget.objects.exists()


def test_only_the_quality_lead_sets_targets_and_unknown_metrics_are_404(cast, api):
    body = {"target": 0.85, "from": "2026-11-01"}
    for who in ("executive", "director", "head", "ops"):
        response = api.as_(getattr(cast, who)).put(
            "/api/v1/kpi-targets/resolution_rate/", body, format="json"
        )
        assert response.status_code == 403, who
    assert (
        api.as_(cast.lead).put("/api/v1/kpi-targets/happiness/", body, format="json").status_code
        == 404
    )
    assert api.as_(cast.lead).get("/api/v1/kpi-targets/resolution_rate/").status_code == 404
    assert not KpiTarget.objects.exists()


def test_the_target_in_force_today(cast, api):
    client = api.as_(cast.lead)
    client.put(
        "/api/v1/kpi-targets/backlog/",
        {"target": 300, "baseline": 1200, "direction": "lower", "from": "2020-01-01"},
        format="json",
    )
    client.put(
        "/api/v1/kpi-targets/backlog/",
        {"target": 250, "baseline": 1200, "direction": "lower", "from": "2099-01-01"},
        format="json",
    )
    current = api.as_(cast.head).get("/api/v1/kpi-targets/backlog/").json()
    assert current["target"] == 300 and current["from"] == "2020-01-01"


@pytest.mark.parametrize(
    "query", ["region=%00", "department=" + "X" * 65, "period=%00", "from=%00&to=2026-11-01"]
)
def test_hostile_parameters_are_400_not_500(cast, api, query):
    response = api.as_(cast.lead).get(f"/api/v1/kpis/?{query}")
    assert response.status_code == 400
