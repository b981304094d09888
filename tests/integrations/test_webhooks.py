"""Outbound webhooks (API.md): subscriptions, the events the issue services emit after
commit, the signed delivery a receiver on 127.0.0.1 verifies, retries with exponential
backoff and the same X-Delivery, the attempt log, redelivery, and switching a failing
subscription off with a notice to the quality lead.

Deliveries are sent here by calling the service the worker's task calls
(``webhooks.deliver``); tests/integrations/test_jobs_worker.py sends them through a real
Celery worker."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from closedloop.core import jobs
from closedloop.notifications.models import Notification
from integrations.choices import DeliveryStatus
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.services import webhooks
from issues import services as issue_services
from tests.factories import new_issue, to_triaged

from .receivers import Receiver


@pytest.fixture
def receiver():
    made = []

    def make(secret="s3cret-s3cret-s3cret", statuses=()):
        made.append(Receiver(secret, statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """Nothing is handed to Celery here: the tests call ``deliver`` themselves."""
    monkeypatch.setattr(webhooks, "enqueue", lambda ids, **kw: 0)


def _subscribe(cast, url, events=("issue.created", "issue.status_changed"), **fields):
    return webhooks.create_subscription(
        actor=cast.lead, url=url, events=list(events), secret="s3cret-s3cret-s3cret", **fields
    )


# --- emitting ----------------------------------------------------------------------------


def test_issue_services_emit_created_and_status_changed_after_commit(
    cast, django_capture_on_commit_callbacks
):
    subscription = _subscribe(cast, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True):
        issue = new_issue(cast)
    with django_capture_on_commit_callbacks(execute=True):
        to_triaged(cast, issue)
    deliveries = list(WebhookDelivery.objects.filter(subscription=subscription).order_by("pk"))
    assert [d.event for d in deliveries] == ["issue.created", "issue.status_changed"]
    created, changed = (json.loads(d.payload) for d in deliveries)
    assert created["event"] == "issue.created" and created["id"]
    assert created["data"]["issue"]["number"] == issue.number
    assert created["data"]["issue"]["status"] == "submitted"
    assert created["data"]["issue"]["url"].endswith(f"/api/v1/issues/{issue.number}/")
    assert (changed["data"]["from_status"], changed["data"]["to_status"]) == (
        "submitted",
        "triaged",
    )
    assert changed["data"]["issue"]["priority"] == "P1" and changed["data"]["actor"] == "ops"
    assert changed["data"]["issue"]["resolution_due_at"]  # as committed, with its new clock


def test_nothing_is_emitted_before_commit_or_after_a_rollback(
    cast, django_capture_on_commit_callbacks
):
    _subscribe(cast, "http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new_issue(cast)
    assert not WebhookDelivery.objects.exists() and len(callbacks) >= 1


def test_comments_and_assignments_are_no_status_change(cast, django_capture_on_commit_callbacks):
    _subscribe(cast, "http://127.0.0.1:9/hook", events=["issue.status_changed"])
    issue = to_triaged(cast, new_issue(cast))
    with django_capture_on_commit_callbacks(execute=True):
        issue_services.comment(issue=issue, actor=cast.head, body="收到")
        issue_services.assign(issue=issue, actor=cast.head, assignee=cast.member)
    assert not WebhookDelivery.objects.exists()


def test_without_a_subscriber_an_issue_event_reads_two_small_rows(cast, django_assert_num_queries):
    """Most transitions have no subscriber: the event's action and one EXISTS, not the
    event with its issue and six relations (7 ms of planning on every issue action)."""
    issue = to_triaged(cast, new_issue(cast))
    event = issue.events.filter(kind="transition").latest("pk")
    with django_assert_num_queries(2) as captured:
        webhooks._emit_issue_event(event.pk)
    assert all("JOIN" not in q["sql"] for q in captured.captured_queries)
    _subscribe(cast, "http://127.0.0.1:9/hook", events=["issue.status_changed"])
    webhooks._emit_issue_event(event.pk)
    body = json.loads(WebhookDelivery.objects.get().payload)
    assert body["event"] == "issue.status_changed"
    assert body["data"]["issue"]["number"] == issue.number
    assert body["data"]["issue"]["store"] == issue.store.code
    assert body["data"]["to_status"] == "triaged" and body["data"]["actor"]


def test_emit_goes_to_active_subscribers_of_the_event_only(cast):
    wanted = _subscribe(cast, "http://127.0.0.1:9/a", events=["report.published"])
    _subscribe(cast, "http://127.0.0.1:9/b", events=["issue.created"])
    off = _subscribe(cast, "http://127.0.0.1:9/c", events=["report.published"], active=False)
    ids = webhooks.emit("report.published", {"report": {"id": 7}})
    assert [WebhookDelivery.objects.get(pk=i).subscription for i in ids] == [wanted]
    assert not off.deliveries.exists()
    with pytest.raises(ValueError):
        webhooks.emit("issue.deleted", {})


# --- delivering --------------------------------------------------------------------------


def test_a_delivery_is_signed_and_the_receiver_verifies_it(cast, receiver):
    r = receiver()
    subscription = _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {"issue": {"number": "ISS-2026-00001"}})
    assert webhooks.deliver(pk) == DeliveryStatus.SUCCEEDED

    (request,) = r.received
    delivery = WebhookDelivery.objects.get(pk=pk)
    headers = request["headers"]
    assert request["verified"] is True
    assert headers["X-Event"] == "issue.created"
    assert headers["X-Delivery"] == str(delivery.delivery_id)
    assert abs(int(headers["X-Timestamp"]) - time.time()) < 60
    expected = webhooks.sign(subscription.secret, headers["X-Timestamp"], request["body"])
    assert headers["X-Signature"] == expected and expected.startswith("sha256=")
    body = json.loads(request["body"])
    assert set(body) == {"event", "id", "created_at", "data"}
    assert body["id"] == str(delivery.event_id)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.last_status_code == 204


def test_a_wrong_secret_does_not_verify(cast, receiver):
    r = receiver(secret="not-the-subscriptions-secret")
    _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {})
    webhooks.deliver(pk)
    assert r.received[0]["verified"] is False


def test_a_503_is_retried_with_backoff_and_the_same_delivery_id(cast, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    r = receiver(statuses=[503, 503])
    _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {"n": 1})
    start = timezone.now()

    assert webhooks.deliver(pk, now=start) == DeliveryStatus.RETRYING
    delivery = WebhookDelivery.objects.get(pk=pk)
    assert delivery.next_attempt_at == start + dt.timedelta(seconds=30)
    assert webhooks.deliver(pk, now=start + dt.timedelta(seconds=10)) == "skipped"  # not due

    second = start + dt.timedelta(seconds=30)
    assert webhooks.deliver(pk, now=second) == DeliveryStatus.RETRYING
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == second + dt.timedelta(seconds=60)  # doubled

    third = second + dt.timedelta(seconds=60)
    assert webhooks.deliver(pk, now=third) == DeliveryStatus.SUCCEEDED
    ids = {req["headers"]["X-Delivery"] for req in r.received}
    assert len(r.received) == 3 and ids == {str(delivery.delivery_id)}
    log = list(WebhookAttempt.objects.filter(delivery_id=pk).order_by("number"))
    assert [(a.number, a.status_code) for a in log] == [(1, 503), (2, 503), (3, 204)]
    assert log[0].error == "HTTP 503" and not log[2].error
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_backoff_is_exponential_and_capped(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS = 300
    assert [webhooks.backoff(n).total_seconds() for n in range(1, 7)] == [
        30,
        60,
        120,
        240,
        300,
        300,
    ]


def test_no_answer_at_all_counts_as_a_failure(cast, settings):
    subscription = _subscribe(cast, "http://127.0.0.1:9/closed-port")
    (pk,) = webhooks.emit("issue.created", {})
    assert webhooks.deliver(pk) == DeliveryStatus.RETRYING
    attempt = WebhookAttempt.objects.get(delivery_id=pk)
    assert attempt.status_code is None and "ConnectionError" in attempt.error
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 1


def test_a_delivery_is_given_up_after_the_last_attempt(cast, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    r = receiver(statuses=[500, 500])
    _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {})
    now = timezone.now()
    assert webhooks.deliver(pk, now=now) == DeliveryStatus.RETRYING
    later = now + dt.timedelta(hours=1)
    assert webhooks.deliver(pk, now=later) == DeliveryStatus.FAILED
    delivery = WebhookDelivery.objects.get(pk=pk)
    assert delivery.next_attempt_at is None and delivery.last_status_code == 500
    assert webhooks.deliver(pk, now=later + dt.timedelta(days=1)) == "skipped"


def test_a_subscription_that_keeps_failing_is_switched_off_and_the_lead_told(
    cast, receiver, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    r = receiver(statuses=[500] * 10)
    subscription = _subscribe(cast, r.url)
    ids = [webhooks.emit("issue.created", {"n": n})[0] for n in range(4)]
    now = timezone.now()
    for pk in ids[:3]:
        webhooks.deliver(pk, now=now)
    subscription.refresh_from_db()
    assert subscription.active is False and subscription.disabled_at == now
    assert "连续 3 次投递失败" in subscription.disabled_reason
    # The waiting delivery is not sent to a switched-off subscription.
    assert WebhookDelivery.objects.get(pk=ids[3]).status == DeliveryStatus.FAILED
    notice = Notification.objects.get(recipient=cast.lead, kind="webhook_disabled")
    assert notice.level == "danger" and "127.0.0.1" in notice.title
    assert notice.url == f"/integrations/webhooks/{subscription.pk}/"
    assert len(r.received) == 3
    # Nothing more goes out, and the notice is not repeated.
    assert webhooks.emit("issue.created", {}) == []
    assert Notification.objects.filter(kind="webhook_disabled").count() == 1


def test_a_success_resets_the_failure_count(cast, receiver, settings):
    settings.WEBHOOK_DISABLE_AFTER = 3
    r = receiver(statuses=[500, 500, 204, 500, 500])
    subscription = _subscribe(cast, r.url)
    for n in range(5):
        (pk,) = webhooks.emit("issue.created", {"n": n})
        webhooks.deliver(pk)
    subscription.refresh_from_db()
    assert subscription.active is True and subscription.consecutive_failures == 2


def test_redeliver_sends_again_with_the_same_id(cast, receiver, api):
    r = receiver(statuses=[204, 204])
    subscription = _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {"n": 1})
    webhooks.deliver(pk)
    delivery = WebhookDelivery.objects.get(pk=pk)
    response = api.as_(cast.lead).post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.delivery_id}/redeliver/"
    )
    assert response.status_code == 202 and response.json()["status"] == "pending"
    assert webhooks.deliver(pk, manual=True) == DeliveryStatus.SUCCEEDED
    assert [req["headers"]["X-Delivery"] for req in r.received] == [str(delivery.delivery_id)] * 2
    assert WebhookAttempt.objects.filter(delivery_id=pk, manual=True).count() == 1


def test_a_failed_manual_redelivery_is_not_retried(cast, receiver):
    r = receiver(statuses=[500])
    _subscribe(cast, r.url)
    (pk,) = webhooks.emit("issue.created", {})
    WebhookDelivery.objects.filter(pk=pk).update(status=DeliveryStatus.FAILED)
    webhooks.redeliver(delivery=WebhookDelivery.objects.get(pk=pk), actor=cast.lead)
    assert webhooks.deliver(pk, manual=True) == DeliveryStatus.FAILED
    assert WebhookDelivery.objects.get(pk=pk).next_attempt_at is None


def test_redeliver_on_a_switched_off_subscription_is_refused(cast, api):
    subscription = _subscribe(cast, "http://127.0.0.1:9/x")
    (pk,) = webhooks.emit("issue.created", {})
    webhooks.update_subscription(subscription=subscription, actor=cast.lead, active=False)
    delivery = WebhookDelivery.objects.get(pk=pk)
    response = api.as_(cast.lead).post(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/{delivery.delivery_id}/redeliver/"
    )
    assert response.status_code == 400


def test_the_outbox_job_resends_what_was_never_handed_over(cast, monkeypatch):
    _subscribe(cast, "http://127.0.0.1:9/x")
    (pk,) = webhooks.emit("issue.created", {})
    WebhookDelivery.objects.filter(pk=pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )
    sent = []
    monkeypatch.setattr(webhooks, "enqueue", lambda ids, **kw: sent.extend(ids) or len(ids))
    assert jobs.run("webhooks") == {"enqueued": 1}
    assert sent == [pk]


# --- the API -----------------------------------------------------------------------------


@pytest.fixture
def hooks_client(cast, token_client):
    cast.dms.api_scopes = [*cast.dms.api_scopes, "webhooks:write", "issues:read"]
    cast.dms.save(update_fields=["api_scopes"])
    return token_client(cast.dms)


def test_a_client_subscribes_and_sees_the_secret_once(cast, hooks_client):
    response = hooks_client.post(
        "/api/v1/webhooks/",
        {"url": "https://dms.example.com/hooks", "events": ["issue.created"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert len(body["secret"]) >= 32 and body["owner"] == "dms" and body["active"] is True
    shown = hooks_client.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in shown and shown["events"] == ["issue.created"]
    assert hooks_client.get("/api/v1/webhooks/").json()["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://x/y", "events": ["issue.created"]}, "url"),
        ({"url": "https://x/y", "events": []}, "events"),
        ({"url": "https://x/y", "events": ["issue.deleted"]}, "events"),
        ({"url": "https://x/y", "events": ["report.published"]}, "events"),
        ({"url": "https://x/y", "events": ["issue.created"], "secret": "short"}, "secret"),
    ],
)
def test_bad_subscriptions_are_refused_on_the_field(cast, hooks_client, body, field):
    response = hooks_client.post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not WebhookSubscription.objects.exists()


def test_a_client_sees_only_its_own_subscriptions(cast, hooks_client):
    mine = hooks_client.post(
        "/api/v1/webhooks/", {"url": "https://a/b", "events": ["issue.created"]}, format="json"
    ).json()
    theirs = _subscribe(cast, "https://lead/hook")
    assert [s["id"] for s in hooks_client.get("/api/v1/webhooks/").json()["results"]] == [
        mine["id"]
    ]
    assert hooks_client.get(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404
    assert hooks_client.delete(f"/api/v1/webhooks/{theirs.pk}/").status_code == 404


def test_switching_a_subscription_back_on_clears_its_failures(cast, hooks_client):
    created = hooks_client.post(
        "/api/v1/webhooks/", {"url": "https://a/b", "events": ["issue.created"]}, format="json"
    ).json()
    WebhookSubscription.objects.filter(pk=created["id"]).update(
        active=False, consecutive_failures=20, disabled_at=timezone.now(), disabled_reason="x"
    )
    response = hooks_client.patch(
        f"/api/v1/webhooks/{created['id']}/", {"active": True}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (
        body["active"] is True and body["consecutive_failures"] == 0 and body["disabled_at"] is None
    )


def test_the_delivery_log_lists_every_attempt(cast, receiver, api, django_assert_max_num_queries):
    r = receiver(statuses=[503, 204] * 5)
    subscription = _subscribe(cast, r.url)
    for n in range(5):
        (pk,) = webhooks.emit("issue.created", {"n": n})
        webhooks.deliver(pk)
        webhooks.deliver(pk, now=timezone.now() + dt.timedelta(hours=1))
    client = api.as_(cast.lead)
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    results = response.json()["results"]
    assert response.json()["count"] == 5
    assert [a["status_code"] for a in results[0]["attempt_log"]] == [503, 204]
    assert results[0]["status"] == "succeeded" and results[0]["payload"]["event"] == "issue.created"
    assert (
        client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/?status=failed").json()["count"]
        == 0
    )


def test_webhook_list_query_count_is_pinned(cast, api, django_assert_max_num_queries):
    for n in range(6):
        _subscribe(cast, f"https://h{n}.example.com/")
    with django_assert_max_num_queries(5):
        response = api.as_(cast.lead).get("/api/v1/webhooks/")
    assert response.json()["count"] == 6


@pytest.mark.parametrize("who", ["ops", "executive", "head", "manager"])
def test_people_other_than_the_lead_cannot_manage_webhooks(cast, api, who):
    assert api.as_(getattr(cast, who)).get("/api/v1/webhooks/").status_code == 403
