"""The shell of every page in a real browser: a store manager's phone, a laptop and the
meeting-room projector; the language switch; and no Content-Security-Policy violation."""

import pytest

pytestmark = pytest.mark.browser


def open_menu(page):
    """Unfold the phone navigation and wait until it is fully open."""
    page.locator(".navbar-toggler").click()
    page.locator("#mainnav.collapse.show").wait_for()


def overflow(page):
    """CSS pixels by which the document is wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"]


def test_login_page_fits_a_phone(phone_page, live_server, cast, screenshot, problems):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", name="登录").is_visible()
    assert overflow(page) <= 0
    # Thumb-sized fields and button.
    for selector in ("input[name=username]", "input[name=password]", "button[type=submit]"):
        box = page.locator(selector).bounding_box()
        assert box["height"] >= 44, selector
        assert box["width"] >= 300, selector
    screenshot(page, "empty")

    page.fill("input[name=username]", "manager")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.get_by_test_id("form-errors").is_visible()
    assert overflow(page) <= 0
    screenshot(page, "error")
    assert problems(page) == []


def test_store_manager_on_a_phone(phone_page, live_server, cast, login, screenshot, problems):
    page = login(phone_page, live_server, "manager")
    assert overflow(page) <= 0

    # The navigation is folded behind the toggler…
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    stores_link = page.locator("#mainnav").get_by_role("link", name="门店", exact=True)
    assert not stores_link.is_visible()
    # …and the home page still tells the manager what matters.
    assert page.get_by_test_id("store-count").inner_text() == "1"
    assert page.get_by_test_id("my-store").is_visible()
    assert "杭州XX 4S店" in page.get_by_test_id("my-store").inner_text()
    screenshot(page, "home")

    open_menu(page)
    assert stores_link.is_visible()
    assert toggler.get_attribute("aria-expanded") == "true"
    # Store managers do not get the organisation import.
    assert page.locator("#mainnav").get_by_role("link", name="组织导入", exact=True).count() == 0
    assert overflow(page) <= 0
    screenshot(page, "menu")

    page.get_by_test_id("user-menu").click()
    menu = page.locator(".cl-user-menu")
    menu.wait_for(state="visible")
    assert page.get_by_test_id("current-role").inner_text() == "店长"
    assert menu.get_by_role("link", name="修改密码", exact=True).is_visible()
    assert page.get_by_test_id("logout").is_visible()
    screenshot(page, "user-menu")

    stores_link.click()
    page.wait_for_url(f"{live_server.url}/org/stores/")
    assert page.get_by_test_id("store-total").inner_text() == "1"
    assert overflow(page) <= 0
    screenshot(page, "stores")
    assert problems(page) == []


PAGES = [
    "/",
    "/org/stores/",
    "/org/stores/HZ001/",
    "/org/stores/?search=none",
    "/accounts/password/",
]


def test_pages_fit_a_phone(phone_page, live_server, cast, login, problems):
    page = login(phone_page, live_server, "ops")
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").first.is_visible(), path
        assert overflow(page) <= 0, path
    assert problems(page) == []


def test_quality_lead_on_the_projector(
    projector_page, live_server, cast, login, screenshot, problems
):
    page = login(projector_page, live_server, "lead")
    assert overflow(page) <= 0
    # Wide screen: no toggler, every entry of the role in the bar.
    assert not page.locator(".navbar-toggler").is_visible()
    nav = page.get_by_test_id("nav-items")
    assert nav.get_by_role("link", name="首页", exact=True).is_visible()
    # The lead's many entries fold into groups; 管理 opens on the stores and the import.
    nav.get_by_role("button", name="管理").click()
    for label in ("门店", "组织导入"):
        assert nav.get_by_role("link", name=label, exact=True).is_visible(), label
    page.keyboard.press("Escape")
    assert page.get_by_test_id("store-count").inner_text() == "3"
    # Readable from the back of the room.
    font_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert font_size >= 18
    screenshot(page, "home")

    page.goto(f"{live_server.url}/org/stores/")
    assert page.locator("table tbody tr").count() == 3
    assert overflow(page) <= 0
    screenshot(page, "stores")
    assert problems(page) == []


def test_a_long_navigation_stays_on_one_row(desktop_page, live_server, cast, login, problems):
    """More entries than fit (English labels, a 1366 px laptop): the bar keeps one row and the
    user menu stays on screen; the entries scroll sideways instead."""
    cast.lead.language = "en"
    cast.lead.save(update_fields=["language"])
    page = login(desktop_page, live_server, "lead")
    page.evaluate(
        """() => {
        const ul = document.querySelector("[data-testid=nav-items]");
        for (let i = 0; i < 12; i++) {
            const li = document.createElement("li");
            li.className = "nav-item";
            li.innerHTML = '<a class="nav-link" href="#"><i class="bi bi-list"></i> Weekly meeting</a>';
            ul.append(li);
        }
    }"""
    )
    assert page.locator("nav.navbar").bounding_box()["height"] < 80
    menu = page.get_by_test_id("user-menu").bounding_box()
    assert menu["x"] + menu["width"] <= 1366
    assert overflow(page) <= 0
    assert problems(page) == []


def test_desktop_user_menu_and_logout(desktop_page, live_server, cast, login, problems):
    page = login(desktop_page, live_server, "head")
    assert not page.locator(".navbar-toggler").is_visible()
    assert page.get_by_test_id("current-user").is_visible()
    page.get_by_test_id("user-menu").click()
    assert page.get_by_test_id("current-role").inner_text() == "部门负责人"
    page.get_by_test_id("logout").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert page.get_by_test_id("login-form").is_visible()
    assert problems(page) == []


def test_switch_to_english_in_the_user_menu(
    phone_page, live_server, cast, login, screenshot, problems
):
    page = login(phone_page, live_server, "manager")
    open_menu(page)
    page.get_by_test_id("user-menu").click()
    select = page.locator("#lang-select")
    select.wait_for(state="visible")
    assert select.input_value() == "zh-hans"

    # No inline handler: static/js/app.js submits the form on change (data-autosubmit).
    with page.expect_navigation():
        select.select_option("en")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")
    assert "Visible stores" in page.locator("main").inner_text()
    cast.manager.refresh_from_db()
    assert cast.manager.language == "en"

    open_menu(page)
    assert page.locator("#mainnav").get_by_role("link", name="Stores", exact=True).is_visible()
    page.get_by_test_id("user-menu").click()
    assert page.get_by_test_id("current-role").inner_text() == "Store manager"
    assert page.get_by_test_id("logout").inner_text().strip() == "Sign out"
    assert overflow(page) <= 0
    screenshot(page, "english")

    # The choice sticks across pages, and switching back works the same way.
    page.goto(f"{live_server.url}/org/stores/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Stores")
    open_menu(page)
    page.get_by_test_id("user-menu").click()
    with page.expect_navigation():
        page.locator("#lang-select").select_option("zh-hans")
    page.wait_for_url(f"{live_server.url}/org/stores/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("heading", level=1).inner_text().startswith("门店")
    assert problems(page) == []


def test_csp_violations_are_caught(desktop_page, live_server, cast, login, problems):
    """The detector the other tests rely on does see an inline handler being blocked."""
    page = login(desktop_page, live_server, "manager")
    assert problems(page) == []
    page.evaluate(
        """() => {
        const b = document.createElement("button");
        b.id = "inline"; b.textContent = "x"; b.setAttribute("onclick", "window.ran = 1");
        document.querySelector("main").append(b);
    }"""
    )
    page.click("#inline")
    page.wait_for_timeout(100)
    assert page.evaluate("window.ran") is None
    assert any("CSP violation" in p and "script-src" in p for p in problems(page))
