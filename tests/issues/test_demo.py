"""The demo's issues: a few hundred over six months, the source's category mix, every
state, some overdue — so every working view shows something real."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from issues.choices import Status
from issues.models import Issue, IssueEvent
from issues.selectors import overdue_q

pytestmark = pytest.mark.django_db


def test_demo_issues_cover_every_view():
    call_command("load_demo", stdout=io.StringIO())
    total = Issue.objects.count()
    assert 250 <= total <= 400
    now = timezone.now()
    oldest = Issue.objects.order_by("submitted_at").first().submitted_at
    assert now - oldest > dt.timedelta(days=150)
    share = {
        row["category"]: row["n"] / total
        for row in Issue.objects.values("category").annotate(n=Count("id"))
    }
    # 35 / 25 / 20 / 20 % as in the source, within sampling noise.
    for category, expected in {
        "system": 0.35,
        "process": 0.25,
        "supply_chain": 0.2,
        "people": 0.2,
    }.items():
        assert abs(share[category] - expected) < 0.07, (category, share)
    statuses = set(Issue.objects.values_list("status", flat=True))
    assert {
        Status.SUBMITTED,
        Status.TRIAGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
        Status.REJECTED,
    } <= statuses
    assert Issue.objects.filter(overdue_q(now)).exists()
    assert set(Issue.objects.values_list("priority", flat=True)) >= {"P0", "P1", "P2", "P3"}
    # Every issue has a real timeline, starting with its submission.
    assert IssueEvent.objects.filter(action="submit").count() == total

    # Six months of history fill the inboxes but mail nobody today; the last days' stay
    # unread so the bells show something.
    from closedloop.notifications.models import Delivery, Notification

    assert not Delivery.objects.exists()
    # The overdue backlog's ladder alerts are already raised (so the first beat sweep
    # does not mail the whole history) and sit in the inboxes.
    from issues.models import SlaAlert

    assert SlaAlert.objects.exists()
    assert Notification.objects.filter(kind__startswith="sla_").exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert not Notification.objects.filter(
        read_at__isnull=True, created_at__lt=now - dt.timedelta(days=4)
    ).exists()

    # Loading again neither duplicates nor changes the issues.
    call_command("load_demo", stdout=io.StringIO())
    assert Issue.objects.count() == total


def test_demo_has_systemic_problems_at_several_statuses():
    from closedloop.org.demo import load_demo as load_org
    from issues.demo import load_issues
    from issues.models import SystemicIssue

    # The two steps this needs (the whole load_demo also runs the other apps').
    load_org({})
    assert load_issues() > 0
    problems = list(SystemicIssue.objects.all())
    assert len(problems) >= 3
    assert len({p.status for p in problems}) >= 3
    for problem in problems:
        stores = set(problem.issues.values_list("store_id", flat=True))
        assert len(stores) >= 2, problem.title  # a systemic problem spans stores
        assert problem.history.filter(action="identify").exists()
