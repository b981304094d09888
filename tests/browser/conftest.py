"""Browser tests: a real headless Chromium (Debian's, not Playwright's download) driven by
Playwright's sync API against pytest-django's ``live_server``.

Fixtures: ``browser`` (session), ``phone_page`` (390×844, touch, 2×), ``desktop_page``
(1366×800), ``projector_page`` (1920×1080), ``screenshot`` (saves
``test-artifacts/screenshots/<test>[-<suffix>].png``) and ``login(page, live_server, …)``.
Every page records console errors, uncaught exceptions and CSP violations; the
``problems`` fixture returns them: a test asserts ``problems(page) == []`` at the end.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in the main thread; Django's ORM calls made by
# the test code (factories, refresh_from_db) would otherwise refuse to run next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CLOSEDLOOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"
DEFAULT_PASSWORD = "pw-Secret-123"  # tests/factories.py UserFactory

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 800}}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

# Runs in every document before the page's own scripts; reports CSP violations to Python.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__clReportCsp({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample,
    source: e.sourceFile, line: e.lineNumber, page: document.location.href
  });
});
"""


def _browser_required():
    return os.environ.get("CLOSEDLOOP_REQUIRE_BROWSER") == "1" or (
        os.environ.get("CI", "").lower() == "true"
    )


@pytest.fixture(scope="session")
def browser():
    reason = None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - dev dependency missing
            reason = "the playwright package is not installed (pip install -e '.[dev]')"
    if reason:
        if _browser_required():
            pytest.fail(f"browser tests required (CLOSEDLOOP_REQUIRE_BROWSER/CI) but {reason}")
        pytest.skip(reason)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


_PROBLEMS = {}


def problems(page):
    """Console errors, uncaught exceptions and CSP violations seen by ``page`` so far."""
    return list(_PROBLEMS.get(page, []))


def _new_page(browser, **options):
    # Reduced motion: Bootstrap then skips its collapse/fade transitions, so screenshots
    # and visibility checks never catch a menu half-open.
    context = browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", reduced_motion="reduce", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    seen = _PROBLEMS.setdefault(page, [])
    context.expose_function("__clReportCsp", lambda v: seen.append(f"CSP violation: {v}"))
    context.add_init_script(_CSP_LISTENER)
    page.on(
        "console",
        lambda msg: (
            seen.append(f"console.{msg.type}: {msg.text}")
            if msg.type in ("error", "assert")
            else None
        ),
    )
    page.on("pageerror", lambda exc: seen.append(f"uncaught: {exc}"))
    return context, page


@pytest.fixture
def _page_factory(browser, request):
    opened = []

    def make(**options):
        context, page = _new_page(browser, **options)
        opened.append((context, page))
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    for index, (context, page) in enumerate(opened):
        if failed is not None and failed.failed:
            _save(page, request.node.name, f"failed-{index}")
        _PROBLEMS.pop(page, None)
        context.close()


@pytest.fixture
def phone_page(_page_factory):
    return _page_factory(**PHONE)


@pytest.fixture
def desktop_page(_page_factory):
    return _page_factory(**DESKTOP)


@pytest.fixture
def projector_page(_page_factory):
    return _page_factory(**PROJECTOR)


def _save(page, test_name, suffix=""):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", test_name)
    if suffix:
        name = f"{name}-{suffix}"
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot(request):
    """``screenshot(page, "suffix")`` → ``test-artifacts/screenshots/<test>-<suffix>.png``."""

    def take(page, suffix=""):
        return _save(page, request.node.name, suffix)

    return take


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


def _login(page, live_server, username, password=DEFAULT_PASSWORD):
    """Sign in through the real login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def login():
    """``login(page, live_server, username, password=DEFAULT_PASSWORD)``."""
    return _login


@pytest.fixture(name="problems")
def problems_fixture():
    """``problems(page)``: console errors, uncaught exceptions and CSP violations so far."""
    return problems
