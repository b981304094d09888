"""The report jobs as beat runs them: ``closedloop.run_job`` sent by name to a real
Celery worker over Redis, against the test database; and ``manage.py run_job --at``."""

import io
import json

import pytest
from django.core.management import call_command

from closedloop.notifications.models import Notification
from reports.choices import Kind, Status
from reports.models import Report

from ..celery_fixtures import default_queue, module_worker, seed_reference_data  # noqa: F401
from .helpers import bj, make_issue


@pytest.fixture
def live(transactional_db, module_worker):  # noqa: F811
    seed_reference_data()
    with default_queue(module_worker.queue):
        yield module_worker
        module_worker.drain()


@pytest.mark.celery_worker
def test_monthly_reports_through_the_worker(live, cast):
    make_issue(cast, submitted_at=bj(2026, 11, 3, 9))
    result = live.run_job("monthly_reports", "2026-12-01T08:00:00+08:00")
    assert result["period"] == "2026-11"
    assert len(result[Kind.MONTHLY_EFFECT]) == len(result[Kind.MONTHLY_RECTIFICATION]) == 3
    national = Report.objects.get(kind=Kind.MONTHLY_EFFECT, period="2026-11", region=None)
    assert national.status == Status.DRAFT
    assert national.data["summary"]["submitted"] == 1
    summary = Report.objects.get(kind=Kind.MONTHLY_RECTIFICATION, period="2026-11", region=None)
    assert summary.status == Status.PUBLISHED
    assert Notification.objects.filter(
        recipient=cast.executive, kind="report_published", object_ref=str(summary.pk)
    ).exists()
    # The same message delivered again (a retry) replaces, never doubles.
    live.run_job("monthly_reports", "2026-12-01T08:00:00+08:00")
    assert Report.objects.filter(period="2026-11").count() == 6
    # Any other day of the month, nothing is due.
    assert live.run_job("monthly_reports", "2026-12-02T08:00:00+08:00") == {
        "skipped": "not the first working day of the month"
    }


@pytest.mark.celery_worker
def test_weekly_report_through_the_worker(live, cast):
    result = live.run_job("weekly_report", "2026-11-25T08:00:00+08:00")
    assert result["period"] == "2026-W47"
    assert Report.objects.filter(kind=Kind.WEEKLY, period="2026-W47").count() == 3


def test_run_job_command_with_at(db, cast):
    out = io.StringIO()
    call_command("run_job", "weekly_report", "--at", "2027-01-06T08:00:00+08:00", stdout=out)
    assert json.loads(out.getvalue())["period"] == "2026-W53"
    assert Report.objects.filter(period="2026-W53").count() == 3
