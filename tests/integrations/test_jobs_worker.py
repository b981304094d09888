"""The integration through a real Celery worker and the real Redis broker: an issue's
webhook signed and verified by a receiver on 127.0.0.1, a retry after a 503 with the same
delivery id, a subscription switched off after repeated failure, and the two scheduled
jobs (``webhooks``, ``idempotency_purge``) sent the way beat sends them."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.utils import timezone

from closedloop.notifications.models import Notification
from integrations.choices import DeliveryStatus
from integrations.models import (
    IdempotencyRecord,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from integrations.services import webhooks
from tests.celery_fixtures import (
    default_queue,
    delete_queue,
    seed_reference_data,
    start_worker,
    wait_until,
)
from tests.factories import new_issue, to_triaged

from .conftest import seed_integrations
from .receivers import Receiver, dms_client

pytestmark = pytest.mark.celery_worker

SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture(scope="module")
def worker(django_db_setup, tmp_path_factory, request):
    """One worker for the module, with quick retries and an early switch-off."""
    proc = start_worker(
        tmp_path_factory.mktemp("worker"),
        ready=False,
        extra_env={
            "WEBHOOK_RETRY_BASE_SECONDS": "1",
            "WEBHOOK_DISABLE_AFTER": "3",
            "WEBHOOK_MAX_ATTEMPTS": "5",
        },
    )

    def stop():
        proc.stop()
        delete_queue(proc.queue)

    request.addfinalizer(stop)
    proc.wait_until_ready()
    return proc


@pytest.fixture
def live(transactional_db, worker):
    seed_reference_data()
    seed_integrations()
    with default_queue(worker.queue):
        yield worker
        worker.drain()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(SECRET, statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _subscribe(cast, url):
    return webhooks.create_subscription(
        actor=cast.lead,
        url=url,
        events=["issue.created", "issue.status_changed"],
        secret=SECRET,
    )


def test_an_issue_webhook_is_delivered_and_verified_by_the_receiver(live, cast):
    events = []
    server = dms_client.make_receiver(
        SECRET, lambda event, delivery: events.append((event, delivery))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _subscribe(cast, f"http://127.0.0.1:{server.server_port}/hooks")
        issue = new_issue(cast)  # commits: the webhook is queued after commit
        to_triaged(cast, issue)
        wait_until(lambda: len(events) == 2, message="the receiver got no verified webhooks")
    finally:
        server.shutdown()
        server.server_close()
    (created, first_id), (changed, second_id) = sorted(events, key=lambda e: e[0]["event"])
    assert (
        created["event"] == "issue.created" and created["data"]["issue"]["number"] == issue.number
    )
    assert changed["data"]["to_status"] == "triaged"
    assert {first_id, second_id} == {
        str(d) for d in WebhookDelivery.objects.values_list("delivery_id", flat=True)
    }
    wait_until(lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 2)


def test_after_a_503_the_worker_retries_with_the_same_delivery_id(live, cast, receiver):
    r = receiver(statuses=[503])
    _subscribe(cast, r.url)
    new_issue(cast)
    requests = r.wait_for(2)
    assert [req["verified"] for req in requests] == [True, True]
    ids = {req["headers"]["X-Delivery"] for req in requests}
    delivery = wait_until(
        lambda: WebhookDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).first()
    )
    assert ids == {str(delivery.delivery_id)}
    assert delivery.attempts == 2
    assert list(
        WebhookAttempt.objects.filter(delivery=delivery)
        .order_by("number")
        .values_list("status_code", flat=True)
    ) == [503, 204]
    first, second = (int(req["headers"]["X-Timestamp"]) for req in requests)
    assert second >= first  # signed anew for each attempt


def test_a_subscription_failing_again_and_again_is_switched_off(live, cast, receiver):
    r = receiver(statuses=[500] * 20)
    subscription = _subscribe(cast, r.url)
    new_issue(cast)
    subscription = wait_until(
        lambda: WebhookSubscription.objects.filter(pk=subscription.pk, active=False).first(),
        message="the subscription was not switched off",
    )
    assert subscription.consecutive_failures == 3 and subscription.disabled_at
    assert len(r.received) == 3
    notice = wait_until(lambda: Notification.objects.filter(kind="webhook_disabled").first())
    assert notice.recipient == cast.lead
    live.drain()
    assert len(r.received) == 3  # nothing more was sent
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED


def test_beat_webhooks_job_sends_what_the_broker_never_got(live, cast, receiver, monkeypatch):
    r = receiver()
    _subscribe(cast, r.url)
    monkeypatch.setattr(webhooks, "enqueue", lambda ids, **kw: 0)  # broker down at commit
    (pk,) = webhooks.emit("issue.created", {"issue": {"number": "ISS-2026-09999"}})
    monkeypatch.undo()
    WebhookDelivery.objects.filter(pk=pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=2)
    )

    assert live.run_job("webhooks") == {"enqueued": 1}

    (request,) = r.wait_for(1)
    assert (
        request["verified"]
        and json.loads(request["body"])["data"]["issue"]["number"] == "ISS-2026-09999"
    )
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.SUCCEEDED).exists()
    )


def test_beat_idempotency_purge_forgets_day_old_keys(live, cast):
    now = timezone.now()
    for key, age in (("old", 25), ("new", 1)):
        IdempotencyRecord.objects.create(
            user=cast.dms,
            key=key,
            method="POST",
            path="/api/v1/issues/",
            body_hash="h",
            status_code=201,
            created_at=now - dt.timedelta(hours=age),
        )
    assert live.run_job("idempotency_purge") == {"deleted": 1}
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
