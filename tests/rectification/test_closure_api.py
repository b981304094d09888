"""The closure checklist through the API (API.md "Closure checklist") and its services:
the data-filled items, PUT changing only the items sent, bad items named, closing at
基本闭环 or better (else 409 invalid_transition), the history row the dashboards read."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboards import periods
from dashboards import rectification as board
from rectification import closure, library
from rectification.choices import Status
from rectification.models import Closure, Project, ProjectEvent
from tests.factories import at

from .closure_helpers import CASE, SOURCE_ITEMS, body, pending_closure
from .helpers import executing

pytestmark = pytest.mark.django_db


def url(project, what="closure"):
    return f"/api/v1/rectifications/{project.number}/{what}/"


def items(reply):
    return {i["key"]: i for s in reply["steps"] for i in s["items"]}


def states(reply):
    return [s["state"] for s in reply["steps"]]


def test_get_reads_the_data_filled_items(cast, api):
    project = pending_closure(cast)
    reply = api.as_(cast.ops).get(url(project))
    assert reply.status_code == 200, reply.json()
    data = reply.json()
    assert [s["title"] for s in data["steps"]] == [
        "验收通过确认",
        "持续观察期设定",
        "效果持续性确认",
        "根因消除确认",
        "经验总结提炼",
        "知识共享传播",
        "机制优化改进",
    ]
    found = items(data)
    assert found["acceptance_result"]["done"] is True
    assert found["acceptance_result"]["value"] == "95 分 · 优秀 · 2025-11-01"
    assert found["acceptance_result"]["auto"] is True
    assert found["period_set"]["value"] == "2025-10-01 至 2025-10-31（31 天）"
    assert found["recheck_plan"]["value"] == "每 7 天一次，共 4 次"
    assert (found["rechecks_done"]["done"], found["rechecks_done"]["value"]) == (True, "4/4")
    assert (found["trend"]["done"], found["trend"]["value"]) == (True, "优秀")
    assert found["case_written"]["done"] is False
    assert found["notice_sent"] == {
        "key": "notice_sent",
        "label": "验收通过通知已发送",
        "done": False,
        "value": "",
        "auto": False,
        "value_label": "",
    }
    assert states(data) == ["partial", "partial", "partial"] + ["not_done"] * 4
    assert (data["completed_steps"], data["verdict"], data["level"]) == (0, "open", 0)


def test_rechecks_done_of_planned_and_no_formal_acceptance(cast, api):
    project = pending_closure(cast, rechecks=3, formal=False)
    found = items(api.as_(cast.ops).get(url(project)).json())
    assert (found["rechecks_done"]["done"], found["rechecks_done"]["value"]) == (False, "3/4")
    assert (found["acceptance_result"]["done"], found["acceptance_result"]["value"]) == (
        False,
        "",
    )


def test_put_changes_only_the_items_sent(cast, api):
    project = pending_closure(cast)
    client = api.as_(cast.ops)
    reply = client.put(url(project), body(steps=[1]), format="json")
    assert reply.status_code == 200, reply.json()
    assert reply.json()["steps"][0]["state"] == "complete"
    assert reply.json()["level"] == 80
    # One item of step 3 with a value only: done untouched, the rest untouched.
    reply = client.put(
        url(project),
        {"steps": [{"step": 3, "items": [{"key": "feedback", "value": "85分"}]}]},
        format="json",
    )
    found = items(reply.json())
    assert (found["feedback"]["done"], found["feedback"]["value"]) == (False, "85分")
    assert found["notice_sent"]["done"] is True
    reply = client.put(
        url(project),
        {"steps": [{"step": 3, "items": [{"key": "feedback", "done": True}]}]},
        format="json",
    )
    found = items(reply.json())
    assert (found["feedback"]["done"], found["feedback"]["value"]) == (True, "85分")
    event = ProjectEvent.objects.filter(project=project, action="update_closure").last()
    assert event.data == {"items": ["feedback"]}
    assert event.actor == cast.ops


def test_the_source_case_is_full_closure_at_100(cast, api):
    project = pending_closure(cast)
    library.save_case(project=project, actor=cast.ops, data=CASE, at=at(2025, 11, 8, 10))
    reply = api.as_(cast.ops).put(url(project), body(), format="json")
    data = reply.json()
    assert states(data) == ["complete"] * 7
    assert (data["completed_steps"], data["verdict"], data["level"]) == (7, "full", 100)
    assert data["verdict_display"] == "完全闭环"
    assert items(data)["case_written"]["value"] == "客户等待时间优化四步法"


def test_root_cause_not_eliminated_needs_a_plan(cast):
    project = pending_closure(cast)
    step4 = [{"key": "whys_redone", "done": True}, {"key": "eliminated", "value": "no"}]
    result = closure.update_closure(
        project=project, actor=cast.ops, data={"steps": [{"step": 4, "items": step4}]}
    )
    assert result.steps[3].state == "partial"
    plan = [{"key": "follow_up", "done": True, "value": "12月复查人员储备"}]
    result = closure.update_closure(
        project=project, actor=cast.ops, data={"steps": [{"step": 4, "items": plan}]}
    )
    assert [i.done for i in result.steps[3].items] == [True, False, True]
    assert result.steps[3].state == "partial"  # eliminated: no
    yes = [{"key": "eliminated", "value": "yes"}]
    result = closure.update_closure(
        project=project, actor=cast.ops, data={"steps": [{"step": 4, "items": yes}]}
    )
    assert result.steps[3].state == "complete"


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        (
            {"steps": [{"step": 1, "items": [{"key": "acceptance_result", "done": True}]}]},
            "steps[0].items[0].key",
            "由系统根据数据填写，不能修改",
        ),
        (
            {"steps": [{"step": 2, "items": [{"key": "notice_sent", "done": True}]}]},
            "steps[0].items[0].key",
            "第 2 步没有检查项“notice_sent”",
        ),
        (
            {"steps": [{"step": 6, "items": [{"key": "sharing_session", "value": "11月5日"}]}]},
            "steps[0].items[0].value",
            "日期格式应为 YYYY-MM-DD",
        ),
        (
            {"steps": [{"step": 4, "items": [{"key": "eliminated", "value": "maybe"}]}]},
            "steps[0].items[0].value",
            "应为 yes（是）或 no（否）",
        ),
        (
            {"steps": [{"step": 7, "items": [{"key": "defect", "value": "x" * 301}]}]},
            "steps[0].items[0].value",
            "300",
        ),
    ],
)
def test_bad_items_are_named_and_nothing_is_saved(cast, api, sent, field, message):
    project = pending_closure(cast)
    # A good item first: it must not be saved either.
    good = {"step": 1, "items": [{"key": "notice_sent", "done": True}]}
    sent = {"steps": [*sent["steps"], good]}
    reply = api.as_(cast.ops).put(url(project), sent, format="json")
    assert reply.status_code == 400, reply.json()
    assert message in " ".join(reply.json()[field])
    assert not Closure.objects.filter(project=project).exists()


def test_step_out_of_range_is_a_400(cast, api):
    project = pending_closure(cast)
    reply = api.as_(cast.ops).put(
        url(project), {"steps": [{"step": 8, "items": []}]}, format="json"
    )
    assert reply.status_code == 400
    assert "steps[0].step" in reply.json()


def test_close_below_basic_is_409(cast, api):
    project = pending_closure(cast)
    client = api.as_(cast.ops)
    client.put(url(project), body(steps=[1, 2, 3, 4]), format="json")  # step 5: no case
    reply = client.post(url(project, "close"))
    assert reply.status_code == 409
    assert reply.json()["code"] == "invalid_transition"
    assert "未闭环" in reply.json()["detail"]
    assert "5 经验总结提炼" in reply.json()["detail"]
    project.refresh_from_db()
    assert project.status == Status.PENDING_CLOSURE


def test_close_at_basic_and_the_dashboards_count_it(cast, api):
    project = pending_closure(cast)
    library.save_case(project=project, actor=cast.ops, data=CASE)
    partial = {**SOURCE_ITEMS, 6: SOURCE_ITEMS[6][:1], 7: SOURCE_ITEMS[7][:1]}
    client = api.as_(cast.ops)
    data = client.put(url(project), body(items=partial), format="json").json()
    assert (data["verdict"], data["level"]) == ("basic", 90)
    reply = client.post(url(project, "close"))
    assert reply.status_code == 200, reply.json()
    assert reply.json()["status"] == "closed"
    event = ProjectEvent.objects.get(project=project, to_status=Status.CLOSED)
    assert (event.action, event.from_status, event.actor) == ("close", "pending_closure", cast.ops)
    assert event.data == {"verdict": "basic", "level": 90, "completed_steps": 5}
    # The dashboards' on-time rate reads that row: closed today, planned 2025-11-01.
    closed_on = timezone.localdate(event.at)
    Project.objects.filter(pk=project.pk).update(closure_on=closed_on)
    kpis = board.kpis(Project.objects.all(), periods.month(closed_on))
    assert (kpis.due, kpis.on_time, kpis.ever_closed) == (1, 1, 1)
    assert kpis.on_time_rate == Decimal(1)
    # Closed: the checklist is frozen, a second close is refused.
    assert client.put(url(project), body(steps=[1]), format="json").status_code == 409
    assert client.post(url(project, "close")).json()["code"] == "invalid_transition"


def test_close_in_the_wrong_state_is_409(cast, api):
    project = executing(cast)
    reply = api.as_(cast.ops).post(url(project, "close"))
    assert reply.status_code == 409
    assert reply.json()["code"] == "invalid_transition"
    assert api.as_(cast.ops).put(url(project), body(steps=[1]), format="json").status_code == 409


def test_who_may_fill_and_close(cast, api):
    project = pending_closure(cast)
    # The store's manager and the director see the project but do not fill its checklist.
    for who in (cast.manager, cast.director):
        assert api.as_(who).get(url(project)).status_code == 200
        assert api.as_(who).put(url(project), body(steps=[1]), format="json").status_code == 403
        assert api.as_(who).post(url(project, "close")).status_code == 403
    # Outside the project's scope: 404 for both.
    assert api.as_(cast.far_manager).get(url(project)).status_code == 404
    assert api.as_(cast.outsider).post(url(project, "close")).status_code == 404
    # The quality lead may, like the ops specialist.
    assert api.as_(cast.lead).put(url(project), body(steps=[1]), format="json").status_code == 200


def test_closing_twice_at_the_same_time_closes_once(cast):
    project = pending_closure(cast)
    library.save_case(project=project, actor=cast.ops, data=CASE)
    closure.update_closure(project=project, actor=cast.ops, data=body())
    closure.close(project=project, actor=cast.ops, at=at(2025, 11, 20, 10))
    stale = Project.objects.get(pk=project.pk)
    stale.status = Status.PENDING_CLOSURE  # a stale copy: the service re-reads the row
    with pytest.raises(closure.InvalidTransition):
        closure.close(project=stale, actor=cast.ops)
    assert ProjectEvent.objects.filter(project=project, to_status=Status.CLOSED).count() == 1
    closed = ProjectEvent.objects.get(project=project, to_status=Status.CLOSED)
    assert timezone.localdate(closed.at) == dt.date(2025, 11, 20)
