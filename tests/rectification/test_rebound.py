"""A recheck reading worse than its target by more than 15 % flags the project (反弹) and
tells its ops specialist at once — once per recheck."""

import pytest

from closedloop.notifications.models import Notification
from rectification.models import ProjectEvent, TrackingAlert

from .acceptance_helpers import observing, recheck
from .helpers import at, day

pytestmark = pytest.mark.django_db


def test_exactly_15_percent_is_no_rebound(cast):
    project = observing(cast)
    recheck(cast, project, day(2025, 10, 7), "34.5")
    project.refresh_from_db()
    assert (project.rebound, project.sustainability_verdict) == (False, "fair")
    assert not Notification.objects.filter(kind="rectification_rebound").exists()


def test_regression_flags_and_alerts_the_ops_specialist(cast):
    project = observing(cast)
    recheck(cast, project, day(2025, 10, 7), 29)
    recheck(cast, project, day(2025, 10, 14), 36, when=at(2025, 10, 14, 18))
    project.refresh_from_db()
    assert project.rebound
    assert project.rebound_at == at(2025, 10, 14, 18)
    assert "36" in project.rebound_note
    note = Notification.objects.get(kind="rectification_rebound")
    assert (note.recipient, note.object_ref) == (cast.ops, project.number)
    assert "反弹" in note.title
    assert TrackingAlert.objects.filter(project=project, kind="rebound").count() == 1
    assert ProjectEvent.objects.filter(project=project, action="rebound").count() == 1
    # A second regression a week later is told again; the flag keeps its first time.
    recheck(cast, project, day(2025, 10, 21), 40, when=at(2025, 10, 21, 18))
    project.refresh_from_db()
    assert project.rebound_at == at(2025, 10, 14, 18)
    assert Notification.objects.filter(kind="rectification_rebound").count() == 2


def test_watched_metric_regression_counts_too(cast):
    project = observing(cast)
    recheck(cast, project, day(2025, 10, 7), 29, sat=70)  # 85 − 15 % = 72.25
    project.refresh_from_db()
    assert project.rebound
