"""Scheduled jobs: a real Celery worker, fed through the real Redis broker, runs
``closedloop.run_job`` and writes the heartbeat; the same job runs in-process through the
task and through ``manage.py run_job``."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from closedloop.core import jobs
from closedloop.core.models import Heartbeat
from closedloop.core.tasks import run_job

AT = "2026-11-21T09:00:00+08:00"


@pytest.mark.celery_worker
def test_worker_runs_heartbeat_job_through_redis(celery_worker_process):
    assert not Heartbeat.objects.exists()

    result = run_job.apply_async(args=["heartbeat", AT], queue=celery_worker_process.queue)
    try:
        payload = result.get(timeout=60)
    except Exception:
        print(celery_worker_process.log.read_text(errors="replace"))
        raise

    beat = Heartbeat.objects.get(name="worker")  # written by the worker process
    assert beat.count == payload["count"] == 1
    assert beat.seen_at == dt.datetime.fromisoformat(AT)
    assert dt.datetime.fromisoformat(payload["seen_at"]) == dt.datetime.fromisoformat(AT)
    assert f"{celery_worker_process.queue}@" in celery_worker_process.log.read_text(
        errors="replace"
    )

    second = run_job.apply_async(args=["heartbeat"], queue=celery_worker_process.queue)
    assert second.get(timeout=60)["count"] == 2
    assert Heartbeat.objects.get(name="worker").count == 2


# --- in-process ------------------------------------------------------------------------


@pytest.mark.django_db
def test_task_runs_the_job_in_process():
    result = run_job.apply(args=["heartbeat", AT])
    assert result.successful(), result.traceback
    assert result.get() == {"count": 1, "seen_at": dt.datetime.fromisoformat(AT).isoformat()}
    assert Heartbeat.objects.get(name="worker").seen_at == dt.datetime.fromisoformat(AT)


@pytest.mark.django_db
def test_task_without_time_uses_now():
    before = dt.datetime.now(dt.UTC)
    assert run_job.apply(args=["heartbeat"]).successful()
    assert Heartbeat.objects.get(name="worker").seen_at >= before


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["no_such_job"], ["heartbeat", "not-a-time"]])
def test_task_does_not_retry_permanent_errors(monkeypatch, args):
    """An unknown job name or a malformed time will never succeed: fail at once instead
    of retrying with backoff for the better part of an hour."""
    retries = []
    real_retry = run_job.retry

    def counting_retry(*a, **kw):
        retries.append(kw.get("exc"))
        return real_retry(*a, **kw)

    monkeypatch.setattr(run_job, "retry", counting_retry)
    result = run_job.apply(args=args)
    assert result.failed()
    assert isinstance(result.result, KeyError | ValueError)
    assert retries == []


@pytest.mark.django_db
def test_task_retries_transient_errors(monkeypatch):
    retries = []
    real_retry = run_job.retry

    def counting_retry(*a, **kw):
        retries.append(kw.get("exc"))
        return real_retry(*a, **kw)

    def flaky(now):
        raise ConnectionError("database went away")

    monkeypatch.setattr(run_job, "retry", counting_retry)
    monkeypatch.setitem(jobs.REGISTRY, "flaky", flaky)
    monkeypatch.setattr(jobs, "autodiscover", lambda: None)
    result = run_job.apply(args=["flaky"])
    assert result.failed()
    assert len(retries) == run_job.max_retries + 1


@pytest.mark.django_db
def test_run_job_command_runs_as_if_at_the_given_time():
    out = io.StringIO()
    call_command("run_job", "heartbeat", "--at", AT, stdout=out)
    beat = Heartbeat.objects.get(name="worker")
    assert beat.seen_at == dt.datetime.fromisoformat(AT)
    assert json.loads(out.getvalue())["count"] == 1


@pytest.mark.django_db
def test_run_job_command_reads_a_naive_time_in_shanghai():
    call_command("run_job", "heartbeat", "--at", "2026-11-21T09:00:00", stdout=io.StringIO())
    assert Heartbeat.objects.get(name="worker").seen_at == dt.datetime.fromisoformat(AT)


def test_run_job_list_names_the_jobs():
    out = io.StringIO()
    call_command("run_job", "list", stdout=out)
    assert "heartbeat" in out.getvalue().split()


def test_run_job_unknown_job_is_a_command_error():
    with pytest.raises(CommandError, match="unknown job"):
        call_command("run_job", "no_such_job", stdout=io.StringIO())


@pytest.mark.django_db
def test_run_job_bad_time_is_a_command_error():
    with pytest.raises(CommandError, match="--at"):
        call_command("run_job", "heartbeat", "--at", "21/11/2026 9am", stdout=io.StringIO())
    assert not Heartbeat.objects.exists()
