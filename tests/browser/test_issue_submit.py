"""A store manager submits a problem from a phone (390 × 844) in real headless Chromium,
with a photo; ops triages it from the queue with one tap; the IT department head finds it
under 我负责的. No page scrolls sideways at phone width, nothing breaks the CSP."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from PIL import Image

from issues import services
from issues.models import Issue
from tests.factories import new_issue, png, to_in_progress, to_resolved, to_triaged

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _fits(page):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


def _switch_user(page, live_server, login, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def test_submit_on_a_phone_then_triage_then_mine(
    cast, live_server, phone_page, login, screenshot, problems, tmp_path
):
    page = phone_page
    photo = tmp_path / "dms-screen.png"
    Image.new("RGB", (800, 600), (30, 120, 200)).save(photo)

    # The store manager opens 提交问题 from the menu.
    login(page, live_server, "manager")
    page.click(".navbar-toggler")
    page.locator("#mainnav").get_by_role("link", name="提交问题").click()
    page.wait_for_url(f"{live_server.url}/issues/new/")
    _fits(page)
    screenshot(page, "form")

    page.locator("label", has_text="系统/技术").click()
    page.fill("input[name=title]", "DMS 工单打印很慢")
    page.fill("textarea[name=description]", "每张工单要等两分钟才能打印，早高峰客户排长队。")
    page.locator("label", has_text="单店").click()
    page.fill("input[name=expected_resolution_date]", "2099-12-31")
    page.set_input_files("input[name=attachments]", str(photo))
    screenshot(page, "filled")
    page.click("[data-testid=submit-issue]")

    page.wait_for_url(re.compile(r"/issues/ISS-\d{4}-\d{5}/submitted/$"))
    number = page.inner_text("[data-testid=issue-number]").strip()
    assert re.fullmatch(r"ISS-\d{4}-\d{5}", number)
    _fits(page)
    screenshot(page, "submitted")
    issue = Issue.objects.get(number=number)
    assert issue.store.code == "HZ001" and issue.attachments.count() == 1

    # The detail page shows the photo through the guarded attachment view.
    page.click("text=查看详情")
    page.wait_for_url(f"{live_server.url}/issues/{number}/")
    thumb = page.locator("[data-testid=attachments] img")
    assert thumb.count() == 1
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=attachments] img');"
        " return img && img.complete && img.naturalWidth > 0; }"
    )
    _fits(page)
    screenshot(page, "detail")

    # Ops triages from the queue with the suggestion.
    _switch_user(page, live_server, login, "ops")
    page.goto(f"{live_server.url}/issues/triage/")
    item = page.locator(f"[data-testid=triage-item][data-number='{number}']")
    assert "IT" in item.locator("[data-testid=suggested-department]").inner_text()
    _fits(page)
    screenshot(page, "triage")
    item.locator("[data-testid=triage-suggested]").click()
    page.wait_for_url(f"{live_server.url}/issues/triage/")
    assert page.locator(f"[data-testid=triage-item][data-number='{number}']").count() == 0
    issue.refresh_from_db()
    assert issue.status == "triaged" and issue.department.code == "IT"

    # The IT head finds it under 我负责的.
    _switch_user(page, live_server, login, "head")
    page.goto(f"{live_server.url}/issues/")
    page.click("[data-testid=tab-mine]")
    page.wait_for_url(re.compile(r"view=mine"))
    assert page.locator(f"[data-testid=issue-row][data-number='{number}']").count() == 1
    assert page.inner_text("[data-testid=count-mine]").strip() == "1"
    _fits(page)
    screenshot(page, "mine")

    assert problems(page) == []


def test_list_and_my_store_fit_a_phone(cast, live_server, phone_page, login, screenshot, problems):
    for index in range(3):
        issue = to_in_progress(cast, new_issue(cast, title=f"配件到货慢，影响交车 {index}"))
        services.comment(issue=issue, actor=cast.head, body="已联系供应商，本周内补货。")
    page = phone_page
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/issues/store/")
    assert page.locator("[data-testid=latest-reply]").count() == 3
    _fits(page)
    screenshot(page, "my-store")
    page.goto(f"{live_server.url}/issues/?view=status")
    page.click(".issue-filters > summary")
    _fits(page)
    screenshot(page, "list")
    assert problems(page) == []


def test_desktop_list_swaps_tabs_in_place_and_detail_actions(
    cast, live_server, desktop_page, login, screenshot, problems
):
    now = timezone.now()
    late = new_issue(cast, impact_scope="national", when=now - dt.timedelta(hours=5))
    to_triaged(cast, new_issue(cast, title="配件到货延迟", category="supply_chain"), priority="P1")
    busy = to_in_progress(cast, new_issue(cast, title="DMS 打印慢", files=[png()]))
    services.comment(issue=busy, actor=cast.head, body="内部：等供应商补丁", public=False)
    services.comment(issue=busy, actor=cast.head, body="正在排查打印服务")
    to_resolved(cast, new_issue(cast, store=cast.org.ningbo, who=cast.neighbour, title="培训资料"))

    page = desktop_page
    login(page, live_server, "lead")
    page.goto(f"{live_server.url}/issues/?view=priority")
    page.evaluate("window.__noReload = true")
    screenshot(page, "priority")
    page.click("[data-testid=tab-overdue]")
    page.wait_for_url(re.compile(r"view=overdue"))
    page.wait_for_selector(f"[data-testid=issue-row][data-number='{late.number}']")
    assert page.evaluate("window.__noReload === true"), "the tab should swap in place (htmx)"
    assert page.locator("[data-testid=issue-row]").count() >= 1
    screenshot(page, "overdue")

    page.goto(f"{live_server.url}/issues/{busy.number}/")
    assert "内部：等供应商补丁" in page.inner_text("[data-testid=timeline]")
    screenshot(page, "detail")
    page.locator("[data-testid=action-resolve] summary").click()
    page.fill("textarea[name=resolve-resolution]", "已升级打印服务")
    page.click("[data-testid=submit-resolve]")
    page.wait_for_selector("[data-testid=messages]")
    assert page.inner_text("[data-testid=status]").strip() == "已解决"
    screenshot(page, "resolved")
    assert problems(page) == []
