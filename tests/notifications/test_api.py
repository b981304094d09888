"""``/api/v1/notifications/``: the caller's own inbox only (another person's notification
is a 404), filtered by ``read``, paginated, and marked read one by one or all at once."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.core.management import call_command

from closedloop.notifications.choices import Level
from closedloop.notifications.models import Notification
from closedloop.notifications.services import Message, notify
from tests.factories import new_notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def test_list_is_the_callers_inbox_with_the_contract_fields(api, cast):
    notify(
        recipients=[cast.head, cast.member],
        message=Message(
            kind="sla_overdue",
            level=Level.DANGER,
            title="ISS-2025-00012 响应已超时",
            body="杭州XX 4S店 · 空调不制冷",
            object_type="issue",
            object_ref="ISS-2025-00012",
            url="/issues/ISS-2025-00012/",
            dedupe_key="sla:12:response:100",
        ),
    )
    new_notification(cast.member, "只给别人的")

    response = api.as_(cast.head).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    mine = Notification.objects.get(recipient=cast.head)
    assert item == {
        "id": mine.pk,
        "kind": "sla_overdue",
        "level": "danger",
        "title": "ISS-2025-00012 响应已超时",
        "body": "杭州XX 4S店 · 空调不制冷",
        "object": {
            "type": "issue",
            "ref": "ISS-2025-00012",
            "url": "http://testserver/issues/ISS-2025-00012/",
        },
        "created_at": item["created_at"],
        "read": False,
        "read_at": None,
    }
    assert dt.datetime.fromisoformat(item["created_at"]) == mine.created_at
    assert item["created_at"].endswith("+08:00")


def test_object_is_null_when_the_notification_is_about_nothing(api, cast):
    new_notification(cast.head, "周报已生成")
    [item] = api.as_(cast.head).get(URL).json()["results"]
    assert item["object"] is None


def test_list_is_newest_first_and_filters_by_read(api, cast):
    new_notification(cast.head, "旧未读", minutes_ago=30)
    new_notification(cast.head, "已读", minutes_ago=20, read=True)
    new_notification(cast.head, "新未读", minutes_ago=10)
    client = api.as_(cast.head)

    def titles(query=""):
        response = client.get(URL + query)
        assert response.status_code == 200
        return [n["title"] for n in response.json()["results"]]

    assert titles() == ["新未读", "已读", "旧未读"]
    assert titles("?read=false") == ["新未读", "旧未读"]
    assert titles("?read=true") == ["已读"]
    assert [n["read"] for n in client.get(URL + "?read=true").json()["results"]] == [True]


def test_unknown_read_value_is_ignored_never_a_500(api, cast):
    new_notification(cast.head, "未读")
    new_notification(cast.head, "已读", read=True)
    response = api.as_(cast.head).get(URL + "?read=maybe")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_list_is_paginated(api, cast):
    for i in range(7):
        new_notification(cast.head, f"n{i}", minutes_ago=i)
    body = api.as_(cast.head).get(URL + "?page_size=3&page=2").json()
    assert body["count"] == 7
    assert [n["title"] for n in body["results"]] == ["n3", "n4", "n5"]
    assert body["next"] and body["previous"]


def test_list_query_count_does_not_grow_with_rows(api, cast, django_assert_max_num_queries):
    for i in range(60):
        new_notification(
            cast.head, f"n{i}", minutes_ago=i, read=i % 2 == 0, object_ref=f"ISS-2025-{i:05d}"
        )
    client = api.as_(cast.head)
    with django_assert_max_num_queries(2):  # count, page
        response = client.get(URL + "?page_size=50")
    assert len(response.json()["results"]) == 50


def test_anonymous_is_401(api, db):
    assert api.get(URL).status_code == 401
    assert api.post(URL + "read-all/").status_code == 401


def test_mark_one_read(api, cast):
    n = new_notification(cast.head)
    other = new_notification(cast.head)
    response = api.as_(cast.head).post(f"{URL}{n.pk}/read/")
    assert response.status_code == 200
    assert response.json()["id"] == n.pk
    assert response.json()["read"] is True
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None and other.read_at is None

    # Again: still read, the first read time kept.
    first = n.read_at
    assert api.as_(cast.head).post(f"{URL}{n.pk}/read/").status_code == 200
    n.refresh_from_db()
    assert n.read_at == first


def test_someone_elses_notification_is_404(api, cast):
    theirs = new_notification(cast.member, "别人的")
    client = api.as_(cast.head)
    response = client.post(f"{URL}{theirs.pk}/read/")
    assert response.status_code == 404
    assert "detail" in response.json()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(f"{URL}999999/read/").status_code == 404
    assert client.post(f"{URL}abc/read/").status_code == 404


def test_read_only_roles_may_mark_their_own_inbox(api, cast):
    n = new_notification(cast.executive)
    assert api.as_(cast.executive).post(f"{URL}{n.pk}/read/").status_code == 200


def test_mark_all_read_touches_only_the_callers_unread(api, cast):
    new_notification(cast.head, "a")
    new_notification(cast.head, "b")
    new_notification(cast.head, "c", read=True)
    theirs = new_notification(cast.member, "d")

    response = api.as_(cast.head).post(URL + "read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=cast.head, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert api.as_(cast.head).post(URL + "read-all/").json() == {"marked": 0}


def test_schema_documents_the_notification_endpoints(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    paths = schema["paths"]
    assert "get" in paths["/api/v1/notifications/"]
    params = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert {"read", "page", "page_size"} <= params
    assert "post" in paths["/api/v1/notifications/{id}/read/"]
    assert "post" in paths["/api/v1/notifications/read-all/"]
    props = schema["components"]["schemas"]["Notification"]["properties"]
    assert {"id", "kind", "level", "title", "body", "object", "created_at", "read"} <= set(props)
