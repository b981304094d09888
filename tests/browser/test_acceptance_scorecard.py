"""The ops specialist scores an acceptance on a laptop (1366 × 768): as the goal's actual
value is typed, the hint below it shows the achievement rate, the band and the allowed
scores (computed on the server by the scorecard's pure functions, through htmx); the
total, rating and suggested conclusion follow; the saved scorecard shows on the project
page. Screenshots are saved for a human to look at."""

import os

import pytest

from rectification.models import Acceptance
from tests.rectification.acceptance_helpers import pending

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def test_scoring_with_live_band_hints(
    cast, live_server, _page_factory, login, screenshot, problems
):
    project = pending(cast)
    wait = project.goals.get(order=1)
    page = _page_factory(**LAPTOP)
    login(page, live_server, "ops")
    page.goto(f"{live_server.url}/rectification/{project.number}/acceptance/")
    hint = page.locator(f"[data-testid=goal-hint-{wait.pk}]")
    assert "填写实际值后" in hint.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Typing 31 min (47 → 30): 94.1 %, 完全达成, 24–28 for the only core goal.
    actual = page.locator(f"[data-testid=actual-{wait.pk}]")
    actual.click()
    actual.press_sequentially("31", delay=60)
    hint.locator("[data-testid=rate]", has_text="94.1%").wait_for()
    assert "完全达成" in hint.inner_text() and "24–28" in hint.inner_text()
    screenshot(page, "met")

    # Typing 28 instead: over 110 % → 超额完成, 30–40.
    actual.fill("")
    actual.press_sequentially("28", delay=60)
    hint.locator("[data-testid=rate]", has_text="111.8%").wait_for()
    assert "超额完成" in hint.inner_text() and "30–40" in hint.inner_text()

    # A score outside the band is flagged at once.
    page.fill(f"[data-testid=goal-score-{wait.pk}]", "20")
    page.locator(f"[data-testid=goal-hint-{wait.pk}] [data-testid=out-of-band]").wait_for()
    page.fill(f"[data-testid=goal-score-{wait.pk}]", "32")
    page.locator(f"[data-testid=goal-hint-{wait.pk}] [data-testid=out-of-band]").wait_for(
        state="detached"
    )

    for name, value in (
        ("score-documents", "10"),
        ("score-mastery", "9"),
        ("score-execution", "10"),
        ("satisfaction-value", "84"),
        ("satisfaction-score", "8"),
        ("positive", "4"),
        ("neutral", "1"),
        ("negative", "0"),
        ("interviews-score", "10"),
        ("sustainability", "9"),
    ):
        page.fill(f"[data-testid={name}]", value)
    page.locator("[data-testid=total]", has_text="88").wait_for()
    assert page.inner_text("[data-testid=rating]").strip() == "良好"
    assert "通过验收" in page.inner_text("[data-testid=suggested]")
    assert "良好" in page.inner_text("[data-testid=sat-hint]")
    assert "80%" in page.inner_text("[data-testid=int-hint]")
    # The total stays in view next to the form on a laptop screen.
    box = page.locator("[data-testid=summary]").bounding_box()
    assert box["x"] > 900 and box["y"] + box["height"] < 768
    screenshot(page, "filled")

    page.click("[data-testid=save-acceptance]")
    page.wait_for_url(f"{live_server.url}/rectification/{project.number}/#acceptances")
    acceptance = Acceptance.objects.get()
    assert (acceptance.total, acceptance.rating, acceptance.conclusion) == (88, "good", "pass")
    panel = page.locator("[data-testid=acceptance-panel]")
    assert "88" in panel.inner_text() and "良好" in panel.inner_text()
    screenshot(page, "project")
    assert problems(page) == []
