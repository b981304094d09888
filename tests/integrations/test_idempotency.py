"""Idempotency (API.md): an ``Idempotency-Key`` on any POST answers the first reply again
for the same body within 24 h and changes nothing; another body is 422; concurrent
duplicates are settled by the unique (caller, key) constraint. And ``external_ref``, the
other mechanism, keeps returning the existing issue whatever the key."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from closedloop.core import jobs
from integrations.models import IdempotencyRecord
from issues import services as issue_services
from issues.models import Attachment, Issue
from tests.celery_fixtures import private_queue  # noqa: F401 (fixture)
from tests.factories import new_issue, png, to_in_progress

BODY = {
    "store": "HZ001",
    "category": "system",
    "title": "DMS 工单流转缓慢",
    "description": "开单后要等 5 分钟才能派工",
    "impact_scope": "store",
}


def _post(client, body=BODY, key="k-1", path="/api/v1/issues/", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, body, format="json", **headers, **extra)


def test_the_same_key_and_body_answers_the_first_reply_and_changes_nothing(cast, token_client):
    client = token_client(cast.dms)
    first = _post(client)
    second = _post(client)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Issue.objects.count() == 1


def test_json_is_compared_as_data(cast, token_client):
    client = token_client(cast.dms)
    assert _post(client).status_code == 201
    reordered = '{"impact_scope": "store", "title": "DMS 工单流转缓慢", "store": "HZ001",\n' + (
        ' "description": "开单后要等 5 分钟才能派工", "category": "system"}'
    )
    again = client.post(
        "/api/v1/issues/", reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Issue.objects.count() == 1


def test_the_same_key_with_another_body_is_422(cast, token_client):
    client = token_client(cast.dms)
    assert _post(client).status_code == 201
    other = _post(client, {**BODY, "title": "另一个问题"})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Issue.objects.count() == 1


def test_the_same_key_on_another_path_is_422(cast, token_client):
    client = token_client(cast.dms)
    assert _post(client).status_code == 201
    today = timezone.localdate().isoformat()
    rows = [{"store": "HZ001", "metric": "nps", "date": today, "value": 50}]
    assert _post(client, rows, path="/api/v1/metrics/").status_code == 422


def test_keys_belong_to_the_caller_not_the_token(cast, token_client):
    """Two tokens of one client share keys (a retry after rotating the token is still
    the same request); another client's key of the same name is its own."""
    old, new = token_client(cast.dms), token_client(cast.dms)
    assert _post(old).status_code == 201
    assert _post(new)["Idempotent-Replayed"] == "true"
    other = token_client(cast.lead)
    assert _post(other).status_code == 201
    assert Issue.objects.count() == 2


def test_a_failed_request_is_not_remembered(cast, token_client):
    client = token_client(cast.dms)
    refused = _post(client, {**BODY, "store": "NOPE"})
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    corrected = _post(client)  # the same key, now with a good body
    assert corrected.status_code == 201 and Issue.objects.count() == 1


def test_without_a_key_each_post_acts(cast, token_client):
    client = token_client(cast.dms)
    assert _post(client, key=None).status_code == 201
    assert _post(client, key=None).status_code == 201
    assert Issue.objects.count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "中文键"])
def test_a_malformed_key_is_400(cast, token_client, key):
    client = token_client(cast.dms)
    response = client.post(
        "/api/v1/issues/", BODY, format="json", HTTP_IDEMPOTENCY_KEY=key.encode().decode("latin-1")
    )
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Issue.objects.exists()


def test_a_session_post_is_idempotent_too(cast, client):
    client.force_login(cast.lead)
    first = client.post(
        "/api/v1/issues/", BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    second = client.post(
        "/api/v1/issues/", BODY, content_type="application/json", HTTP_IDEMPOTENCY_KEY="s-1"
    )
    assert first.status_code == 201 and second.content == first.content
    assert Issue.objects.count() == 1


def test_an_upload_with_the_same_key_is_stored_once(cast, token_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    issue = new_issue(cast, who=cast.dms)
    client = token_client(cast.dms)
    path = f"/api/v1/issues/{issue.number}/attachments/"
    for _n in range(2):
        response = client.post(
            path, {"file": png()}, format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
        )
        assert response.status_code == 201
    assert Attachment.objects.filter(issue=issue).count() == 1
    other = client.post(
        path, {"file": png(size=(10, 10))}, format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
    )
    assert other.status_code == 422


def test_an_action_with_the_same_key_runs_once(cast, token_client):
    issue = to_in_progress(cast, new_issue(cast))
    client = token_client(cast.lead)
    path = f"/api/v1/issues/{issue.number}/comments/"
    for _n in range(3):
        assert (
            _post(client, {"body": "已安排", "public": True}, key="c-1", path=path).status_code
            == 201
        )
    assert issue.events.filter(kind="comment").count() == 1


def test_keys_expire_after_24_hours_and_the_job_purges_them(cast, token_client):
    client = token_client(cast.dms)
    assert _post(client).status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert _post(client).status_code == 201  # a new request: the old key is gone
    assert Issue.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1

    IdempotencyRecord.objects.create(
        user=cast.lead,
        key="old",
        method="POST",
        path="/",
        body_hash="x",
        created_at=timezone.now() - dt.timedelta(hours=24, seconds=1),
    )
    assert jobs.run("idempotency_purge") == {"deleted": 1}
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-1"]


def test_external_ref_returns_the_existing_issue_whatever_the_key(cast, token_client):
    client = token_client(cast.dms)
    body = {**BODY, "external_ref": "WO-1001"}
    first = _post(client, body, key="a")
    second = _post(client, body, key="b")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert "Idempotent-Replayed" not in second
    assert Issue.objects.count() == 1


# --- concurrent duplicates ---------------------------------------------------------------


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("same_body", [True, False], ids=["same-body", "other-body"])
def test_concurrent_duplicates_are_answered_once(
    transactional_db,
    private_queue,  # noqa: F811 (the fixture imported above)
    cast,
    token_client,
    monkeypatch,
    same_body,  # noqa: F811
):
    """The first request holds its key while it works; the second, with the same key,
    waits on the unique index, then answers what the first committed (or 422)."""
    client_a, client_b = token_client(cast.dms), token_client(cast.dms)
    inside, release = threading.Event(), threading.Event()
    original = issue_services.create_issue

    def slow_create(**kwargs):
        if not inside.is_set():
            inside.set()
            assert release.wait(30)
        return original(**kwargs)

    monkeypatch.setattr(issue_services, "create_issue", slow_create)
    replies = {}

    def send(name, client, body):
        try:
            replies[name] = _post(client, body, key="race-1")
        finally:
            connections.close_all()

    first = threading.Thread(target=send, args=("a", client_a, BODY))
    first.start()
    assert inside.wait(30)
    second_body = BODY if same_body else {**BODY, "title": "并发的另一个"}
    second = threading.Thread(target=send, args=("b", client_b, second_body))
    second.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock():  # b waits on a's uncommitted key
        assert time.monotonic() < deadline, "the second request never waited for the first"
        time.sleep(0.05)
    release.set()
    first.join(30)
    second.join(30)

    a, b = replies["a"], replies["b"]
    assert a.status_code == 201
    if same_body:
        assert b.status_code == 201 and b.content == a.content
        assert b["Idempotent-Replayed"] == "true"
    else:
        assert b.status_code == 422
    assert Issue.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1
