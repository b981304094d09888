"""On a phone the menu is folded away: an unread notification (the department asked the
store for more) still shows as a bell with its count next to the menu button."""

import pytest
from django.db import transaction

from issues import services
from tests.factories import new_issue, to_in_progress

pytestmark = pytest.mark.browser


def test_unread_bell_stays_visible_on_a_phone(
    phone_page, live_server, cast, login, screenshot, problems
):
    page = login(phone_page, live_server, "manager")
    assert page.get_by_test_id("phone-bell").count() == 0  # nothing unread yet

    with transaction.atomic():
        issue = to_in_progress(cast, new_issue(cast))
        services.ask_store(issue=issue, actor=cast.head, question="请补充出错时的截图")

    page.goto(f"{live_server.url}/")
    bell = page.get_by_test_id("phone-bell")
    assert bell.is_visible()
    assert bell.locator(".badge").inner_text() == "1"
    screenshot(page, "bell")
    bell.click()
    page.wait_for_url("**/notifications/**")
    assert "请补充问题信息" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems(page) == []
