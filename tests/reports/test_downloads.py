"""The workbook (opened with openpyxl, checked cell by cell) and the PDF (its text
extracted with pypdf) of a monthly rectification summary on hand-built projects."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from rectification.choices import Health, Status
from reports import excel, pdf, services
from reports.choices import Kind

from .helpers import AFTER_NOVEMBER, NOVEMBER, bj, close, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(cast):
    p1 = project(cast, level="A", closure_on=dt.date(2026, 11, 10), kicked_off_at=bj(2026, 10, 1))
    close(p1, bj(2026, 11, 10))
    project(
        cast,
        store="NB001",
        level="B",
        closure_on=dt.date(2026, 11, 15),
        status=Status.EXECUTING,
        health=Health.RED,
    )
    return services.generate(
        kind=Kind.MONTHLY_RECTIFICATION, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )


def test_the_workbook_cell_by_cell(report):
    book = load_workbook(io.BytesIO(excel.workbook(report)))
    assert book.sheetnames == [
        "一、整体数据概览",
        "二、亮点与成绩",
        "三、问题与挑战",
        "四、数据分析",
        "五、下月计划",
    ]
    sheet = book["一、整体数据概览"]
    assert sheet["A1"].value == "一、整体数据概览"
    assert sheet["A2"].value == "月度整改工作汇总 · 2026年11月 · 全国"
    assert sheet["A3"].value == "整体数据概览"
    assert [c.value for c in sheet[4]] == ["项目", "数值", "说明"]
    assert sheet.freeze_panes == "A5"
    assert (sheet["A5"].value, sheet["B5"].value, sheet["C5"].value) == (
        "本月整改项目总数",
        2,
        "个",
    )
    assert sheet["B5"].number_format == "0"
    assert (sheet["A6"].value, sheet["B6"].value) == ("A级项目", 1)
    assert (sheet["A9"].value, sheet["B9"].value) == ("已完成项目", 1)
    assert (sheet["A10"].value, sheet["B10"].value) == ("完成率", 0.5)
    assert sheet["B10"].number_format == "0.0%"
    assert sheet["A13"].value == "按时完成率"
    assert sheet["B13"].value == 0.5  # planned in November: 2, in time: 1
    assert sheet["B13"].number_format == "0.0%"
    assert sheet["C13"].value == "目标≥85%"
    assert (sheet["A14"].value, sheet["B14"].value) == ("平均整改周期（天）", 40)
    assert sheet["B14"].number_format == "0.0"
    assert (sheet["A15"].value, sheet["B15"].value) == ("风险项目（红灯）", 1)
    assert (sheet["A16"].value, sheet["B16"].value) == ("其中超期项目", 1)
    highlights = book["二、亮点与成绩"]
    assert highlights["A3"].value == "优秀门店表彰"
    assert [c.value for c in highlights[4]] == [
        "排名",
        "门店",
        "项目数",
        "完成率",
        "平均周期（天）",
        "超期项目",
    ]
    assert [c.value for c in highlights[5]] == ["Top 1", "杭州XX 4S店", 1, 1, 40, 0]
    assert highlights["D5"].number_format == "0.0%"
    plan = book["五、下月计划"]
    assert plan["A3"].value == "工作重点"
    assert plan["A5"].value.startswith("REF-")
    assert isinstance(plan["F5"].value, dt.datetime)  # 计划闭环日期, a real date
    assert plan["F5"].value.date() == dt.date(2026, 11, 15)
    assert plan["F5"].number_format == "yyyy-mm-dd"


def test_the_effect_workbook_carries_the_prose(cast):
    report = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    report = services.edit_prose(actor=cast.lead, report=report, prose={"mid_term": "开发自动分类"})
    book = load_workbook(io.BytesIO(excel.workbook(report)))
    assert book.sheetnames == ["一、核心成果", "二、问题识别", "三、改进行动", "四、下月重点"]
    actions = book["三、改进行动"]
    texts = [c.value for c in actions["A"] if c.value]
    assert "中期规划（下月启动）" in texts
    assert "开发自动分类" in texts


def test_the_pdf_holds_the_chinese_headings_and_figures(report):
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.report_pdf(report))).pages)
    for heading in (
        "月度整改工作汇总",
        "一、整体数据概览",
        "二、亮点与成绩",
        "三、问题与挑战",
        "四、数据分析",
        "五、下月计划",
        "本月整改项目总数",
        "按时完成率",
        "优秀门店表彰",
        "杭州XX 4S店",
    ):
        assert heading in text, heading
    assert "50%" in text  # the on-time rate
    assert "目标≥85%" in text
    assert "40" in text  # the average cycle


def test_the_pdf_draws_its_charts_as_svg(report):
    html = pdf.report_html(report)
    assert html.count("<svg") == 2  # on-time rate and cycle trends
    assert "按时完成率趋势" in html
