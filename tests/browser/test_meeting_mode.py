"""The weekly meeting on the projector (1920 × 1080) in real headless Chromium: the
quality lead starts it, moves between the agenda blocks with the keyboard (each with its
countdown), captures a decision on a top issue live (htmx), and sees it as an action item
— in the meeting's "next week" block, on the issue's page and in the action-item list.
No sideways scroll, items in large type, nothing breaks the CSP."""

import datetime as dt
import os

import pytest
from django.utils import timezone

from dashboards import services
from dashboards.models import ActionItem
from tests.dashboards.helpers import make_issue

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def font_px(locator):
    return locator.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")


def seconds_left(page):
    minutes, seconds = page.get_by_test_id("countdown").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def visible_block(page):
    return page.locator(".mm-block:not([hidden])").get_attribute("data-kind")


@pytest.fixture
def meeting_data(cast):
    now = timezone.now()
    overdue = make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=6),
        priority="P0",
        title="DMS 结算页面频繁卡死",
        resolution_due_at=now - dt.timedelta(days=3),
        response_due_at=now - dt.timedelta(days=6),
        first_response_at=now - dt.timedelta(days=6),
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=9),
        priority="P1",
        title="紧急订单无法加急",
        store=cast.org.ningbo,
        department=cast.org.supply,
        submitted_by=cast.neighbour,
        resolution_due_at=now + dt.timedelta(days=2),
        response_due_at=now - dt.timedelta(days=8),
        first_response_at=now - dt.timedelta(days=9),
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(hours=5),
        priority="P2",
        title="新员工不会使用 DMS 新功能",
        status="submitted",
        category="people",
    )
    meeting = services.schedule_meeting(
        actor=cast.lead,
        date=timezone.localdate(),
        topic="P1 问题分类准确率",
        invited=[cast.head, cast.scm_head],
    )
    return overdue, meeting


def test_meeting_mode_on_the_projector(
    cast, live_server, projector_page, login, screenshot, problems, meeting_data
):
    from playwright.sync_api import expect

    overdue, meeting = meeting_data
    page = login(projector_page, live_server, "lead")
    page.goto(f"{live_server.url}/dashboards/meetings/{meeting.pk}/mode/")
    assert page.get_by_test_id("start-meeting").is_visible()
    page.get_by_test_id("start-meeting").click()
    page.wait_for_url(f"{live_server.url}/dashboards/meetings/{meeting.pk}/mode/")

    # One block at a time: the review, with last week's KPIs and its 10-minute countdown.
    assert visible_block(page) == "review"
    assert page.locator(".mm-block:not([hidden])").count() == 1
    assert page.get_by_test_id("countdown").inner_text() in ("10:00", "09:59", "09:58")
    page.wait_for_timeout(2500)  # the countdown runs
    assert 585 <= seconds_left(page) <= 598
    assert page.locator(".navbar").count() == 0
    assert overflow(page) <= 0
    screenshot(page, "1-review")

    # → moves to the top issues (30 minutes), overdue first; ← back; → again.
    page.keyboard.press("ArrowRight")
    assert visible_block(page) == "top_issues"
    assert page.url.endswith("?block=1")
    assert page.get_by_test_id("countdown").inner_text() in ("30:00", "29:59", "29:58")
    page.keyboard.press("ArrowLeft")
    assert visible_block(page) == "review"
    page.keyboard.press("ArrowRight")
    items = page.locator("[data-testid=top-issues] [data-testid=mm-issue]")
    assert items.count() == 2
    first = items.first
    assert first.get_attribute("data-number") == overdue.number
    # Large type for the back of the room: titles ≥ 24 px (27 px at this width).
    assert font_px(first.locator(".mm-item-title")) >= 24
    assert font_px(page.locator(".mm-block-title").filter(has_text="Top问题")) >= 36
    assert overflow(page) <= 0
    screenshot(page, "2-top-issues")

    # Capture a decision on the overdue issue: text, owner, due date → an action item.
    first.get_by_test_id("capture-toggle").click()
    form = first.get_by_test_id("decision-form")
    form.get_by_test_id("decision-text").fill("IT 本周五前发布修复版本")
    form.get_by_test_id("decision-owner").select_option(str(cast.head.pk))
    due = timezone.localdate() + dt.timedelta(days=3)
    form.get_by_test_id("decision-due").fill(due.isoformat())
    # Typing in the form does not switch blocks.
    form.get_by_test_id("decision-text").press("ArrowRight")
    assert visible_block(page) == "top_issues"
    assert overflow(page) <= 0
    screenshot(page, "3-capturing")
    form.get_by_test_id("decision-submit").click()
    decision = first.get_by_test_id("decision")
    decision.wait_for()
    assert "IT 本周五前发布修复版本" in decision.inner_text()
    assert "行动项 · 进行中" in decision.get_by_test_id("action-badge").inner_text()
    assert overflow(page) <= 0
    screenshot(page, "4-decision")

    # An unclear one (no owner) is recorded but marked, and is no action item.
    second = items.nth(1)
    second.get_by_test_id("capture-toggle").click()
    second.get_by_test_id("decision-text").fill("供应链研究加急通道")
    second.get_by_test_id("decision-submit").click()
    second.get_by_test_id("unclear").wait_for()
    assert ActionItem.objects.count() == 1

    # The last block lists the meeting's decisions as action items (refreshed live).
    page.locator("body").click(position={"x": 5, "y": 1000})
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert visible_block(page) == "next_week"
    rows = page.locator("[data-testid=meeting-action]")
    expect(rows).to_have_count(2)  # each capture refreshed the list (htmx event)
    assert "IT 本周五前发布修复版本" in rows.first.inner_text()
    assert "进行中" in rows.first.inner_text()
    assert "不明确" in rows.nth(1).inner_text()
    assert overflow(page) <= 0
    screenshot(page, "5-next-week")
    assert problems(page) == []

    # …and on the issue's page and in the action-item list.
    page.goto(f"{live_server.url}/issues/{overdue.number}/")
    card = page.get_by_test_id("issue-action-items")
    assert "IT 本周五前发布修复版本" in card.inner_text()
    page.goto(f"{live_server.url}/dashboards/actions/")
    assert "IT 本周五前发布修复版本" in page.get_by_test_id("action-list").inner_text()
    screenshot(page, "6-action-items")
    assert problems(page) == []
