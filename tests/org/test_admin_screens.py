"""The admin looks like the app's (Chinese header and title, the app's favicon, user
names as written), and the quality lead — to whom the login page sends locked-out people
— has the lockout screen and can unlock an account."""

from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.staticfiles import finders

from closedloop.org.services import upsert_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(org):
    user, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    return user


def test_the_admin_is_branded(lead, client):
    client.force_login(lead)
    html = client.get("/admin/").content.decode()
    assert "售后问题闭环 · 后台管理" in html and "<title>配置与账号 | 闭环后台</title>" in html
    assert "Django" not in html.split("<body")[1].split("</header>")[0]
    assert 'rel="icon" href="/static/img/favicon.svg"' in html
    assert finders.find("img/favicon.svg")
    assert 'href="/static/css/admin.css"' in html
    css = Path(finders.find("css/admin.css")).read_text(encoding="utf-8")
    assert "#user-tools" in css and "text-transform: none" in css


def test_the_lead_unlocks_a_locked_out_account(lead, cast, client):
    attempt = AccessAttempt.objects.create(
        username=cast.manager.username,
        ip_address="10.0.0.7",
        user_agent="phone",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    client.force_login(lead)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and cast.manager.username in listing.content.decode()
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_other_roles_have_no_admin(cast, client):
    client.force_login(cast.ops)
    assert client.get("/admin/axes/accessattempt/").status_code == 302  # to the admin login
