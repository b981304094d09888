"""导出 Excel writes exactly the rows the list shows under the same tab and filters (all
pages), only rows the person may see, with Chinese headers, labels and Beijing time."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from issues.models import Issue
from tests.factories import at, new_issue, to_triaged

pytestmark = pytest.mark.django_db


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def _numbers(rows):
    return [row["编号"] for row in rows]


@pytest.fixture
def spread(cast):
    """Issues of three stores, two categories, some triaged."""
    made = []
    for index in range(4):
        made.append(new_issue(cast, title=f"杭州系统问题{index}"))
    made.append(new_issue(cast, title="杭州供应链问题", category="supply_chain"))
    made.append(new_issue(cast, store=cast.org.ningbo, who=cast.neighbour, title="宁波系统问题"))
    made.append(
        new_issue(cast, store=cast.org.guangzhou, who=cast.far_manager, title="广州系统问题")
    )
    to_triaged(cast, made[0], priority="P0")
    to_triaged(cast, made[1], priority="P2")
    return made


def test_export_equals_the_filtered_visible_rows(cast, client, spread):
    client.force_login(cast.ops)
    query = "view=status&category=system&search=系统&sort=number"
    listed = client.get(f"/issues/?{query}")
    shown = [issue.number for issue in listed.context["page"]]

    header, rows = _sheet(client.get(f"/issues/export.xlsx?{query}"))
    assert header[:3] == ("编号", "问题标题", "门店编码")
    expected = set(
        Issue.objects.visible_to(cast.ops)
        .filter(category="system", title__contains="系统")
        .values_list("number", flat=True)
    )
    assert set(_numbers(rows)) == expected
    assert len(rows) == len(expected) == 5  # 4 Hangzhou + 1 Ningbo, never Guangzhou
    assert _numbers(rows) == shown  # same order as the page


def test_export_follows_the_tab_and_ignores_pagination(cast, client, spread):
    client.force_login(cast.member)
    _header, rows = _sheet(client.get("/issues/export.xlsx?view=mine&page=2"))
    # The IT member's own work: the department's unassigned issues.
    assert set(_numbers(rows)) == {spread[0].number, spread[1].number}
    client.force_login(cast.lead)
    _header, rows = _sheet(client.get("/issues/export.xlsx?view=priority&priority=P0&priority=P2"))
    assert set(_numbers(rows)) == {spread[0].number, spread[1].number}
    p0 = next(row for row in rows if row["编号"] == spread[0].number)
    assert p0["优先级"] == "P0 紧急"
    assert p0["状态"] == "已分级"
    assert p0["问题分类"] == "系统/技术"
    assert p0["责任部门"] == "IT"


def test_neighbour_export_never_contains_hangzhou_issues(cast, client, spread):
    client.force_login(cast.neighbour)
    for query in ("", "store=HZ001", "search=杭州", "view=mine", "region=EAST"):
        _header, rows = _sheet(client.get(f"/issues/export.xlsx?{query}"))
        assert all(row["门店编码"] != "HZ001" for row in rows), query
    _header, rows = _sheet(client.get("/issues/export.xlsx"))
    assert _numbers(rows) == [spread[5].number]


def test_export_writes_beijing_time(cast, client):
    submitted = at(2026, 3, 2, 8, 30)  # 00:30 UTC
    issue = new_issue(cast, when=submitted)
    client.force_login(cast.manager)
    _header, rows = _sheet(client.get("/issues/export.xlsx"))
    (row,) = rows
    assert row["编号"] == issue.number
    assert row["提交时间"] == dt.datetime(2026, 3, 2, 8, 30)
    assert row["影响范围"] == "单店"
    assert row["响应超时"] in ("是", "否")


def test_export_of_many_rows_streams_every_row(cast, client):
    now = timezone.now()
    for index in range(60):
        new_issue(cast, title=f"批量{index}", when=now - dt.timedelta(minutes=index))
    client.force_login(cast.manager)
    _header, rows = _sheet(client.get("/issues/export.xlsx?search=批量"))
    assert len(rows) == 60
