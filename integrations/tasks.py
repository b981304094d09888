from celery import shared_task

from .services import webhooks


@shared_task(
    name="integrations.deliver_webhook",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def deliver_webhook(delivery_id: int, manual: bool = False) -> str:
    """Thin: claim and send one webhook delivery. The retry time lives in the row; the
    failed attempt enqueues the next one with a countdown and the ``webhooks`` job
    re-sends whatever that missed."""
    return webhooks.deliver(delivery_id, manual=manual)
