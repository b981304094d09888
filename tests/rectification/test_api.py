"""The rectification API (API.md "Rectification"): exact bodies, codes and replies."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from closedloop.org.choices import Role
from integrations.services.tokens import issue_token
from tests.factories import new_issue, to_triaged

from ..factories import UserFactory
from .helpers import add_log, day, executing, iso, new_project, recent_executing

pytestmark = pytest.mark.django_db

#: The kick-off body of API.md, verbatim (ISS number aside).
API_BODY = {
    "store": "HZ001",
    "title": "客户等待时间过长",
    "problem": "…",
    "found_on": "2025-09-15",
    "level": "A",
    "symptoms": ["…"],
    "containment": "…",
    "whys": [{"why": "为什么等待时间长?", "because": "接待流程慢、派工慢"}],
    "root_causes": ["服务顾问缺编"],
    "goals": [
        {
            "name": "客户平均等待时间",
            "unit": "分钟",
            "baseline": 47,
            "target": 30,
            "direction": "lower",
            "method": "standard",
        }
    ],
    "measures": [
        {
            "text": "…",
            "kind": "root",
            "owner": None,
            "owner_name": "服务经理",
            "deadline": "2025-09-27",
        }
    ],
    "plan": {
        "start_on": "2025-09-22",
        "execution_from": "2025-09-23",
        "execution_to": "2025-09-27",
        "acceptance_on": "2025-09-28",
        "observation_from": "2025-10-01",
        "observation_to": "2025-10-31",
        "closure_on": "2025-11-01",
    },
    "tracking": {
        "execution_every_days": 1,
        "observation_every_days": 7,
        "methods": ["onsite", "phone"],
    },
    "criteria": {"quantitative": ["…"], "qualitative": ["…"]},
}


def test_create_with_the_documented_body(cast, api):
    response = api.as_(cast.ops).post("/api/v1/rectifications/", API_BODY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    year = timezone.localdate().year
    assert body["number"] == f"REF-{year}-001"
    assert body["status"] == "draft" and body["health"] == "green"
    assert body["store"] == "HZ001" and body["level"] == "A"
    assert body["goals"][0]["id"] > 0
    assert body["goals"][0]["baseline"] == 47 and body["goals"][0]["direction"] == "lower"
    assert body["measures"][0]["owner"] is None and body["measures"][0]["owner_name"] == "服务经理"
    assert body["whys"] == [
        {
            "id": body["whys"][0]["id"],
            "why": "为什么等待时间长?",
            "because": "接待流程慢、派工慢",
            "evidence": "",
            "photo": None,
        }
    ]
    assert body["plan"]["execution_from"] == "2025-09-23"
    assert body["tracking"] == {
        "execution_every_days": 1,
        "observation_every_days": 7,
        "methods": ["onsite", "phone"],
    }
    assert body["criteria"] == {"quantitative": ["…"], "qualitative": ["…"]}
    assert body["signoffs"] == [] and body["sustainability"] is None
    assert body["ops_specialist"] == "ops" and body["regional_director"] == "director"
    assert "sign" in body["available_actions"] and "edit" in body["available_actions"]
    assert body["history"][0]["action"] == "create"


def test_omitted_tracking_takes_the_level_defaults(cast, api):
    body = {key: value for key, value in API_BODY.items() if key != "tracking"}
    body["level"] = "C"
    response = api.as_(cast.ops).post("/api/v1/rectifications/", body, format="json")
    assert response.status_code == 201
    assert response.json()["tracking"]["execution_every_days"] == 3
    assert response.json()["tracking"]["observation_every_days"] == 30


def test_create_from_an_issue_fills_what_is_missing_and_links_both_ways(cast, api):
    issue = to_triaged(cast, new_issue(cast, title="DMS 派工慢，客户等待时间长"), priority="P1")
    body = {
        "issue": issue.number,
        "whys": API_BODY["whys"],
        "plan": API_BODY["plan"],
    }
    response = api.as_(cast.ops).post("/api/v1/rectifications/", body, format="json")
    assert response.status_code == 201, response.content
    project = response.json()
    assert project["issue"] == issue.number and project["store"] == "HZ001"
    assert project["title"] == issue.title and project["level"] == "A"  # P1 → A
    assert project["found_on"] == timezone.localdate(issue.submitted_at).isoformat()
    # The issues API answers the REF number in ``rectification``.
    detail = api.as_(cast.ops).get(f"/api/v1/issues/{issue.number}/").json()
    assert detail["rectification"] == project["number"]
    listed = api.as_(cast.ops).get("/api/v1/issues/").json()["results"]
    assert {i["number"]: i["rectification"] for i in listed}[issue.number] == project["number"]


def test_issue_without_project_answers_null(cast, api):
    issue = new_issue(cast)
    assert api.as_(cast.ops).get(f"/api/v1/issues/{issue.number}/").json()["rectification"] is None


def test_patch_a_draft_replaces_lists_and_keeps_goal_ids(cast, api):
    project = new_project(cast)
    goal = project.goals.get(name="客户平均等待时间")
    response = api.as_(cast.ops).patch(
        f"/api/v1/rectifications/{project.number}/",
        {
            "title": "客户等待时间过长（高峰期）",
            "goals": [
                {"id": goal.pk, "name": "客户平均等待时间", "target": 28, "direction": "lower"}
            ],
            "symptoms": ["高峰期排队"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "客户等待时间过长（高峰期）"
    assert [(g["id"], g["target"]) for g in body["goals"]] == [(goal.pk, 28)]
    assert body["symptoms"] == ["高峰期排队"]
    assert body["history"][-1]["action"] == "edit"


def test_patch_after_kickoff_may_change_measures_and_cadence_only(cast, api):
    project = recent_executing(cast)
    client = api.as_(cast.ops)
    url = f"/api/v1/rectifications/{project.number}/"
    assert client.patch(url, {"title": "新名称"}, format="json").status_code == 409
    measure = project.measures.get(text="流程再造")
    response = client.patch(
        url,
        {
            "measures": [
                {"id": measure.pk, "progress": 50},
                {
                    "text": "安装维修进度显示屏",
                    "kind": "tool",
                    "owner_name": "IT专员",
                    "deadline": iso(4),
                },
            ],
            "tracking": {"execution_every_days": 2},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    by_text = {m["text"]: m for m in body["measures"]}
    assert by_text["流程再造"]["progress"] == 50 and by_text["流程再造"]["status"] == "in_progress"
    assert by_text["安装维修进度显示屏"]["start_on"] == iso(-1)  # from the start date
    assert len(body["measures"]) == 3  # nothing deleted after the kick-off
    assert body["tracking"]["execution_every_days"] == 2


def test_tracking_log_reply_has_day_health_and_next_date(cast, api):
    project = recent_executing(cast, level="B")
    goal = project.goals.get(name="客户平均等待时间")
    response = api.as_(cast.ops).post(
        f"/api/v1/rectifications/{project.number}/tracking-logs/",
        {
            "date": iso(0),
            "method": "onsite",
            "progress": 40,
            "assessment": "slightly_delayed",
            "done": ["全天按新流程试运行"],
            "in_progress": [{"text": "电子派工培训", "progress": 50, "expected_on": iso(1)}],
            "difficulties": [{"text": "显示屏未安装", "impact": "moderate", "support": "IT"}],
            "solutions": [{"text": "督促供应商", "owner_name": "IT专员", "deadline": iso(2)}],
            "readings": [{"goal": goal.pk, "value": 42}],
            "focus": "电子派工熟练度",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["day"] == 1 and body["health"] == "yellow"
    assert body["next_on"] == iso(2) and body["next_tracking_on"] == iso(2)  # level B
    assert body["readings"] == [{"goal": goal.pk, "value": 42}]
    assert body["in_progress"] == [{"text": "电子派工培训", "progress": 50, "expected_on": iso(1)}]
    assert body["difficulties"][0]["impact"] == "moderate"
    assert body["recorder"] == "ops"
    detail = api.as_(cast.ops).get(f"/api/v1/rectifications/{project.number}/").json()
    assert detail["progress"] == 40 and detail["goals"][0]["current"] == 42
    assert len(detail["tracking_logs"]) == 1


def test_actions_reply_with_the_project(cast, api):
    project = new_project(cast)
    url = f"/api/v1/rectifications/{project.number}"
    assert api.as_(cast.manager).post(f"{url}/sign/").json()["status"] == "draft"
    assert api.as_(cast.ops).post(f"{url}/sign/").json()["status"] == "draft"
    body = api.as_(cast.director).post(f"{url}/sign/").json()
    assert body["status"] == "kicked_off"
    assert [s["role"] for s in body["signoffs"]] == [
        "store_manager",
        "ops_specialist",
        "regional_director",
    ]
    assert api.as_(cast.ops).post(f"{url}/start/").json()["status"] == "executing"
    assert api.as_(cast.ops).post(f"{url}/submit/").json()["status"] == "pending_acceptance"
    body = api.as_(cast.ops).post(f"{url}/cancel/", {"reason": "门店闭店"}, format="json").json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "门店闭店"


# --- list and filters -------------------------------------------------------------------


def _numbers(api, user, query=""):
    response = api.as_(user).get(f"/api/v1/rectifications/{query}")
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


@pytest.fixture
def spread(cast):
    """Projects across stores, levels, states and healths: Hangzhou executing and red (its
    emergency measure was due 2025-09-23), Ningbo a draft by ``ops``, Guangzhou a draft
    run by another ops specialist."""
    south_ops = UserFactory(
        username="south_ops", role=Role.OPS_SPECIALIST, stores=[cast.org.guangzhou]
    )
    hz = executing(cast, level="A")
    add_log(cast, hz, day(2025, 9, 24))
    nb = new_project(cast, store="NB001", level="B")
    gz = new_project(cast, who=south_ops, store="GZ001", level="C", ops_specialist=None)
    return {"hz": hz.number, "nb": nb.number, "gz": gz.number}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"hz", "nb", "gz"}),
        ("?status=executing", {"hz"}),
        ("?status=draft&status=executing", {"hz", "nb", "gz"}),
        ("?level=B", {"nb"}),
        ("?store=GZ001", {"gz"}),
        ("?region=EAST", {"hz", "nb"}),
        ("?health=red", {"hz"}),
        ("?health=green", {"nb", "gz"}),
        ("?overdue=true", {"hz"}),
        ("?overdue=false", {"nb", "gz"}),
        ("?mine=true", {"hz", "nb"}),
        ("?tier=C", {"gz"}),
        ("?search=REF", {"hz", "nb", "gz"}),
    ],
)
def test_list_filters(cast, api, spread, query, expected):
    who = cast.ops if "mine" in query else cast.lead
    assert _numbers(api, who, query) == {spread[key] for key in expected}


def test_bad_filter_is_a_400(cast, api):
    response = api.as_(cast.lead).get("/api/v1/rectifications/?status=nope")
    assert response.status_code == 400 and "status" in response.json()


def test_unknown_or_malformed_number_is_a_json_404(cast, api):
    for number in ("REF-2025-999", "nope", "REF-2025-001%00"):
        response = api.as_(cast.lead).get(f"/api/v1/rectifications/{number}/")
        assert response.status_code == 404
        assert "detail" in response.json()


@pytest.mark.parametrize(
    ("scopes", "read", "write"),
    [
        (["issues:read"], 403, 403),
        (["rectifications:read"], 200, 403),
        (["rectifications:write"], 200, 201),  # write includes read
    ],
)
def test_token_scopes_guard_the_projects(cast, scopes, read, write):
    """A token reaches the projects only with the ``rectifications:*`` scopes of
    ``ApiScope`` (the ops specialist's own rights still apply)."""
    _row, key = issue_token(user=cast.ops, scopes=scopes)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/rectifications/").status_code == read
    assert client.post("/api/v1/rectifications/", API_BODY, format="json").status_code == write
