"""Every page gate answers with one 403 page in the app's layout: the reason, and a way
back (the referring page of this site, or home) — also for a ``PermissionDenied`` raised
anywhere. ``safe_next`` follows only targets on this site."""

import pytest
from django.test import RequestFactory

from closedloop.web import safe_next

pytestmark = pytest.mark.django_db


def test_a_gated_page_shows_the_reason_and_a_way_home(cast, client):
    client.force_login(cast.manager)
    response = client.get("/org/import/")
    assert response.status_code == 403
    assert [t.name for t in response.templates][0] == "403.html"
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and "只有服务质量负责人可以导入组织数据。" in html
    assert 'href="/"' in html  # 返回首页
    assert "返回上一页" not in html  # no referring page
    assert 'data-testid="nav-items"' in html  # the app's layout, with the navigation


def test_the_way_back_is_the_referring_page_of_this_site_only(cast, client):
    client.force_login(cast.manager)
    back = client.get("/org/import/", headers={"referer": "http://testserver/org/stores/"})
    assert 'href="http://testserver/org/stores/"' in back.content.decode()
    assert "返回上一页" in back.content.decode()
    elsewhere = client.get("/org/import/", headers={"referer": "https://evil.example/x"})
    assert "evil.example" not in elsewhere.content.decode()
    assert "返回上一页" not in elsewhere.content.decode()


def test_a_raised_permission_denied_gets_the_same_page(cast, client):
    """The admin raises ``PermissionDenied`` for the quality lead on groups (handler403)."""
    client.force_login(cast.lead)
    cast.lead.is_staff = True
    cast.lead.save()
    response = client.get("/admin/auth/group/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="forbidden"' in html and 'data-testid="forbidden-way-back"' in html


def test_the_page_follows_the_interface_language(cast, client):
    cast.manager.language = "en"
    cast.manager.save()
    client.force_login(cast.manager)
    client.get("/")  # the language middleware activates the person's language
    html = client.get("/org/import/").content.decode()
    assert "Access denied" in html and "Back to home" in html


@pytest.mark.parametrize(
    ("target", "secure", "expected"),
    [
        ("/issues/?view=mine", False, "/issues/?view=mine"),
        ("http://testserver/org/stores/", False, "http://testserver/org/stores/"),
        ("https://evil.example/", False, None),
        ("//evil.example/", False, None),
        ("http://testserver/org/stores/", True, None),  # no downgrade from https
        ("", False, None),
    ],
)
def test_safe_next_only_follows_this_site(target, secure, expected):
    factory = RequestFactory()
    get = factory.get("/x", {"next": target}, secure=secure)
    post = factory.post("/x", {"next": target}, secure=secure)
    assert safe_next(get) == expected
    assert safe_next(post) == expected
    assert safe_next(get, default="/") == (expected or "/")
