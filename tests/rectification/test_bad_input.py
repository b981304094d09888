"""Bad input (issue 10, "Bad input"): a kick-off missing a required field, a goal without
target or direction, a measure deadline before its start, a tracking record dated before
the start or in the future, progress outside 0–100, a reading for another project's goal
— each a clear, translated message on the field; nothing half-saved; never a 500. The
API here; the pages in test_pages.py."""

import pytest

from closedloop.core.models import NumberSequence
from rectification.models import Goal, Measure, Project, TrackingLog, Why

from .helpers import iso, recent, recent_executing, recent_project

pytestmark = pytest.mark.django_db


def _create(api, cast, body):
    return api.as_(cast.ops).post("/api/v1/rectifications/", body, format="json")


def _nothing_saved():
    assert Project.objects.count() == 0
    assert Goal.objects.count() == Measure.objects.count() == Why.objects.count() == 0
    # The number was not taken either: the next project still gets 001.
    assert not NumberSequence.objects.filter(name="REF").exists()


def _without(body, key):
    return {k: v for k, v in body.items() if k != key}


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda b: _without(b, "title"), "title", "请填写项目名称。"),
        (lambda b: {**b, "problem": "  "}, "problem", "请填写问题描述。"),
        (lambda b: _without(b, "store"), "store", "请选择门店。"),
        (lambda b: _without(b, "found_on"), "found_on", "请填写发现日期。"),
        (lambda b: {**b, "found_on": iso(3)}, "found_on", "发现日期不能晚于今天。"),
        (
            lambda b: {**b, "plan": {**b["plan"], "execution_from": None}},
            "plan.execution_from",
            "请填写执行期开始日期。",
        ),
        (
            lambda b: {**b, "plan": {**b["plan"], "execution_to": iso(-5)}},
            "plan.execution_to",
            "执行期结束不能早于开始。",
        ),
        (
            lambda b: {**b, "goals": [{**b["goals"][0], "target": None}]},
            "goals[0].target",
            "请填写目标值。",
        ),
        (
            lambda b: {**b, "goals": [_without(b["goals"][0], "direction")]},
            "goals[0].direction",
            "请选择方向（越低越好或越高越好）。",
        ),
        (
            lambda b: {**b, "goals": [{**b["goals"][0], "target": 50}]},
            "goals[0].target",
            "目标值与方向不符：越低越好时目标应低于基线，越高越好时应高于基线。",
        ),
        (
            lambda b: {
                **b,
                "measures": [{**b["measures"][0], "start_on": iso(3), "deadline": iso(1)}],
            },
            "measures[0].deadline",
            f"完成期限不能早于开始日期（{iso(3)}）。",
        ),
        (
            lambda b: {**b, "measures": [{**b["measures"][0], "deadline": iso(-3)}]},
            "measures[0].deadline",
            f"完成期限不能早于开始日期（{iso(-1)}）。",  # the start date by default
        ),
        (
            lambda b: {**b, "measures": [{"text": "x", "kind": "root", "deadline": iso(2)}]},
            "measures[0].owner_name",
            "请填写责任人（用户或姓名）。",
        ),
        (
            lambda b: {**b, "measures": [{**b["measures"][1], "owner": "nobody"}]},
            "measures[0].owner",
            "找不到用户“nobody”。",
        ),
        (
            lambda b: {**b, "whys": [{"why": "为什么？"}]},
            "whys[0].because",
            "请填写“因为”。",
        ),
        (
            lambda b: {**b, "tracking": {"execution_every_days": 0}},
            "tracking.execution_every_days",
            None,
        ),
        (lambda b: {**b, "level": "D"}, "level", None),
    ],
)
def test_kickoff_refused_on_the_field(cast, api, mutate, field, message):
    response = _create(api, cast, mutate(recent(cast)))
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    if message:
        assert body[field] == [message]
    _nothing_saved()


def test_all_bad_fields_are_named_at_once(cast, api):
    body = recent(cast, title="", goals=[{"name": "等待时间", "unit": "分钟"}])
    response = _create(api, cast, body)
    assert set(response.json()) >= {"title", "goals[0].target", "goals[0].direction"}
    _nothing_saved()


