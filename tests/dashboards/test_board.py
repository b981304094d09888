"""The KPI board on hand-built data with the source's figures: resolution rate 58 → 85,
now 82 → 96 % (正常); average time 45 → 15 days, now 18 → 90 % (可控); backlog 1200 → 300,
now 380 → 91 % (可控) — through the database, the targets in force and the trend against
the month before."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboards import periods, services
from dashboards.board import build_board
from dashboards.kpi import percent

from .helpers import bj, bulk_issues

pytestmark = pytest.mark.django_db

NOVEMBER = periods.parse({"period": "2026-11"})
NOW = bj(2026, 12, 15)


@pytest.fixture
def source_month(cast):
    """November: 100 submitted, 82 resolved after exactly 18 days; open at the end 380
    (18 of November's, 21 of October's, 341 of September's). October: 50 submitted, 29
    resolved after 18 days (58 %); open at its end 362."""
    bulk_issues(cast, 341, submitted_at=bj(2026, 9, 10, 9))
    bulk_issues(cast, 21, submitted_at=bj(2026, 10, 2, 9))
    bulk_issues(
        cast,
        29,
        submitted_at=bj(2026, 10, 2, 9),
        status="closed",
        resolved_at=bj(2026, 10, 20, 9),
        closed_at=bj(2026, 10, 27, 9),
    )
    bulk_issues(cast, 18, submitted_at=bj(2026, 11, 2, 9))
    bulk_issues(
        cast,
        82,
        submitted_at=bj(2026, 11, 2, 9),
        status="resolved",
        resolved_at=bj(2026, 11, 20, 9),
    )


def set_source_targets(lead, day=dt.date(2026, 11, 1)):
    services.set_kpi_target(
        actor=lead, metric="resolution_rate", baseline="0.58", target="0.85", valid_from=day
    )
    services.set_kpi_target(
        actor=lead,
        metric="avg_resolution_days",
        baseline=45,
        target=15,
        direction="lower",
        valid_from=day,
    )
    services.set_kpi_target(
        actor=lead, metric="backlog", baseline=1200, target=300, direction="lower", valid_from=day
    )


def test_the_sources_board_through_the_database(cast, source_month):
    set_source_targets(cast.lead)
    board = build_board(cast.lead, NOVEMBER, now=NOW)
    rows = {row.metric: row for row in board.rows}
    assert list(rows) == ["resolution_rate", "avg_resolution_days", "backlog"]

    rate = rows["resolution_rate"]
    assert (rate.baseline, rate.target, rate.current) == (
        Decimal("0.58"),
        Decimal("0.85"),
        Decimal("0.82"),
    )
    assert percent(rate.achievement) == 96
    assert rate.deviation == "normal"
    assert (rate.trend.trend, rate.trend.tone) == ("up", "good")  # 58 % in October
    assert rate.trend.delta == Decimal("0.24")

    days = rows["avg_resolution_days"]
    assert days.current == Decimal("18.00")
    assert percent(days.achievement) == 90
    assert days.deviation == "controllable"
    assert days.trend.trend == "flat"  # 18 days in October too

    backlog = rows["backlog"]
    assert backlog.current == 380
    assert percent(backlog.achievement) == 91
    assert backlog.deviation == "controllable"
    # 362 open at October's end: the backlog grew, and for a lower-is-better metric that is red.
    assert (backlog.trend.trend, backlog.trend.tone, backlog.trend.delta) == ("up", "bad", 18)


def test_only_metrics_with_a_target_have_a_row(cast, source_month):
    assert build_board(cast.lead, NOVEMBER, now=NOW).rows == []
    services.set_kpi_target(
        actor=cast.lead,
        metric="backlog",
        target=300,
        baseline=1200,
        direction="lower",
        valid_from=dt.date(2026, 1, 1),
    )
    assert [r.metric for r in build_board(cast.lead, NOVEMBER, now=NOW).rows] == ["backlog"]


def test_targets_apply_from_their_date_on(cast, source_month):
    set_source_targets(cast.lead, day=dt.date(2026, 10, 1))
    services.set_kpi_target(
        actor=cast.lead,
        metric="resolution_rate",
        baseline="0.58",
        target="0.90",
        valid_from=dt.date(2026, 12, 1),
    )
    november = {r.metric: r for r in build_board(cast.lead, NOVEMBER, now=NOW).rows}
    december = {r.metric: r for r in build_board(cast.lead, NOVEMBER.following(), now=NOW).rows}
    september = build_board(cast.lead, periods.parse({"period": "2026-09"}), now=NOW).rows
    assert november["resolution_rate"].target == Decimal("0.85")
    assert december["resolution_rate"].target == Decimal("0.90")
    assert december["backlog"].target == 300  # unchanged since October
    assert september == []  # nothing was in force yet
    # A target set again for the same date replaces it (upsert), it does not add a row.
    _target, created = services.set_kpi_target(
        actor=cast.lead,
        metric="resolution_rate",
        baseline="0.60",
        target="0.88",
        valid_from=dt.date(2026, 12, 1),
    )
    assert not created
    rows = {r.metric: r for r in build_board(cast.lead, NOVEMBER.following(), now=NOW).rows}
    assert rows["resolution_rate"].target == Decimal("0.88")


def test_the_board_is_scoped_and_sliced(cast, source_month):
    from .helpers import make_issue

    make_issue(
        cast, submitted_at=bj(2026, 11, 3), store=cast.org.guangzhou, submitted_by=cast.far_manager
    )
    lead = build_board(cast.lead, NOVEMBER, now=NOW)
    director = build_board(cast.director, NOVEMBER, now=NOW)
    assert (lead.kpis.submitted, director.kpis.submitted) == (101, 100)
    from dashboards.metrics import Slices

    south = build_board(cast.lead, NOVEMBER, Slices(region="SOUTH"), now=NOW)
    assert south.kpis.submitted == 1 and south.kpis.backlog == 1


def test_the_board_page_shows_the_figures(cast, client, source_month):
    set_source_targets(cast.lead)
    client.force_login(cast.executive)
    html = client.get("/dashboards/?period=2026-11").content.decode()
    for text in ("82%", "96%", "18 天", "90%", "380", "91%", "正常", "可控", "+24pp"):
        assert text in html, text
    # Executives read the board; only the quality lead sets targets.
    assert "设置目标" not in html
    client.force_login(cast.lead)
    assert "设置目标" in client.get("/dashboards/?period=2026-11").content.decode()


def test_bad_filters_are_explained_on_the_field_and_the_board_still_shows(cast, client):
    client.force_login(cast.lead)
    response = client.get("/dashboards/?kind=month&period=2026-13&region=MARS")
    assert response.status_code == 200
    html = response.content.decode()
    assert "月份格式应为 YYYY-MM" in html
    assert "区域“MARS”不存在。" in html
    response = client.get("/dashboards/?kind=range&from=2026-11-10&to=2026-11-01")
    assert "结束日期不能早于开始日期。" in response.content.decode()


def test_store_managers_do_not_get_the_board(cast, client):
    client.force_login(cast.manager)
    for url in (
        "/dashboards/",
        "/dashboards/process/",
        "/dashboards/export.xlsx",
        "/dashboards/rollout/",
        "/dashboards/targets/",
    ):
        assert client.get(url).status_code == 403, url
