"""The weekly quality report and the monthly effect evaluation report: each section's
numbers on hand-built issues, meeting and projects.

The week is Monday 16 – Sunday 22 November 2026, reported on Wednesday the 25th:
- a (Hangzhou, P1): submitted 17th, resolved 18th;
- b (Hangzhou, P0): submitted 18th, open, resolution due 20th → overdue, top issue;
- c (Hangzhou, P1): submitted 10th (the week before), open, due in December → top issue;
- d (Guangzhou, P2): submitted 19th, open, resolution due 21st → overdue;
- a rejected one submitted on the 17th never counts."""

import datetime as dt

import pytest

from dashboards import services as dashboard_services
from rectification.choices import Health
from reports import sections
from reports.snapshot import find_table

from .helpers import AFTER_NOVEMBER, AFTER_WEEK, NOVEMBER, WEEK, bj, make_issue, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(cast):
    issues = {
        "a": make_issue(
            cast,
            submitted_at=bj(2026, 11, 17, 9),
            resolved_at=bj(2026, 11, 18, 9),
            status="resolved",
            priority="P1",
        ),
        "b": make_issue(
            cast,
            submitted_at=bj(2026, 11, 18, 9),
            priority="P0",
            resolution_due_at=bj(2026, 11, 20, 9),
            title="DMS 工单无法提交",
        ),
        "c": make_issue(
            cast,
            submitted_at=bj(2026, 11, 10, 9),
            priority="P1",
            resolution_due_at=bj(2026, 12, 30, 9),
        ),
        "d": make_issue(
            cast,
            submitted_at=bj(2026, 11, 19, 9),
            priority="P2",
            resolution_due_at=bj(2026, 11, 21, 9),
            store=cast.org.guangzhou,
            category="supply_chain",
        ),
    }
    make_issue(cast, submitted_at=bj(2026, 11, 17, 9), status="rejected")
    meeting = dashboard_services.schedule_meeting(actor=cast.lead, date=dt.date(2026, 11, 18))
    meeting = dashboard_services.start_meeting(actor=cast.lead, meeting=meeting)
    dashboard_services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="top_issues",
        text="IT 周二前修复工单提交",
        owner=cast.head,
        due_on=dt.date(2026, 11, 24),
        issue=issues["b"],
    )
    red = project(cast, closure_on=dt.date(2026, 12, 31), health=Health.RED)
    return issues, red


def table_rows(data, key, title):
    return find_table(data, key, title)["rows"]


def by_label(rows):
    return {r[0]: r for r in rows}


def test_weekly_kpis(cast, week):
    data = sections.weekly(sections.Scope(None), WEEK, now=AFTER_WEEK)
    kpis = by_label(table_rows(data, "kpis", "核心指标"))
    # Submitted in the week: a, b, d (the rejected one and c left out); solved: a.
    assert kpis["提交问题数"][1] == 3
    assert kpis["问题解决率"][1] == pytest.approx(1 / 3, abs=1e-4)
    # Open at the week's end: b, c, d.
    assert kpis["待解决问题数"][1] == 3
    assert kpis["平均解决时长"][1] == 1.0
    # Each line's values are typed by the metric's unit.
    table = find_table(data, "kpis", "核心指标")
    assert [table["types"][i][1] for i in range(3)] == ["percent", "decimal", "int"]
    summary = data["summary"]
    assert (summary["submitted"], summary["backlog"], summary["overdue"]) == (3, 3, 2)
    assert float(summary["resolution_rate"]) == pytest.approx(1 / 3, abs=1e-4)
    assert summary["red_projects"] == 1
    # The meeting's measures are in the national report (the meeting is national).
    assert "周会决策明确率" in kpis
    charts = data["sections"][0]["charts"]
    assert charts[0]["labels"][-1] == "2026-W47"
    assert charts[0]["values"][-1] == 3


def test_weekly_lists(cast, week):
    issues, red = week
    data = sections.weekly(sections.Scope(None), WEEK, now=AFTER_WEEK)
    top = table_rows(data, "top_issues", "重点问题")
    assert [r[0] for r in top] == [issues["b"].number, issues["c"].number]  # overdue first
    overdue = table_rows(data, "overdue", "超期问题")
    assert [r[0] for r in overdue] == [issues["b"].number, issues["d"].number]
    assert overdue[0][7] == 7  # 18th → 25th
    actions = table_rows(data, "actions", "行动项")
    assert actions == [
        ["IT 周二前修复工单提交", str(cast.head), "2026-11-24", "进行中", issues["b"].number]
    ]
    assert [r[0] for r in table_rows(data, "red_projects", "红灯项目")] == [red.number]


