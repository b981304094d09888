from celery import shared_task

from . import services


@shared_task(
    name="issues.recompute_sla",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
    # Sent from the admin's request: a task that keeps its result subscribes to the result
    # backend when sent, and Celery retries that subscription for 20 s if Redis hangs.
    # Nobody reads this count.
    ignore_result=True,
)
def recompute_sla(priority: str | None = None) -> int:
    """Thin: recompute due times of open issues after a configuration change."""
    return services.recompute_open_issues(priority=priority)
