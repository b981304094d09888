"""Each role's home page (closedloop.org.views.home delegates to dashboards.views.home):
the store manager's open items and what waits for them; the ops specialist's triage
queue; the department's items by SLA state and its response rate; the board for the
quality lead, the executive (read-only) and the regional director (their region)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from dashboards import services
from rectification import services as rectification_services
from rectification.choices import Health
from rectification.models import Project
from tests.rectification.helpers import recent_executing

from .helpers import make_issue

pytestmark = pytest.mark.django_db


def text_of(html, name):
    match = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', html)
    return match.group(1).strip() if match else None


def home(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_store_manager_sees_what_waits_for_them(cast, client):
    now = timezone.now()
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=3),
        status="waiting_for_store",
        title="请补充截图",
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=5),
        status="resolved",
        resolved_at=now - dt.timedelta(days=1),
        title="请确认修复",
    )
    make_issue(
        cast, submitted_at=now - dt.timedelta(days=2), status="in_progress", title="处理中的问题"
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=2),
        store=cast.org.ningbo,
        submitted_by=cast.neighbour,
        title="邻店的问题",
    )
    html = home(client, cast.manager)
    assert 'data-testid="home-store"' in html
    assert text_of(html, "waiting-count") == "2"
    assert text_of(html, "open-count") == "2"  # waiting for the store + in progress
    waiting = html.split('data-testid="waiting-list"')[1].split("</ul>")[0]
    assert "请补充截图" in waiting and "请确认修复" in waiting and "处理中的问题" not in waiting
    assert "处理中的问题" in html and "邻店的问题" not in html
    # The page keeps the store card and the visible-store count.
    assert text_of(html, "store-count") == "1" and 'data-testid="my-store"' in html


def test_ops_specialist_sees_the_triage_queue(cast, client):
    now = timezone.now()
    make_issue(
        cast, submitted_at=now - dt.timedelta(hours=2), status="submitted", title="待分级的问题"
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(hours=2),
        status="submitted",
        store=cast.org.guangzhou,
        submitted_by=cast.far_manager,
        title="别人门店的",
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=3),
        status="in_progress",
        resolution_due_at=now - dt.timedelta(hours=1),
    )
    # Rectification projects of the ops specialist's store: one due for tracking today,
    # one red (next tracking tomorrow), one due but cancelled.
    due, red, cancelled = (recent_executing(cast) for _ in range(3))
    today = timezone.localdate()
    Project.objects.filter(pk__in=[due.pk, cancelled.pk]).update(next_tracking_on=today)
    Project.objects.filter(pk=red.pk).update(
        next_tracking_on=today + dt.timedelta(days=1), health=Health.RED
    )
    rectification_services.cancel(project=cancelled, actor=cast.ops, reason="门店整合")
    html = home(client, cast.ops)
    assert 'data-testid="home-ops"' in html
    assert text_of(html, "triage-count") == "1"
    assert text_of(html, "overdue-count") == "1"
    assert "待分级的问题" in html and "别人门店的" not in html
    assert 'data-testid="rectification-off"' not in html
    tracking = html.split('data-testid="tracking-due"')[1].split("</ul>")[0]
    assert due.number in tracking and red.number not in tracking
    assert cancelled.number not in tracking
    reds = html.split('data-testid="red-projects"')[1].split("</ul>")[0]
    assert red.number in reds and due.number not in reds


def test_department_head_sees_items_by_sla_state_and_the_response_rate(cast, client):
    now = timezone.now()
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=5),
        resolution_due_at=now - dt.timedelta(hours=3),
        first_response_at=now - dt.timedelta(days=5),
        title="已超时的问题",
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=1),
        resolution_due_at=now + dt.timedelta(hours=2),
        first_response_at=now - dt.timedelta(days=1),
        title="快到期的问题",
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=1),
        status="waiting_for_store",
        resolution_due_at=now + dt.timedelta(days=3),
        first_response_at=now - dt.timedelta(hours=20),
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=1),
        resolution_due_at=now + dt.timedelta(days=5),
        first_response_at=now - dt.timedelta(hours=20),
    )
    make_issue(
        cast,
        submitted_at=now - dt.timedelta(days=1),
        department=cast.org.supply,
        resolution_due_at=now - dt.timedelta(hours=1),
        title="供应链的",
    )
    # This month's responses: one in time, one late.
    start = now.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(day=1, hour=12, minute=0)
    if start < now - dt.timedelta(hours=2):
        make_issue(
            cast,
            submitted_at=start - dt.timedelta(hours=1),
            status="closed",
            response_due_at=start,
            first_response_at=start - dt.timedelta(minutes=5),
            resolved_at=start,
            closed_at=start,
        )
        make_issue(
            cast,
            submitted_at=start - dt.timedelta(hours=1),
            status="closed",
            response_due_at=start,
            first_response_at=start + dt.timedelta(minutes=5),
            resolved_at=start,
            closed_at=start,
        )
        expected_rate = "50%"
    else:  # the month began less than two hours ago: nothing fell due yet
        expected_rate = "—"
    html = home(client, cast.head)
    assert 'data-testid="home-department"' in html
    counts = {s: text_of(html, f"sla-{s}") for s in ("breached", "soon", "paused", "running")}
    assert counts == {"breached": "1", "soon": "1", "paused": "1", "running": "1"}
    urgent = html.split('data-testid="urgent-list"')[1].split("</ul>")[0]
    assert urgent.index("已超时的问题") < urgent.index("快到期的问题")
    assert "供应链的" not in html
    assert text_of(html, "department-response-rate") == expected_rate


def test_department_head_sees_their_action_items(cast, client):
    meeting = services.schedule_meeting(
        actor=cast.lead, date=timezone.localdate(), invited=[cast.head]
    )
    services.start_meeting(actor=cast.lead, meeting=meeting)
    services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="topic",
        text="本周完成培训",
        owner=cast.head,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    html = home(client, cast.head)
    assert "本周完成培训" in html.split('data-testid="my-actions"')[1]
    assert "本周完成培训" not in home(client, cast.scm_head)


@pytest.mark.parametrize("who", ["lead", "executive", "director"])
def test_the_board_at_home(cast, client, who):
    html = home(client, getattr(cast, who))
    assert 'data-testid="home-board"' in html and 'data-testid="headline"' in html
    # No target yet: only the quality lead is offered to set them.
    assert "还没有设置目标" in html
    assert ('class="btn btn-primary" href="/dashboards/targets/"' in html) == (who == "lead")


def test_the_directors_board_is_their_regions(cast, client):
    now = timezone.now()
    make_issue(cast, submitted_at=now, store=cast.org.guangzhou, submitted_by=cast.far_manager)
    make_issue(cast, submitted_at=now)
    assert text_of(home(client, cast.lead), "kpi-submitted") == "2"
    assert text_of(home(client, cast.director), "kpi-submitted") == "1"
