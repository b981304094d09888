from celery import shared_task

from . import services


@shared_task(
    name="notifications.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def deliver(delivery_id: int) -> str:
    """Thin: claim and send one outbox row. Retries are scheduled in the row itself and
    re-sent by the ``outbox`` job, never by countdown tasks."""
    return services.deliver(delivery_id)
