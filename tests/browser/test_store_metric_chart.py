"""The store page draws its metric charts in a real browser, under the strict CSP (no
inline script), on a phone as on a desktop, without console errors."""

import datetime as dt

import pytest
from django.utils import timezone

from integrations.services import metrics
from tests.integrations.conftest import seed_integrations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_fixture", ["phone_page", "desktop_page"])
def test_the_store_page_draws_the_metric_charts(
    request, page_fixture, live_server, cast, login, screenshot, problems
):
    seed_integrations()
    today = timezone.localdate()
    metrics.record_readings(
        actor=cast.lead,
        rows=[
            {
                "store": "HZ001",
                "metric": metric,
                "date": (today - dt.timedelta(days=d)).isoformat(),
                "value": value + d % 4,
            }
            for metric, value in (("waiting_minutes", 30), ("nps", 60))
            for d in range(1, 31)
        ],
    )
    page = login(request.getfixturevalue(page_fixture), live_server, "manager")
    page.goto(f"{live_server.url}/org/stores/HZ001/")
    charts = page.get_by_test_id("metric-chart")
    assert charts.count() == 2
    for n in range(2):
        chart = charts.nth(n)
        chart.locator("svg").first.wait_for()
        assert chart.bounding_box()["height"] > 100
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, "store-metrics")
    assert problems(page) == []
