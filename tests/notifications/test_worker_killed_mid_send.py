"""A worker killed in the middle of a task does not lose it (acks_late,
reject_on_worker_lost, the Redis visibility timeout), and redoing it does not send twice
while the first sender may still be alive (the delivery's claim lease).

How the pieces fit:
- A task is acknowledged only after it ran. A worker that dies mid-task leaves its message
  unacknowledged in Redis; another worker takes it back once it has been invisible for
  the visibility timeout (``CELERY_VISIBILITY_TIMEOUT``, 1 h in production).
- ``services.deliver`` first claims the outbox row: a conditional UPDATE that pushes
  ``next_attempt_at`` one lease ahead (``NOTIFICATION_CLAIM_LEASE_SECONDS``, 5 min). The
  lease outlasts any send (bot 10 s, e-mail EMAIL_TIMEOUT), so while the claimer may be
  alive nobody else sends. When the lease has run out the claimer is presumed dead and
  the redelivered task claims again; if the broker redelivers sooner (prefork's
  reject_on_worker_lost requeues at once) that task is skipped and the ``outbox`` job
  re-sends after lease + 60 s. Either way: sent, and never by two live workers at once.
"""

import datetime as dt
import time

import pytest
from django.db import transaction
from django.utils import timezone

from closedloop.notifications import services
from closedloop.notifications.choices import DeliveryStatus
from closedloop.notifications.models import Delivery
from tests.celery_fixtures import default_queue, delete_queue, feishu_bot, start_worker, wait_until

LEASE_SECONDS = 5
VISIBILITY_SECONDS = 5


def _queue_bot_message(bot, title: str) -> Delivery:
    with transaction.atomic():
        services.notify(
            recipients=[],
            message=services.Message(kind="test", title=title, body="门店系统无法开单"),
            bots_to=[bot],
        )
    return Delivery.objects.get(webhook=bot)


@pytest.mark.celery_worker
def test_a_delivery_whose_worker_was_killed_mid_send_is_sent_by_another(
    transactional_db,
    bot_receiver,
    tmp_path,
):
    bot_receiver.hang_first = 1  # the bot platform stops answering the first request
    bot = feishu_bot(bot_receiver.url)
    short_lease = {"NOTIFICATION_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS)}
    first = start_worker(tmp_path, extra_env=short_lease)
    second = None
    try:
        with default_queue(first.queue):
            delivery = _queue_bot_message(bot, "P0 全国开单故障")  # enqueued on commit

        bot_receiver.wait_for("requests", 1)  # the first worker is inside the HTTP call
        taken = time.monotonic()
        claimed = Delivery.objects.get(pk=delivery.pk)
        assert (claimed.status, claimed.attempts) == (DeliveryStatus.SENDING, 1)
        first.kill()  # SIGKILL of the only process (--pool solo): nothing acked, nothing said
        assert first.proc.returncode == -9

        # Another worker on the same queue, with a 5 s visibility timeout. Kombu looks for
        # unacknowledged messages older than that when the worker starts and then only
        # every ~100 s: start it once the message has been invisible for 5 s.
        time.sleep(max(0.0, VISIBILITY_SECONDS + 1 - (time.monotonic() - taken)))
        second = start_worker(
            tmp_path,
            queue=first.queue,
            extra_env={**short_lease, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS)},
        )
        accepted = bot_receiver.wait_for("accepted", 1, timeout=60)
        assert accepted[0]["content"]["post"]["zh_cn"]["title"] == "P0 全国开单故障"

        sent = wait_until(
            lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).first()
        )
        assert sent.attempts == 2  # the killed claim and the redelivered one
        assert "notifications.deliver" in second.text()
        second.drain()
        time.sleep(1)
        assert len(bot_receiver.accepted) == 1  # sent once
        assert len(bot_receiver.requests) == 2  # the unanswered one and the real one
    finally:
        bot_receiver.release()
        first.stop()
        if second is not None:
            second.stop()
        delete_queue(first.queue)


@pytest.mark.django_db
def test_a_live_claim_is_respected_until_its_lease_runs_out(settings, bot_receiver):
    """The same rules without a worker, on the clock: a second sender is turned away
    while the lease runs, may claim once it has run out, and the outbox job picks the
    row up on its own a grace period later."""
    settings.NOTIFICATION_CLAIM_LEASE_SECONDS = 120
    bot = feishu_bot(bot_receiver.url)
    delivery = Delivery.objects.create(
        channel=bot.channel,
        target=bot.url,
        webhook=bot,
        payload={"title": "t", "text": "x", "link": "http://example.com/"},
        dedupe_key="test:lease",
        next_attempt_at=timezone.now(),
    )
    claimed_at = timezone.now()
    assert services._claim(delivery.pk, claimed_at)  # a worker claims it, then dies

    lease = dt.timedelta(seconds=120)
    assert services.claim_lease() == lease
    assert services.deliver(delivery.pk, now=claimed_at + lease / 2) == "skipped"
    assert not services.due_deliveries(claimed_at + lease).filter(pk=delivery.pk).exists()
    assert (
        services.due_deliveries(claimed_at + lease + services.OUTBOX_GRACE)
        .filter(pk=delivery.pk)
        .exists()
    )
    assert services.deliver(delivery.pk, now=claimed_at + lease) == DeliveryStatus.SENT
    assert len(bot_receiver.accepted) == 1
    assert services.deliver(delivery.pk, now=claimed_at + 2 * lease) == "skipped"
