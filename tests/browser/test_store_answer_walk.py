"""Real Chromium, on a phone (390×844) and a laptop (1366×768): the department asks the
store a question; the store manager answers it with 回复 (the question and the answer
form lead the page); the issue is back in 处理中 and the department resolves it. Then a
department head's 我负责的 with a freshly routed P1 at the top. Screenshots under
``test-artifacts/screenshots/``."""

import os

import pytest

from issues import services
from issues.models import Issue
from tests.factories import new_issue, to_in_progress, to_triaged

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("media_root")]

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def laptop_page(_page_factory):
    return _page_factory(**LAPTOP)


def _switch_user(page, live_server, login, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def _waiting_issue(cast):
    issue = to_in_progress(cast, new_issue(cast, title="DMS 工单打印很慢"))
    for i in range(4):
        services.comment(issue=issue, actor=cast.head, body=f"排查记录 {i + 1}：已检查打印服务")
    return services.ask_store(
        issue=issue, actor=cast.head, question="请拍一张打印报错界面的照片，并说明是哪台打印机。"
    )


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_the_store_answers_with_reply_and_the_department_resolves(
    device, cast, live_server, phone_page, laptop_page, login, screenshot, problems
):
    page = phone_page if device == "phone" else laptop_page
    issue = _waiting_issue(cast)
    url = f"{live_server.url}{issue.get_absolute_url()}"

    login(page, live_server, "manager")
    page.goto(url)
    question = page.locator("[data-testid=open-question]")
    # The question is in the first screen, not 2 000 px down.
    assert question.bounding_box()["y"] < page.viewport_size["height"]
    assert "打印报错界面" in question.inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"{device}-question")

    # The store manager uses 回复 (not 补充信息): it is the store's answer all the same.
    page.locator("[data-testid=action-comment] summary").click()
    page.fill("textarea[name=comment-body]", "是前台 2 号打印机，报错照片稍后补拍。")
    page.click("[data-testid=submit-comment]")
    page.wait_for_url(url)
    assert page.locator("[data-testid=open-question]").count() == 0
    assert "处理中" in page.inner_text(".issue-badges")
    screenshot(page, f"{device}-answered")
    assert Issue.objects.get(pk=issue.pk).status == "in_progress"

    # The head was told and resolves.
    _switch_user(page, live_server, login, "head")
    page.goto(url)
    page.locator("[data-testid=action-resolve] summary").click()
    page.fill("textarea[name=resolve-resolution]", "已更换 2 号打印机驱动，打印恢复正常。")
    page.click("[data-testid=submit-resolve]")
    page.wait_for_url(url)
    assert "已解决" in page.inner_text(".issue-badges")
    screenshot(page, f"{device}-resolved")
    assert Issue.objects.get(pk=issue.pk).status == "resolved"
    assert problems(page) == []


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_a_heads_work_queue_has_the_fresh_p1_on_top(
    device, cast, live_server, phone_page, laptop_page, login, screenshot, problems
):
    page = phone_page if device == "phone" else laptop_page
    # Older work of the department: in progress, P2 and P3, and a closed P0.
    for title, priority in (("门店 Wi-Fi 经常掉线", "P2"), ("报表导出格式错乱", "P3")):
        older = to_in_progress(cast, new_issue(cast, title=title))
        services.change_priority(issue=older, actor=cast.ops, priority=priority, reason="评估")
    closed = to_in_progress(cast, new_issue(cast, title="全国 DMS 宕机", impact_scope="national"))
    closed = services.resolve(issue=closed, actor=cast.head, resolution="已恢复")
    services.confirm(issue=closed, actor=cast.manager, rating=5)
    fresh = to_triaged(cast, new_issue(cast, title="多店无法开具电子发票", impact_scope="region"))

    login(page, live_server, "head")
    if device == "phone":
        page.click(".navbar-toggler")
    page.locator("#mainnav").get_by_role("link", name="我负责的").click()
    page.wait_for_url(f"{live_server.url}/issues/mine/")
    assert page.locator("h1").inner_text().strip() == "我负责的"
    rows = page.locator("[data-testid=issue-row]")
    assert rows.first.get_attribute("data-number") == fresh.number
    assert rows.count() == 3  # open work only: the closed P0 is behind 含已结束
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    screenshot(page, f"{device}-mine")
    assert problems(page) == []
