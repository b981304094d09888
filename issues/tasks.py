from celery import shared_task

from . import services


@shared_task(
    name="issues.recompute_sla",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=3,
)
def recompute_sla(priority: str | None = None) -> int:
    """Thin: recompute due times of open issues after a configuration change."""
    return services.recompute_open_issues(priority=priority)
