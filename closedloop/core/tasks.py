from celery import shared_task

from closedloop.core import jobs


class JobRequestError(ValueError):
    """The job name or the time is wrong: retrying cannot help."""


@shared_task(
    name="closedloop.run_job",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(JobRequestError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def run_job(self, name: str, at: str | None = None):
    """Run a registered scheduled job; beat schedules this task with the job's name."""
    if name not in jobs.names():
        raise JobRequestError(f"unknown job {name!r}")
    try:
        moment = jobs.parse_moment(at)
    except ValueError as exc:
        raise JobRequestError(str(exc)) from exc
    result = jobs.run(name, moment)
    return result if isinstance(result, dict | list | int | str | None) else str(result)
