"""The inspection API (API.md "Inspections"): the create body and reply, the detail with
findings and follow-up plan, PATCH of a finding, the templates, the follow-up endpoints
end to end, and constant query counts for the lists."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import StoreFactory

from .helpers import PASS_KEYS, SCORE_KEYS, finding, perform, photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def items(**overrides):
    rows = [{"item": k, "score": overrides.get(k, 10)} for k in SCORE_KEYS]
    rows += [{"item": k, "passed": overrides.get(k, True)} for k in PASS_KEYS]
    return rows


def test_create_with_photos_then_issue_as_api_md_describes(cast, api):
    client = api.as_(cast.ops)
    today = timezone.localdate()
    body = {
        "store": "HZ001",
        "date": today.isoformat(),
        "template": "store-standard",
        "items": items(pr_progress=5, da_waiting=False),
        "findings": [
            {"text": "客户平均等待时间 45 分钟", "priority": "high", "item": "da_waiting"},
            {"text": "接待话术不统一", "priority": "low", "item": ""},
        ],
        "metrics": [{"metric": "waiting_minutes", "baseline": 45, "standard": 30}],
        "issue": False,
    }
    response = client.post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 201, response.content
    draft = response.json()
    assert draft["status"] == "draft" and draft["follow_up"] == []
    pk = draft["id"]
    for n, key in enumerate(("hw_display", "hw_lounge")):
        response = client.post(
            f"/api/v1/inspections/{pk}/photos/",
            {"item": key, "file": [photo(f"{key}.png", (n * 90, 80, 80))]},
            format="multipart",
        )
        assert response.status_code == 201, response.content
    response = client.post(f"/api/v1/inspections/{pk}/issue/")
    assert response.status_code == 200, response.content
    body = response.json()
    # API.md: id, score (0–100), findings with id and status, follow_up with step/due_on/done_on.
    # lost: pr_progress 3 × 0.5 + da_waiting 2 = 3.5 of 23 → 84.8
    assert (body["id"], body["score"], body["status"]) == (pk, 84.8, "following_up")
    assert [(f["seq"], f["status"], f["priority"], f["item"]) for f in body["findings"]] == [
        (1, "not_started", "high", "da_waiting"),
        (2, "not_started", "low", None),
    ]
    assert all(isinstance(f["id"], int) for f in body["findings"])
    assert body["follow_up"][0] == {
        "step": "call",
        "due_on": (today + dt.timedelta(days=1)).isoformat(),
        "done_on": None,
        "label": "24 小时沟通",
        "starts_on": today.isoformat(),
        "note": "",
    }
    assert len(body["photos"]) == 2 and body["photos"][0]["url"].startswith("http")
    assert body["acceptance"]["passed"] is False
    assert body["closure"]["closable"] is False and body["closure"]["sufficient_needed"] == 2
    assert body["store"] == "HZ001" and body["template"] == "store-standard"
    assert body["template_version"] == 1 and body["inspector"] == "ops"


def test_create_and_issue_in_one_call_for_a_template_without_photos(cast, api):
    from inspections.models import ChecklistTemplate

    ChecklistTemplate.objects.get(code="store-standard").items.update(photo_required=False)
    body = {
        "store": "NB001",
        "date": "2026-11-20",
        "template": "store-standard",
        "items": items(),
        "findings": [{"text": "休息区饮水机损坏", "priority": "medium", "item": "hw_lounge"}],
    }
    response = api.as_(cast.ops).post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 201, response.content
    reply = response.json()
    assert reply["status"] == "following_up" and reply["score"] == 100.0
    assert [f["status"] for f in reply["findings"]] == ["not_started"]
    assert {s["step"] for s in reply["follow_up"]} >= {"call", "kickoff", "acceptance"}


def test_patch_a_finding_changes_only_what_is_sent(cast, api):
    inspection = perform(cast, findings=[finding()])
    row = inspection.findings.get()
    url = f"/api/v1/inspections/{inspection.pk}/findings/{row.pk}/"
    client = api.as_(cast.manager)  # the store carries out its plan
    response = client.patch(
        url,
        {"status": "in_progress", "owner_name": "服务经理", "due_on": "2026-12-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    response = client.patch(url, {"status": "solved"}, format="json")
    body = response.json()
    assert (body["status"], body["owner_name"], body["due_on"]) == (
        "solved",
        "服务经理",
        "2026-12-01",
    )
    assert body["solved_on"] == timezone.localdate().isoformat()
    assert inspection.events.filter(action="update_finding").count() == 2


def test_the_follow_up_through_the_api(cast, api):
    report = timezone.localdate() - dt.timedelta(days=30)
    inspection = perform(
        cast,
        day=report,
        findings=[finding("高", "high", "hw_display")],
        hw_display=False,
        metrics=[{"metric": "nps", "baseline": 58, "standard": 70}],
    )
    client = api.as_(cast.ops)
    base = f"/api/v1/inspections/{inspection.pk}"
    row = inspection.findings.get()
    day = lambda n: (report + dt.timedelta(days=n)).isoformat()  # noqa: E731
    assert (
        client.post(f"{base}/follow-up/call/", {"date": day(1)}, format="json").status_code == 200
    )
    client.patch(
        f"{base}/findings/{row.pk}/", {"owner_name": "王强", "due_on": day(10)}, format="json"
    )
    assert (
        client.post(f"{base}/follow-up/kickoff/", {"date": day(2)}, format="json").status_code
        == 200
    )
    assert (
        client.post(
            f"{base}/logs/",
            {"date": day(7), "participants": "店长", "done": ["显示屏已安装"], "difficulties": []},
            format="json",
        ).status_code
        == 201
    )
    spot = {
        "kind": "remote",
        "date": day(10),
        "hardware": "ok",
        "process": "ok",
        "people": "partial",
        "data": "ok",
    }
    assert client.post(f"{base}/spot-checks/", spot, format="json").status_code == 201
    response = client.post(
        f"{base}/resource-requests/",
        {"kind": "equipment", "what": "进度显示屏", "department": "IT", "expected_on": day(20)},
        format="json",
    )
    assert response.status_code == 201
    request_id = response.json()["resource_requests"][0]["id"]
    response = api.as_(cast.head).patch(
        f"{base}/resource-requests/{request_id}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "done"
    client = api.as_(cast.ops)  # the one test client, authenticated as the ops again
    client.patch(f"{base}/findings/{row.pk}/", {"status": "solved"}, format="json")
    metric_id = inspection.metrics.get().pk
    response = client.post(
        f"{base}/reinspections/",
        {
            "date": day(28),
            "items": [{"item": "hw_display", "passed": True}],
            "readings": [{"metric": metric_id, "value": 72}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "accepted" and body["acceptance"]["passed"]
    assert body["acceptance_score"] == 100.0
    response = client.post(
        f"{base}/experience/",
        {
            "title": "等待时间缩短",
            "problem": "等待 45 分钟",
            "root_cause": "缺少告知",
            "solution": "显示屏",
            "effect": "NPS 58 → 72",
            "captured_on": day(29),
            "standard_updated": True,
        },
        format="json",
    )
    assert response.status_code == 201
    assert client.post(f"{base}/close/").status_code == 409
    response = client.put(
        f"{base}/closure/", {"new_habits": True, "store_shares": True}, format="json"
    )
    assert response.json()["closure"]["closable"] is True
    response = client.post(f"{base}/close/")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    steps = {s["step"]: s["done_on"] for s in response.json()["follow_up"]}
    assert steps["call"] == day(1) and steps["weekly_1"] == day(7)
    assert steps["spot_remote"] == day(10) and steps["acceptance"] == day(28)
    assert steps["experience"] == day(29)


def test_list_filters(cast, api):
    perform(cast)
    perform(cast, store=cast.org.ningbo)
    client = api.as_(cast.lead)
    assert client.get("/api/v1/inspections/?store=NB001").json()["count"] == 1
    assert client.get("/api/v1/inspections/?region=EAST&tier=A").json()["count"] == 1
    assert client.get("/api/v1/inspections/?status=draft").json()["count"] == 0
    assert client.get("/api/v1/inspections/?inspected_after=2026-11-21").json()["count"] == 0


# --------------------------------------------------------------------------- query counts


def _grow(cast, n):
    for i in range(n):
        store = StoreFactory(code=f"L{i:03d}", region=cast.org.east)
        cast.ops.stores.add(store)
        perform(cast, store=store, findings=[finding()])


@pytest.mark.parametrize("n", [2, 8])
def test_list_queries_are_pinned(cast, api, client, n, django_assert_max_num_queries):
    _grow(cast, n)
    with django_assert_max_num_queries(2):
        body = api.as_(cast.ops).get("/api/v1/inspections/").json()
    assert body["count"] == n
    client.force_login(cast.ops)
    with django_assert_max_num_queries(6):  # the page ids, then their rows
        page = client.get("/inspections/").content.decode()
    assert page.count('data-testid="inspection-row"') == n


@pytest.mark.parametrize("n", [1, 4])
def test_detail_and_template_queries_do_not_grow(cast, api, n, django_assert_max_num_queries):
    inspection = perform(cast, findings=[finding(f"问题{i}") for i in range(n)])
    client = api.as_(cast.ops)
    with django_assert_max_num_queries(16):
        assert client.get(f"/api/v1/inspections/{inspection.pk}/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/inspection-templates/").status_code == 200
