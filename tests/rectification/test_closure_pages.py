"""The closure checklist page (laptop) and its PDF laid out like tool 4."""

import io

import pytest
from pypdf import PdfReader

from rectification import closure, library
from rectification.choices import Status
from rectification.models import Closure

from .closure_helpers import CASE, SOURCE_ITEMS, body, pending_closure
from .helpers import executing

pytestmark = pytest.mark.django_db


def url(project, tail="closure/"):
    return f"/rectification/{project.number}/{tail}"


def form_of(items: dict) -> dict:
    """The page's fields for the source's items."""
    data = {}
    for rows in items.values():
        for row in rows:
            if row.get("done"):
                data[f"{row['key']}-done"] = "on"
            if "value" in row:
                data[f"{row['key']}-value"] = row["value"]
    return data


def test_page_shows_steps_states_verdict_and_ladder(cast, client):
    project = pending_closure(cast)
    client.force_login(cast.ops)
    page = client.get(url(project))
    assert page.status_code == 200
    html = page.content.decode()
    for title in ("验收通过确认", "持续观察期设定", "机制优化改进"):
        assert title in html
    assert 'data-testid="verdict">未闭环' in html
    assert "95 分 · 优秀 · 2025-11-01" in html  # read from the formal acceptance
    assert "4/4" in html
    assert 'aria-valuenow="0"' in html
    assert "验收通过 80" in html and "机制优化 100" in html
    assert 'data-testid="close-hint"' in html
    # The project page links to it.
    assert url(project) in client.get(project.get_absolute_url()).content.decode()


def test_fill_on_the_page_then_close(cast, client):
    project = pending_closure(cast)
    library.save_case(project=project, actor=cast.ops, data=CASE)
    client.force_login(cast.ops)
    saved = client.post(url(project), form_of(SOURCE_ITEMS))
    assert saved.status_code == 302
    result = closure.checklist(project)
    assert (result.verdict, result.level, result.completed_steps) == ("full", 100, 7)
    html = client.get(url(project)).content.decode()
    assert 'data-testid="verdict">完全闭环' in html and 'aria-valuenow="100"' in html
    closed = client.post(url(project, "closure/close/"))
    assert closed.status_code == 302
    project.refresh_from_db()
    assert project.status == Status.CLOSED


def test_the_page_saves_unticked_items_too(cast, client):
    project = pending_closure(cast)
    closure.update_closure(project=project, actor=cast.ops, data=body(steps=[1]))
    client.force_login(cast.ops)
    form = form_of({1: SOURCE_ITEMS[1][1:]})  # notice_sent unticked
    client.post(url(project), form)
    assert Closure.objects.get().items["notice_sent"]["done"] is False


def test_the_page_refuses_to_close_below_basic_with_a_message(cast, client):
    project = pending_closure(cast)
    client.force_login(cast.ops)
    refused = client.post(url(project, "closure/close/"))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "不能闭环" in html and "未闭环" in html and "需要前 5 步全部完成" in html
    project.refresh_from_db()
    assert project.status == Status.PENDING_CLOSURE


def test_bad_input_on_the_page_is_named_and_not_saved(cast, client):
    project = pending_closure(cast)
    client.force_login(cast.ops)
    form = {**form_of({1: SOURCE_ITEMS[1]}), "sharing_session-value": "11月5日"}
    page = client.post(url(project), form)
    assert page.status_code == 200
    assert "日期格式应为 YYYY-MM-DD" in page.content.decode()
    assert not Closure.objects.exists()


def test_who_may_open_and_fill(cast, client):
    project = pending_closure(cast)
    client.force_login(cast.manager)  # sees the project, may not fill its checklist
    page = client.get(url(project))
    assert page.status_code == 200
    assert 'data-testid="save-closure"' not in page.content.decode()
    assert client.post(url(project), form_of(SOURCE_ITEMS)).status_code == 403
    assert client.post(url(project, "closure/close/")).status_code == 403
    client.force_login(cast.far_manager)
    assert client.get(url(project)).status_code == 404
    client.force_login(cast.ops)
    assert client.get(url(executing(cast))).status_code == 409


def test_closure_pdf_reads_like_tool_4(cast, client):
    project = pending_closure(cast)
    library.save_case(project=project, actor=cast.ops, data=CASE)
    closure.update_closure(project=project, actor=cast.ops, data=body())
    client.force_login(cast.ops)
    response = client.get(url(project, "closure.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for heading in (
        "闭环确认检查表",
        "Step 1：验收通过确认",
        "Step 2：持续观察期设定",
        "Step 3：效果持续性确认",
        "Step 4：根因消除确认",
        "Step 5：经验总结提炼",
        "Step 6：知识共享传播",
        "Step 7：机制优化改进",
        "闭环判定",
    ):
        assert heading in text, heading
    assert project.number in text
    assert "95 分 · 优秀" in text
    assert "4/4" in text
    assert "客户等待时间优化四步法" in text
    assert "客户接待标准流程V2.0" in text
    assert "完成步骤数：7/7" in text
    assert "☑完全闭环" in text and "☐基本闭环" in text
    assert "闭环程度：100" in text
