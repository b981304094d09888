"""Observation rechecks are reminded by ``tracking_reminders`` at the project's
observation cadence (DOMAIN.md §7): once per missed recheck date, to the ops specialist;
none after the observation period or once the project left observing."""

import pytest

from closedloop.core import jobs
from closedloop.notifications.models import Notification
from rectification.models import TrackingAlert

from ..celery_fixtures import default_queue, module_worker, seed_reference_data  # noqa: F401
from .acceptance_helpers import accept, observing, recheck
from .helpers import at, day

pytestmark = pytest.mark.django_db


def recheck_notes():
    return Notification.objects.filter(kind="tracking_recheck")


def test_no_reminder_on_the_due_day(cast):
    observing(cast)  # weekly from 10/1: first recheck due 10/7
    assert jobs.run("tracking_reminders", at(2025, 10, 7, 20))["rechecks"] == 0


def test_missed_recheck_reminded_once_per_date(cast):
    project = observing(cast)
    first = jobs.run("tracking_reminders", at(2025, 10, 8, 8))
    assert (first["rechecks"], first["notifications"]) == (1, 1)
    note = recheck_notes().get()
    assert (note.recipient, note.object_ref) == (cast.ops, project.number)
    assert "2025-10-07" in note.title
    assert jobs.run("tracking_reminders", at(2025, 10, 8, 9))["rechecks"] == 0
    # A week later the next one is missed too: reminded again, by its own date.
    assert jobs.run("tracking_reminders", at(2025, 10, 15, 8))["rechecks"] == 1
    assert sorted(
        TrackingAlert.objects.filter(kind="recheck").values_list("due_on", flat=True)
    ) == [day(2025, 10, 7), day(2025, 10, 14)]


def test_a_recheck_moves_the_due_date(cast):
    project = observing(cast)
    recheck(cast, project, day(2025, 10, 7), 29)
    assert jobs.run("tracking_reminders", at(2025, 10, 14, 20))["rechecks"] == 0
    assert jobs.run("tracking_reminders", at(2025, 10, 15, 8))["rechecks"] == 1


def test_none_after_the_period_or_after_the_formal_acceptance(cast):
    project = observing(cast)
    for date in (day(2025, 10, 7), day(2025, 10, 14), day(2025, 10, 21), day(2025, 10, 28)):
        recheck(cast, project, date, 29)
    # Next "due" 11/4 lies after the period (10/31): nothing to remind.
    assert jobs.run("tracking_reminders", at(2025, 11, 6, 8))["rechecks"] == 0
    accept(cast, project, kind="formal", date="2025-11-01", when=at(2025, 11, 1, 10))
    assert jobs.run("tracking_reminders", at(2025, 12, 1, 8))["rechecks"] == 0
    assert not recheck_notes().exists()


@pytest.fixture
def live(transactional_db, module_worker):  # noqa: F811
    seed_reference_data()
    with default_queue(module_worker.queue):
        yield module_worker
        module_worker.drain()


@pytest.mark.celery_worker
def test_recheck_reminders_through_the_worker(live, cast):
    project = observing(cast)
    result = live.run_job("tracking_reminders", "2025-10-08T08:00:00+08:00")
    assert result == {"reminded": 0, "escalated": 0, "rechecks": 1, "notifications": 1}
    assert TrackingAlert.objects.get(project=project).kind == "recheck"
    again = live.run_job("tracking_reminders", "2025-10-08T08:00:00+08:00")
    assert again["rechecks"] == 0
    assert recheck_notes().count() == 1