@pytest.mark.parametrize(
    "body",
    [
        {"goals": "不是列表"},
        {"measures": [1, 2]},
        {"plan": []},
        {"title": "标题\x00"},
        {"store": "HZ001\x00"},
        {"goals": [{"name": "x", "target": 10**30, "direction": "lower"}]},
        {"measures": [{"text": "x", "kind": "root", "owner_name": "a", "deadline": "9999-12-31"}]},
        {"plan": {"start_on": "2025-02-30"}},
        {"whys": [{"id": 2**40, "why": "a", "because": "b"}]},
        {"tracking": {"execution_every_days": 2**63}},
    ],
)
def test_nasty_kickoff_input_is_a_400(cast, api, body):
    response = _create(api, cast, {**recent(cast), **body})
    assert response.status_code == 400, response.content
    _nothing_saved()


def test_patch_that_fails_changes_nothing(cast, api):
    project = recent_project(cast)
    response = api.as_(cast.ops).patch(
        f"/api/v1/rectifications/{project.number}/",
        {"title": "新名称", "goals": [{"name": "等待时间", "direction": "lower"}]},
        format="json",
    )
    assert response.status_code == 400 and "goals[0].target" in response.json()
    project.refresh_from_db()
    assert project.title == "客户等待时间过长"
    assert project.goals.count() == 2


# --- tracking records ---------------------------------------------------------------------


@pytest.fixture
def running(cast):
    return recent_executing(cast)


def _log(api, cast, project, **over):
    body = {"method": "phone", "progress": 40, "assessment": "on_plan", **over}
    return api.as_(cast.ops).post(
        f"/api/v1/rectifications/{project.number}/tracking-logs/", body, format="json"
    )


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"date": iso(-1)}, "date", f"跟踪日期不能早于执行期开始（{iso(0)}）。"),
        ({"date": iso(1)}, "date", "跟踪日期不能晚于今天。"),
        ({"progress": 101}, "progress", "应在 0–100 之间。"),
        ({"progress": -1}, "progress", "应在 0–100 之间。"),
        ({"progress": None}, "progress", "请填写当前进度。"),
        ({"progress": 2**40}, "progress", "当前进度应在 0–100 之间。"),
        ({"method": None}, "method", None),
        ({"assessment": "fine"}, "assessment", None),
        ({"in_progress": [{"text": "培训", "progress": 120}]}, "in_progress[0].progress", None),
        ({"difficulties": [{"text": "缺人"}]}, "difficulties[0].impact", "请选择影响程度。"),
        ({"next_on": iso(0)}, "next_on", "下次跟踪日期应晚于本次跟踪日期。"),
    ],
)
def test_tracking_record_refused_on_the_field(cast, api, running, over, field, message):
    response = _log(api, cast, running, **over)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    if message:
        assert body[field] == [message]
    assert not TrackingLog.objects.exists()
    running.refresh_from_db()
    assert running.progress == 0 and running.last_tracked_on is None


def test_a_reading_for_another_projects_goal(cast, api, running):
    other = recent_project(cast, store="NB001").goals.first()
    response = _log(api, cast, running, readings=[{"goal": other.pk, "value": 30}])
    assert response.status_code == 400
    assert response.json() == {"readings[0].goal": ["该指标不属于本项目。"]}
    assert not TrackingLog.objects.exists()


def test_one_record_a_day(cast, api, running):
    assert _log(api, cast, running).status_code == 201
    response = _log(api, cast, running)
    assert response.status_code == 400
    assert response.json() == {"date": [f"{iso(0)} 已有跟踪记录。"]}
    assert TrackingLog.objects.count() == 1


def test_messages_follow_the_callers_language(cast, api, running):
    cast.ops.language = "en"
    cast.ops.save()
    response = api.as_(cast.ops).post(
        f"/api/v1/rectifications/{running.number}/tracking-logs/",
        {"method": "phone", "progress": 101, "assessment": "on_plan"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["progress"] == ["Must be between 0 and 100."]
