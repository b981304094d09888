"""Signing in and out, changing the password and the interface language, the lock-out
after repeated wrong passwords, and the navigation each role gets."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import translation

from closedloop.org.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Secret-123"  # tests/factories.py
NEW_PASSWORD = "Fresh-Pass-2026!"


@pytest.fixture(autouse=True)
def _restore_language():
    """Requests by a user who chose English leave English active in this thread."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_login_page_renders_the_form(db, client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_login_redirects_home_and_signs_in(cast, client):
    response = sign_in(client, "manager")
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["user"] == cast.manager


def test_login_follows_a_safe_next_only(cast, client):
    assert sign_in(client, "manager", next="/org/stores/")["Location"] == "/org/stores/"
    client.post("/accounts/logout/")
    assert sign_in(client, "manager", next="https://evil.example/")["Location"] == "/"


def test_wrong_password_stays_on_login_page(cast, client):
    response = sign_in(client, "manager", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/").status_code == 302


def test_pages_need_login(db, client):
    response = client.get("/org/stores/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/org/stores/"


def test_logout_is_post_only(cast, client):
    client.force_login(cast.manager)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200  # still signed in
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_password_change(cast, client):
    client.force_login(cast.manager)
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    cast.manager.refresh_from_db()
    assert cast.manager.check_password(NEW_PASSWORD)
    # The session survives the change; the new password signs in, the old one not.
    assert client.get("/accounts/password/done/").status_code == 200
    client.post("/accounts/logout/")
    assert sign_in(client, "manager", PASSWORD).status_code == 200
    assert sign_in(client, "manager", NEW_PASSWORD).status_code == 302


def test_password_change_rejects_weak_or_wrong_old_password(cast, client):
    client.force_login(cast.manager)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    wrong_old = client.post(
        "/accounts/password/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong_old.status_code == 200 and "old_password" in wrong_old.context["form"].errors
    cast.manager.refresh_from_db()
    assert cast.manager.check_password(PASSWORD)


def test_language_switch_is_remembered_and_served(cast, client):
    client.force_login(cast.manager)
    assert 'lang="zh-hans"' in client.get("/").content.decode()
    response = client.post("/org/language/", {"language": "en", "next": "/org/stores/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/stores/"
    assert User.objects.get(pk=cast.manager.pk).language == "en"
    page = client.get("/org/stores/")
    assert 'lang="en"' in page.content.decode()
    assert page["Content-Language"] == "en"
    # The choice belongs to the user, not the browser: a new session gets it too.
    other = type(client)()
    other.force_login(cast.manager)
    assert 'lang="en"' in other.get("/").content.decode()
    # And back.
    client.post("/org/language/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/").content.decode()


def test_language_switch_rejects_unknown_language_and_foreign_next(cast, client):
    client.force_login(cast.manager)
    response = client.post("/org/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert User.objects.get(pk=cast.manager.pk).language == "zh-hans"
    assert client.get("/org/language/").status_code == 405


def test_wrong_passwords_lock_the_account(cast, client):
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5
    for _attempt in range(limit - 1):
        assert sign_in(client, "manager", "wrong-password").status_code == 200
    locked = sign_in(client, "manager", "wrong-password")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused now.
    again = sign_in(client, "manager")
    assert again.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in again.templates]
    assert client.get("/").status_code == 302
    assert AccessAttempt.objects.filter(username="manager").exists()
    # Another account from the same address is not locked (lock-out by user and IP).
    assert sign_in(client, "neighbour").status_code == 302


IMPORT_LINK = 'href="/org/import/"'


def test_nav_shows_org_import_to_the_quality_lead(cast, client):
    client.force_login(cast.lead)
    html = client.get("/").content.decode()
    assert IMPORT_LINK in html
    assert "组织导入" in html


@pytest.mark.parametrize("who", ["manager", "ops", "director", "head", "member", "executive"])
def test_nav_hides_org_import_from_other_roles(cast, client, who):
    client.force_login(getattr(cast, who))
    html = client.get("/").content.decode()
    assert IMPORT_LINK not in html
    assert "组织导入" not in html
