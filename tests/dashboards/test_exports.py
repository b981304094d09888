"""Every chart's table exports to Excel: the workbook opened with openpyxl, cell by cell
(real numbers, rates with a percent format, the Chinese titles)."""

import datetime as dt
import io

import openpyxl
import pytest

from dashboards import services

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def november(cast):
    for i, category in enumerate(["system", "system", "supply_chain"]):
        department = cast.org.supply if category == "supply_chain" else cast.org.it
        make_issue(
            cast,
            submitted_at=bj(2026, 11, 2 + i),
            category=category,
            priority="P1",
            department=department,
            status="resolved",
            resolved_at=bj(2026, 11, 4 + i),
            response_due_at=bj(2026, 11, 3 + i),
            first_response_at=bj(2026, 11, 2 + i, 5),
        )
    services.set_kpi_target(
        actor=cast.lead,
        metric="resolution_rate",
        baseline="0.58",
        target="0.85",
        valid_from=dt.date(2026, 1, 1),
    )


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def test_one_chart_table(cast, client, november):
    client.force_login(cast.lead)
    book = workbook(client.get("/dashboards/export.xlsx?period=2026-11&page=process&table=pareto"))
    assert book.sheetnames == ["问题分类帕累托"]
    sheet = book.active
    assert sheet["A1"].value == "问题分类帕累托"
    assert sheet["A2"].value.startswith("2026年11月")
    assert [c.value for c in sheet[4]] == ["问题分类", "问题数", "占比", "累计占比"]
    assert [c.value for c in sheet[5]] == [
        "系统/技术",
        2,
        pytest.approx(2 / 3),
        pytest.approx(2 / 3),
    ]
    assert [c.value for c in sheet[6]] == ["供应链", 1, pytest.approx(1 / 3), pytest.approx(1.0)]
    assert sheet["C5"].number_format == "0.0%"
    assert sheet.freeze_panes == "B5"


def test_the_process_workbook_has_a_sheet_per_chart(cast, client, november):
    client.force_login(cast.lead)
    book = workbook(client.get("/dashboards/export.xlsx?period=2026-11&page=process"))
    for title in (
        "各优先级响应率",
        "部门响应率",
        "决策效率",
        "系统性改进",
        "问题分类帕累托",
        "解决时长分布",
        "待解决问题数趋势",
    ):
        assert title in book.sheetnames, title
    response = book["各优先级响应率"]
    p1 = [c.value for c in response[6]]  # P0 is row 5
    assert p1[:5] == ["P1 高", 3, 3, 1, pytest.approx(0.95)]
    backlog = book["待解决问题数趋势"]
    assert backlog.max_row == 4 + 12  # twelve months ending with November
    assert backlog["A16"].value == "2026-11"


def test_the_board_workbook(cast, client, november):
    client.force_login(cast.lead)
    book = workbook(client.get("/dashboards/export.xlsx?period=2026-11"))
    board = book["核心业务指标"]
    assert [c.value for c in board[4]] == [
        "指标",
        "基线值",
        "目标值",
        "当前值",
        "达成率",
        "趋势",
        "偏差",
    ]
    row = [c.value for c in board[5]]
    assert row[:5] == [
        "问题解决率",
        pytest.approx(0.58),
        pytest.approx(0.85),
        1,
        pytest.approx(1 / 0.85),
    ]
    assert row[6] == "正常"
    assert board["D5"].number_format == "0.0%"


def test_the_export_is_scoped_like_the_board(cast, client, november):
    client.force_login(cast.scm_head)
    book = workbook(client.get("/dashboards/export.xlsx?period=2026-11&page=process&table=pareto"))
    assert [c.value for c in book.active[5]][:2] == ["供应链", 1]
    assert book.active.max_row == 5
