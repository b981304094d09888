"""月度整改工作汇总 (source tool 5): every section's numbers on hand-built projects.

November 2026, generated on 1 December 08:00:
- p1 Hangzhou A, planned 11-10, kicked off 10-01, closed 11-10 → on time, 40 days;
- p2 Hangzhou B, planned 11-20, kicked off 11-01, closed 11-21 → late, 20 days;
- p3 Ningbo A, planned 11-15, executing, red → risk and overdue;
- p4 Guangzhou C, a draft planned for 12-20 → not started;
- p5 Guangzhou C, closed 10-15 after 35 days → October's, not November's;
- p6 Ningbo B, cancelled → never counted."""

import datetime as dt

import pytest

from rectification.choices import Health, Status
from reports import sections
from reports.snapshot import find_table

from .helpers import AFTER_NOVEMBER, NOVEMBER, bj, close, make_issue, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(cast):
    parts_hz = make_issue(cast, submitted_at=bj(2026, 9, 1), category="supply_chain")
    parts_nb = make_issue(
        cast, submitted_at=bj(2026, 9, 1), category="supply_chain", store=cast.org.ningbo
    )
    p1 = project(
        cast,
        level="A",
        closure_on=dt.date(2026, 11, 10),
        kicked_off_at=bj(2026, 10, 1),
        issue=parts_hz,
    )
    close(p1, bj(2026, 11, 10))
    p2 = project(cast, level="B", closure_on=dt.date(2026, 11, 20), kicked_off_at=bj(2026, 11, 1))
    close(p2, bj(2026, 11, 21))
    project(
        cast,
        store="NB001",
        level="A",
        closure_on=dt.date(2026, 11, 15),
        status=Status.EXECUTING,
        health=Health.RED,
        issue=parts_nb,
    )
    project(cast, store="GZ001", level="C", closure_on=dt.date(2026, 12, 20), status=Status.DRAFT)
    p5 = project(
        cast,
        store="GZ001",
        level="C",
        closure_on=dt.date(2026, 10, 20),
        kicked_off_at=bj(2026, 9, 10),
    )
    close(p5, bj(2026, 10, 15))
    project(
        cast, store="NB001", level="B", closure_on=dt.date(2026, 11, 12), status=Status.CANCELLED
    )
    return sections.rectification_summary(sections.Scope(None), NOVEMBER, now=AFTER_NOVEMBER)


def rows(data, key, title):
    return find_table(data, key, title)["rows"]


def test_overview(november):
    overview = {r[0]: r[1:] for r in rows(november, "overview", "整体数据概览")}
    assert overview["本月整改项目总数"][0] == 4
    assert [overview[k][0] for k in ("A级项目", "B级项目", "C级项目")] == [2, 1, 1]
    assert overview["已完成项目"] == [2, "个"]
    assert overview["完成率"] == [0.5, ""]
    assert overview["进行中项目"][0] == 1
    assert overview["未启动项目"][0] == 1
    # Planned in November and not cancelled: p1, p2, p3; in time: p1.
    assert overview["按时完成率"] == [pytest.approx(1 / 3, abs=1e-4), "目标≥85%"]
    # Closed in November: 40 and 20 days; October's 35 → −5.
    assert overview["平均整改周期（天）"] == [30.0, "环比-5.0天"]
    assert overview["风险项目（红灯）"][0] == 1
    assert overview["其中超期项目"][0] == 1
    assert november["summary"]["total"] == 4


def test_top_and_bottom_stores(november):
    top = rows(november, "highlights", "优秀门店表彰")
    assert top == [["Top 1", "杭州XX 4S店", 2, 1.0, 30.0, 0]]
    bottom = rows(november, "challenges", "重点问题门店")
    # Lowest completion first, then the most overdue: Ningbo (1 overdue), Guangzhou.
    assert bottom == [
        ["Bottom 1", "宁波XX 4S店", 1, 0.0, None, 1],
        ["Bottom 2", "广州XX 4S店", 1, 0.0, None, 0],
    ]
    assert rows(november, "plan", "重点关注门店") == bottom


def test_cases_and_key_data(november):
    cases = rows(november, "highlights", "典型案例分享")
    assert [c[1] for c in cases] == ["杭州XX 4S店", "杭州XX 4S店"]
    assert [c[3] for c in cases] == ["A", "B"]
    key = {r[0]: r[1:] for r in rows(november, "highlights", "关键数据改善")}
    assert key["平均整改周期（天）"] == [35.0, 30.0]
    assert key["本月闭环项目数"] == [1, 2]


def test_categories_common_problems_and_tiers(november):
    categories = rows(november, "analysis", "问题类型分布")
    assert categories == [["供应链", 2, 0.5, 2], ["未关联问题", 2, 0.5, 2]]
    # Only a linked category shared by several stores is a common problem.
    assert rows(november, "challenges", "普遍性问题") == [["供应链", 2, 0.5, 2]]
    tiers = rows(november, "analysis", "门店分层表现")
    assert tiers == [
        ["A类门店", 1, 0.0, None],  # Ningbo
        ["B类门店", 2, 1.0, 30.0],  # Hangzhou
        ["C类门店", 1, 0.0, None],  # Guangzhou
    ]


def test_trend_and_plan(november):
    trend = rows(november, "analysis", "月度趋势")
    assert [t[0] for t in trend] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]
    assert trend[-1][1:] == [3, 1, pytest.approx(1 / 3, abs=1e-4), 2, 30.0]
    assert trend[-2][1:] == [1, 1, 1.0, 1, 35.0]
    plan = {r[0]: r[1] for r in rows(november, "plan", "预期目标")}
    assert plan == {"整体完成率 ≥": 0.5, "按时完成率 ≥": 0.85, "平均整改周期（天）≤": 30.0}
    focus = rows(november, "plan", "工作重点")
    assert [f[1] for f in focus] == ["宁波XX 4S店"]


def test_a_region_cut_counts_its_stores_only(cast, november):
    east = sections.rectification_summary(
        sections.Scope(cast.org.east), NOVEMBER, now=AFTER_NOVEMBER
    )
    overview = {r[0]: r[1] for r in rows(east, "overview", "整体数据概览")}
    assert overview["本月整改项目总数"] == 3  # p1, p2, p3
    assert overview["未启动项目"] == 0
