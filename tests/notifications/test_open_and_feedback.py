"""Opening a notification from the inbox marks it read and goes on to its page;
全部标为已读 says what it did — also when htmx swaps only the inbox."""

import pytest

from closedloop.notifications.models import Notification
from tests.factories import new_notification

pytestmark = pytest.mark.django_db


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(cast, client):
    note = new_notification(cast.head, url="/issues/ISS-2026-00001/")
    client.force_login(cast.head)
    html = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{note.pk}/open/"' in html
    response = client.get(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/issues/ISS-2026-00001/"
    assert Notification.objects.get(pk=note.pk).read_at is not None


def test_an_off_site_url_goes_back_to_the_inbox(cast, client):
    note = new_notification(cast.head, url="https://evil.example/")
    client.force_login(cast.head)
    response = client.get(f"/notifications/{note.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_another_persons_notification_is_not_found_and_stays_unread(cast, client):
    note = new_notification(cast.member, url="/issues/")
    client.force_login(cast.head)
    assert client.get(f"/notifications/{note.pk}/open/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None


def test_read_all_says_how_many(cast, client):
    for i in range(3):
        new_notification(cast.head, title=f"通知{i}")
    client.force_login(cast.head)
    response = client.post("/notifications/read-all/", follow=True)
    assert "已将 3 条通知标为已读。" in response.content.decode()


def test_read_all_feedback_is_inside_the_part_htmx_swaps(cast, client):
    new_notification(cast.head)
    client.force_login(cast.head)
    client.post("/notifications/read-all/", headers={"hx-request": "true"})
    html = client.get("/notifications/", headers={"hx-request": "true"}).content.decode()
    inbox = html[html.index('id="inbox"') :]
    assert 'data-testid="messages"' in inbox and "已将 1 条通知标为已读。" in inbox
    assert html.count('data-testid="messages"') == 1
