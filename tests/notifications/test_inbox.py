"""The in-app inbox: the navbar bell with the unread count on every page, the inbox list
(own rows only, unread first, paginated, pinned query count), mark read / all read, and the
channel preferences page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from closedloop.notifications.choices import Level
from closedloop.notifications.models import Notification, Preference
from tests.factories import new_notification

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'data-testid="unread-count">([^<]+)<')


def badge(response) -> str | None:
    match = BADGE.search(response.content.decode())
    return match.group(1) if match else None


def titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'data-testid="notification-title">([^<]+)<', html)


# --- the bell ---------------------------------------------------------------------------


def test_bell_shows_my_unread_count_on_every_page(client, cast):
    new_notification(cast.head, "一")
    new_notification(cast.head, "二")
    new_notification(cast.head, "三", read=True)
    new_notification(cast.member, "别人的")
    client.force_login(cast.head)
    for url in ("/", "/org/stores/", "/notifications/preferences/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'data-testid="notification-bell"' in response.content.decode(), url
        assert badge(response) == "2", url


def test_bell_without_unread_has_no_badge_and_caps_at_99(client, cast):
    client.force_login(cast.head)
    response = client.get("/")
    assert 'data-testid="notification-bell"' in response.content.decode()
    assert badge(response) is None

    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(recipient=cast.head, kind="k", title=f"n{i}", created_at=now)
        for i in range(120)
    )
    assert badge(client.get("/")) == "99+"


def test_bell_costs_one_query(client, cast):
    new_notification(cast.head)
    client.force_login(cast.head)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert badge(response) == "1"
    counting = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
    assert len(counting) == 1, counting
    assert "COUNT(*)" in counting[0]


def test_anonymous_pages_have_no_bell(client, db):
    response = client.get("/accounts/login/")
    assert 'data-testid="notification-bell"' not in response.content.decode()


# --- the inbox ----------------------------------------------------------------------------


def test_inbox_requires_login(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_inbox_lists_only_mine_unread_first_then_newest(client, cast):
    new_notification(cast.head, "旧的已读", minutes_ago=50, read=True)
    new_notification(cast.head, "新的已读", minutes_ago=1, read=True)
    new_notification(cast.head, "旧的未读", minutes_ago=60)
    new_notification(cast.head, "新的未读", minutes_ago=10)
    new_notification(cast.member, "别人的通知")
    client.force_login(cast.head)

    response = client.get("/notifications/")

    assert response.status_code == 200
    assert titles(response) == ["新的未读", "旧的未读", "新的已读", "旧的已读"]
    assert "别人的通知" not in response.content.decode()


def test_inbox_item_shows_level_badge_body_and_links_to_the_object(client, cast):
    note = new_notification(
        cast.head,
        "ISS-2025-00012 响应已超时",
        level=Level.DANGER,
        body="杭州XX 4S店 · 空调不制冷",
        object_type="issue",
        object_ref="ISS-2025-00012",
        url="/issues/ISS-2025-00012/",
    )
    client.force_login(cast.head)
    html = client.get("/notifications/").content.decode()
    item = html[html.index('data-testid="notification"') :]
    assert re.search(r'class="badge text-bg-danger[^"]*" data-testid="level">严重<', item)
    assert f'href="/notifications/{note.pk}/open/"' in item  # on to the issue, read
    assert "杭州XX 4S店 · 空调不制冷" in item
    assert "ISS-2025-00012" in item


def test_inbox_filters_unread_and_read(client, cast):
    new_notification(cast.head, "未读一条")
    new_notification(cast.head, "已读一条", read=True)
    client.force_login(cast.head)
    assert titles(client.get("/notifications/?read=false")) == ["未读一条"]
    assert titles(client.get("/notifications/?read=true")) == ["已读一条"]
    assert sorted(titles(client.get("/notifications/"))) == ["已读一条", "未读一条"]


def test_inbox_is_paginated(client, cast):
    for i in range(25):
        new_notification(cast.head, f"第{i:02d}条", minutes_ago=i)
    client.force_login(cast.head)
    first = client.get("/notifications/")
    assert len(titles(first)) == 20
    assert titles(first)[0] == "第00条"
    assert 'data-testid="page-number">1 / 2<' in first.content.decode()
    second = client.get("/notifications/?page=2")
    assert titles(second) == [f"第{i:02d}条" for i in range(20, 25)]


def test_inbox_query_count_does_not_grow_with_rows(client, cast, django_assert_max_num_queries):
    for i in range(40):
        new_notification(
            cast.head, f"n{i}", minutes_ago=i, read=i % 3 == 0, object_ref=f"ISS-2025-{i:05d}"
        )
    client.force_login(cast.head)
    # session, user, bell count, page count, page rows
    with django_assert_max_num_queries(5):
        response = client.get("/notifications/")
    assert len(titles(response)) == 20


def test_inbox_empty_state(client, cast):
    client.force_login(cast.head)
    response = client.get("/notifications/")
    assert 'data-testid="empty-state"' in response.content.decode()


# --- mark read ------------------------------------------------------------------------------


def test_mark_one_read_redirects_back_and_updates_the_bell(client, cast):
    mine = new_notification(cast.head, "要读的")
    other = new_notification(cast.head, "另一条")
    client.force_login(cast.head)

    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "/notifications/?page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None
    assert badge(client.get("/notifications/")) == "1"


def test_mark_read_ignores_an_offsite_next(client, cast):
    n = new_notification(cast.head)
    client.force_login(cast.head)
    response = client.post(f"/notifications/{n.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_read_of_someone_elses_notification_is_404(client, cast):
    theirs = new_notification(cast.member, "别人的")
    client.force_login(cast.head)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post(client, cast):
    n = new_notification(cast.head)
    client.force_login(cast.head)
    assert client.get(f"/notifications/{n.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_marks_only_mine(client, cast):
    a, b = new_notification(cast.head, "a"), new_notification(cast.head, "b")
    theirs = new_notification(cast.member, "c")
    client.force_login(cast.head)

    response = client.post("/notifications/read-all/", follow=True)

    assert response.redirect_chain[-1] == ("/notifications/", 302)
    assert Notification.objects.filter(pk__in=[a.pk, b.pk], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert badge(response) is None
    assert 'data-testid="read-all-form"' not in response.content.decode()


def test_inbox_forms_work_without_js_and_are_htmx_enhanced(client, cast):
    n = new_notification(cast.head)
    client.force_login(cast.head)
    html = client.get("/notifications/").content.decode()
    # Plain forms (no JS) …
    assert f'method="post" action="/notifications/{n.pk}/read/"' in html
    assert 'method="post" action="/notifications/read-all/"' in html
    # … that htmx posts, swapping the list and the bell out of band.
    assert f'hx-post="/notifications/{n.pk}/read/"' in html
    assert 'hx-select="#inbox"' in html and 'hx-select-oob="#nav-bell"' in html
    assert 'id="nav-bell"' in html
    # No inline scripts or handlers (CSP script-src 'self').
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_htmx_mark_read_gets_the_refreshed_inbox(client, cast):
    n = new_notification(cast.head, "要读的")
    client.force_login(cast.head)
    response = client.post(
        f"/notifications/{n.pk}/read/",
        {"next": "/notifications/"},
        headers={"HX-Request": "true"},
        follow=True,
    )
    html = response.content.decode()
    assert 'id="inbox"' in html
    assert re.search(rf'id="notification-{n.pk}"[^>]*data-read="true"', html)
    assert badge(response) is None


# --- preferences -------------------------------------------------------------------------------


def test_preferences_page_shows_defaults(client, cast):
    client.force_login(cast.head)
    response = client.get("/notifications/preferences/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["email"].value() is True
    assert form["daily_digest"].value() is False


def test_preferences_are_saved(client, cast):
    client.force_login(cast.head)
    response = client.post("/notifications/preferences/", {"email": "on", "daily_digest": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/preferences/"
    pref = Preference.objects.get(user=cast.head)
    assert (pref.email, pref.daily_digest) == (True, True)

    # Unticking both (a browser sends neither field) switches both off.
    client.post("/notifications/preferences/", {})
    pref.refresh_from_db()
    assert (pref.email, pref.daily_digest) == (False, False)
    assert Preference.objects.filter(user=cast.head).count() == 1


def test_preferences_warn_when_there_is_no_email_address(client, cast):
    cast.head.email = ""
    cast.head.save()
    client.force_login(cast.head)
    assert 'data-testid="no-email"' in client.get("/notifications/preferences/").content.decode()
