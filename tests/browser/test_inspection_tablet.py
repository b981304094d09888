"""An ops specialist performs an inspection on a tablet (820 × 1180) in real headless
Chromium: starts it at a store, scores the checklist, takes photos, notes a finding,
issues the report and lands on it; the store manager finds it in their store's view;
the quality lead reads the improvement board. Nothing scrolls sideways, nothing breaks
the CSP."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.models import Inspection
from tests.inspections.helpers import PASS_KEYS, SCORE_KEYS, finding, perform

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

TABLET = {
    "viewport": {"width": 820, "height": 1180},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tablet_page(_page_factory):
    return _page_factory(**TABLET)


def _fits(page):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )


def _shot(screenshot, page, suffix):
    """A full-page screenshot from the top (sticky bars stay where they belong)."""
    page.evaluate("window.scrollTo(0, 0)")
    return screenshot(page, suffix)


def _photo(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (1200, 900), color).save(path, "JPEG")
    return str(path)


def test_perform_an_inspection_with_photos_and_issue_the_report(
    cast, live_server, tablet_page, login, screenshot, problems, tmp_path
):
    services.ensure_default_template()
    page = tablet_page
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm before issuing
    login(page, live_server, "ops")

    page.goto(f"{live_server.url}/inspections/")
    page.get_by_test_id("new-inspection").click()
    page.wait_for_url(f"{live_server.url}/inspections/new/")
    page.select_option("select[name=store]", label="HZ001 杭州XX 4S店")
    page.get_by_test_id("start-inspection").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/perform/$"))
    _fits(page)
    _shot(screenshot, page, "checklist")

    for key in SCORE_KEYS:
        page.fill(f"[data-testid=score-{key}]", "4" if key == "pr_progress" else "10")
    for key in PASS_KEYS:
        page.click(f"[data-testid=passed-{key}-{'0' if key == 'hw_display' else '1'}]")
    page.set_input_files(
        "[data-testid=photos-hw_display]", _photo(tmp_path, "display.jpg", (20, 60, 160))
    )
    page.set_input_files(
        "[data-testid=photos-hw_lounge]", _photo(tmp_path, "lounge.jpg", (40, 150, 90))
    )
    chosen = page.locator("[data-testid=item][data-key=hw_display] [data-photo-chosen]")
    assert chosen.inner_text() == "已选 1 张照片"
    row = page.get_by_test_id("new-finding-1")
    row.locator("textarea").fill("进度显示屏未安装，客户无法查看维修进度")
    row.locator("select[name=finding-1-priority]").select_option("high")
    row.locator("select[name=finding-1-item]").select_option("hw_display")
    _fits(page)
    _shot(screenshot, page, "filled")

    page.get_by_test_id("issue-report").click()
    page.wait_for_url(re.compile(r"/inspections/\d+/report/$"))
    inspection = Inspection.objects.get()
    assert inspection.status == "following_up"
    # hw_display (2) failed, pr_progress 4/10 of 3: 100 × (23 − 2 − 1.8) / 23 = 83.5
    assert page.get_by_test_id("report-score").inner_text() == "83.5"
    photos = page.get_by_test_id("report-photo")
    assert photos.count() == 2
    photos.first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=report-photo]')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    _fits(page)
    _shot(screenshot, page, "report")

    # The follow-up page: the plan dated from today, the finding in the action plan.
    page.get_by_test_id("follow-up-link").click()
    page.wait_for_url(f"{live_server.url}/inspections/{inspection.pk}/")
    assert page.locator("[data-testid=step]").count() == 10
    assert "进度显示屏未安装" in page.get_by_test_id("finding").inner_text()
    _fits(page)
    _shot(screenshot, page, "follow-up")

    # The store manager sees the report in their store's view.
    page.context.clear_cookies()
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}/inspections/")
    assert page.locator(f"[data-testid=inspection-row][data-id='{inspection.pk}']").count() == 1
    page.get_by_test_id("report-link").click()
    page.wait_for_url(f"{live_server.url}/inspections/{inspection.pk}/report/")
    _fits(page)
    assert problems(page) == []


def test_the_improvement_board_on_a_tablet(
    cast, live_server, tablet_page, login, screenshot, problems
):
    today = timezone.localdate()
    a = perform(
        cast,
        day=today - dt.timedelta(days=11),
        findings=[finding(f"A{i}", "medium") for i in range(12)],
        metrics=[{"metric": "waiting_minutes", "baseline": 45, "standard": 30}],
        pe_script=7,
    )
    b = perform(
        cast,
        store=cast.org.ningbo,
        day=today - dt.timedelta(days=16),
        findings=[finding(f"B{i}", "low") for i in range(10)],
    )
    c = perform(
        cast,
        store=cast.org.guangzhou,
        who=cast.lead,
        day=today - dt.timedelta(days=9),
        findings=[finding(f"C{i}", "high") for i in range(15)],
        pr_progress=3,
    )
    for inspection, solved, in_progress, who in (
        (a, 8, 3, cast.ops),
        (b, 9, 1, cast.ops),
        (c, 5, 7, cast.lead),
    ):
        rows = list(inspection.findings.order_by("seq"))
        for row in rows[:solved]:
            services.update_finding(finding=row, actor=who, status="solved")
        for row in rows[solved : solved + in_progress]:
            services.update_finding(finding=row, actor=who, status="in_progress")
    services.request_resource(
        inspection=b, actor=cast.ops, kind="budget", what="显示屏采购预算", department="IT"
    )

    page = tablet_page
    login(page, live_server, "lead")
    page.goto(f"{live_server.url}/inspections/board/")
    cards = page.get_by_test_id("board-card")
    assert cards.count() == 3
    assert [cards.nth(i).get_attribute("data-store") for i in range(3)] == [
        "NB001",
        "HZ001",
        "GZ001",
    ]  # ranked by score
    risks = {
        cards.nth(i).get_attribute("data-store"): cards.nth(i).get_attribute("data-risk")
        for i in range(3)
    }
    assert risks == {"HZ001": "green", "NB001": "yellow", "GZ001": "red"}
    completion = {
        cards.nth(i).get_attribute("data-store"): cards.nth(i)
        .get_by_test_id("completion")
        .inner_text()
        for i in range(3)
    }
    assert completion == {"HZ001": "67%", "NB001": "90%", "GZ001": "33%"}
    assert page.get_by_test_id("count-red").inner_text() == "1"
    _fits(page)
    _shot(screenshot, page, "board")

    # The region filter narrows the board (the select submits itself).
    with page.expect_navigation():
        page.select_option("select[name=region]", "SOUTH")
    assert page.get_by_test_id("board-card").count() == 1
    _fits(page)
    assert problems(page) == []
