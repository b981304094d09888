from celery import shared_task

from closedloop import jobs


@shared_task(
    name="closedloop.run_job",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def run_job(self, name: str, at: str | None = None):
    """Run a registered scheduled job; beat schedules this task with the job's name."""
    import datetime as dt

    moment = dt.datetime.fromisoformat(at) if at else None
    result = jobs.run(name, moment)
    return result if isinstance(result, dict | list | int | str | None) else str(result)