def test_weekly_region_cut(cast, week):
    issues, _red = week
    data = sections.weekly(sections.Scope(cast.org.east), WEEK, now=AFTER_WEEK)
    kpis = by_label(table_rows(data, "kpis", "核心指标"))
    assert kpis["提交问题数"][1] == 2  # a, b
    assert "周会决策明确率" not in kpis
    overdue = table_rows(data, "overdue", "超期问题")
    assert [r[0] for r in overdue] == [issues["b"].number]
    south = sections.weekly(sections.Scope(cast.org.south), WEEK, now=AFTER_WEEK)
    assert table_rows(south, "actions", "行动项") == []  # the item is about a Hangzhou issue
    assert table_rows(south, "red_projects", "红灯项目") == []


@pytest.fixture
def month(cast):
    # November: 4 submitted (3 solved), October: 2 submitted (1 solved).
    for day, solved in ((3, True), (5, True), (7, True), (9, False)):
        make_issue(
            cast,
            submitted_at=bj(2026, 11, day, 9),
            resolved_at=bj(2026, 11, day + 2, 9) if solved else None,
            status="resolved" if solved else "in_progress",
            category="system" if day < 9 else "process",
            response_due_at=bj(2026, 11, day, 10),
            first_response_at=bj(2026, 11, day, 11) if day == 3 else bj(2026, 11, day, 9, 30),
        )
    for day, solved in ((3, True), (5, False)):
        make_issue(
            cast,
            submitted_at=bj(2026, 10, day, 9),
            resolved_at=bj(2026, 10, day + 4, 9) if solved else None,
            status="resolved" if solved else "in_progress",
        )


def test_effect_core_results(cast, month):
    data = sections.effect(sections.Scope(None), NOVEMBER, now=AFTER_NOVEMBER)
    core = by_label(table_rows(data, "core", "业务指标达成情况"))
    assert core["提交问题数"][1] == 4
    assert core["问题解决率"][1] == 0.75
    assert core["问题解决率"][2] == 0.5  # October: 1 of 2
    assert core["问题解决率"][6] == "↑"
    assert core["平均解决时长"][1] == 2.0
    # Responses due in November (P2): 4, answered in time: 3 (the 3rd answered late).
    assert core["P2 问题 72 小时响应率"][1] == 0.75
    assert core["P2 问题 72 小时响应率"][3] == 0.9  # the source's default target
    assert core["P2 问题 72 小时响应率"][4] == pytest.approx(0.75 / 0.9, abs=1e-4)
    assert core["P2 问题 72 小时响应率"][5] == "重大"  # shortfall 16.7 % > 15 %


def test_effect_problems_and_prefilled_prose(cast, month):
    data = sections.effect(sections.Scope(None), NOVEMBER, now=AFTER_NOVEMBER)
    short = by_label(table_rows(data, "problems", "待改进指标"))
    assert "P2 问题 72 小时响应率" in short
    assert "问题解决率" not in short  # no target set: nothing to fall short of
    departments = table_rows(data, "problems", "部门响应率")
    assert departments == [["IT", 4, 3, 0.75]]
    categories = table_rows(data, "problems", "问题分类分布")
    assert categories == [["系统/技术", 3, 0.75, 0.75], ["流程/制度", 1, 0.25, 1.0]]
    prose = data["prose"]
    assert "问题解决率从50%变为75%" in prose["highlights"]
    assert "1. 系统/技术类问题3个，占75%" in prose["root_causes"]
    assert "IT部门响应率75%，低于目标90%" in prose["root_causes"]
    assert "确保P2 问题 72 小时响应率达到90%" in prose["next_focus"]
    assert [s["title"] for s in data["sections"]] == [
        "一、核心成果",
        "二、问题识别",
        "三、改进行动",
        "四、下月重点",
    ]


def test_effect_core_results_carry_the_store_metrics(cast, month):
    from integrations.services import metrics as metric_services

    metric_services.record_readings(
        actor=cast.dms,
        rows=[
            {"store": "HZ001", "metric": "nps", "date": "2026-11-05", "value": 60},
            {"store": "GZ001", "metric": "nps", "date": "2026-11-06", "value": 70},
            {"store": "HZ001", "metric": "nps", "date": "2026-10-05", "value": 50},
        ],
    )
    national = sections.effect(sections.Scope(None), NOVEMBER, now=AFTER_NOVEMBER)
    nps = by_label(table_rows(national, "core", "业务指标达成情况"))["门店NPS"]
    assert nps[1:3] == [65.0, 50.0]
    east = sections.effect(sections.Scope(cast.org.east), NOVEMBER, now=AFTER_NOVEMBER)
    assert by_label(table_rows(east, "core", "业务指标达成情况"))["门店NPS"][1] == 60.0
