"""Pinned query counts: the board, the process metrics, meeting mode, the meeting pages,
the home pages and the KPI API answer in a fixed number of queries, whatever the number
of issues, decisions and action items (an N+1 fails here)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards import services
from dashboards.models import Meeting
from issues.models import Issue
from rectification.choices import Health
from rectification.models import Project, ProjectEvent
from tests.factories import StoreFactory
from tests.rectification.helpers import executing

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db

NOW_PERIOD = "period=2026-11"


def grow(cast, n):
    """``n`` issues of every kind across stores, departments, priorities and states, with
    a meeting holding a decision and an action item on each of the first ``n`` issues."""
    stores = [cast.org.hangzhou, cast.org.ningbo, cast.org.guangzhou] + [
        StoreFactory(code=f"QC{i:03d}", region=cast.org.east) for i in range(n // 4)
    ]
    cast.ops.stores.add(*stores)
    issues = []
    for i in range(n):
        submitted = bj(2026, 11, 1 + i % 27, 9)
        issues.append(
            make_issue(
                cast,
                submitted_at=submitted,
                store=stores[i % len(stores)],
                priority=("P0", "P1", "P2", "P3")[i % 4],
                department=(cast.org.it, cast.org.supply)[i % 2],
                category=("system", "process", "supply_chain", "people")[i % 4],
                status=("submitted", "in_progress", "resolved", "closed")[i % 4],
                resolved_at=submitted + dt.timedelta(days=2) if i % 4 >= 2 else None,
                response_due_at=submitted + dt.timedelta(hours=1 + i % 30),
                first_response_at=submitted + dt.timedelta(hours=i % 5),
                resolution_due_at=submitted + dt.timedelta(days=3),
                submitted_by=cast.manager,
            )
        )
    meeting = services.schedule_meeting(
        actor=cast.lead, date=dt.date(2026, 11, 25), invited=[cast.head, cast.scm_head, cast.member]
    )
    services.start_meeting(actor=cast.lead, meeting=meeting, at=bj(2026, 11, 25, 14))
    for i, issue in enumerate(issues):
        services.capture_decision(
            actor=cast.lead,
            meeting=meeting,
            block="top_issues" if i % 2 else "new_issues",
            issue=issue,
            text=f"决策{i}",
            owner=(cast.head, cast.member)[i % 2],
            due_on=dt.date(2026, 11, 25) + dt.timedelta(days=i % 3),
            at=bj(2026, 11, 25, 14, 5),
        )
    # Rectification projects of the Hangzhou store (through the services): red ones, ones
    # due for tracking today, closed ones (their closure is a status-history row).
    today = timezone.localdate()
    for i in range(max(1, n // 4)):
        project = executing(cast)
        Project.objects.filter(pk=project.pk).update(
            health=(Health.RED, Health.GREEN)[i % 2],
            next_tracking_on=today,
            closure_on=dt.date(2026, 11, 1 + i % 27),
        )
        if i % 3 == 2:
            ProjectEvent.objects.create(
                project=project, at=bj(2026, 11, 1 + i % 27), action="close", to_status="closed"
            )
            Project.objects.filter(pk=project.pk).update(status="closed")
    return meeting


# With the integrations app installed the board, process page, rollout and meeting mode
# also read the DMS store metrics (one or two grouped queries, whatever the rows). With the
# rectification app installed (``grow`` makes projects too) the board-based pages add one
# grouped query for both periods' rectification KPIs (dashboards.rectification.kpis_for)
# and the red projects; the home pages add the hook's lists (tracking due, red projects)
# and the rectification app's own "my projects" block (running, to sign) — a fixed number
# of queries per page, not per project (the test compares few rows with many).
PAGES = [
    # (who, url, pinned maximum: the count measured when the test was written)
    ("lead", f"/dashboards/?{NOW_PERIOD}", 13),
    ("director", f"/dashboards/?{NOW_PERIOD}&tier=B", 13),
    ("lead", f"/dashboards/process/?{NOW_PERIOD}", 19),
    ("lead", f"/dashboards/export.xlsx?{NOW_PERIOD}&page=process", 18),
    ("lead", "/dashboards/meetings/", 9),
    ("lead", "/dashboards/meetings/{meeting}/", 9),
    ("lead", "/dashboards/meetings/{meeting}/mode/", 19),
    ("head", "/dashboards/meetings/{meeting}/mode/", 18),
    ("lead", "/dashboards/actions/?status=all", 5),
    ("head", "/dashboards/actions/?mine=1", 5),
    ("lead", "/dashboards/targets/", 5),
    ("lead", "/dashboards/rollout/", 7),
    ("lead", "/", 13),
    ("executive", "/", 12),
    ("director", "/", 14),
    ("ops", "/", 10),
    ("head", "/", 9),
    ("manager", "/", 10),
    ("lead", f"/api/v1/kpis/?{NOW_PERIOD}", 10),
]


def count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("who", "url", "limit"), PAGES)
def test_query_count_does_not_grow_with_rows(
    cast, client, who, url, limit, django_assert_max_num_queries
):
    user = getattr(cast, who)
    meeting = grow(cast, 4)
    small = count(client, user, url.format(meeting=meeting.pk))
    Meeting.objects.all().delete()  # its decisions and action items go with it
    Issue.objects.all().delete()
    Project.objects.all().delete()
    meeting = grow(cast, 40)
    client.force_login(user)
    with django_assert_max_num_queries(limit):
        assert client.get(url.format(meeting=meeting.pk)).status_code == 200
    large = count(client, user, url.format(meeting=meeting.pk))
    assert large == small, (url, small, large)
