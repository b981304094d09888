"""The meeting's pages: schedule, record, attendance, start, meeting mode with live
capture over htmx (a refused capture is explained in place, nothing saved), action
items completed from their list, and the action items on the issue page."""

import datetime as dt

import pytest

from dashboards import services
from dashboards.models import ActionItem, Decision, Meeting
from tests.rectification.helpers import kicked_off

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def meeting(cast):
    meeting = services.schedule_meeting(
        actor=cast.lead, date=dt.date(2026, 11, 25), invited=[cast.head, cast.scm_head]
    )
    return meeting


def test_the_quality_lead_schedules_a_meeting(cast, client):
    client.force_login(cast.lead)
    page = client.get("/dashboards/meetings/new/")
    assert page.status_code == 200
    response = client.post(
        "/dashboards/meetings/new/",
        {
            "date": "2026-12-02",
            "start": "14:00",
            "minutes": 90,
            "topic": "配件缺货",
            "invited": [cast.head.pk, cast.scm_head.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/dashboards/meetings/{meeting.pk}/"
    )
    assert meeting.topic == "配件缺货" and meeting.attendances.count() == 2
    again = client.post(
        "/dashboards/meetings/new/", {"date": "2026-12-03", "start": "14:00", "minutes": 90}
    )
    assert again.status_code == 200
    assert "已有周会记录" in again.content.decode()
    assert Meeting.objects.count() == 1


def test_only_headquarters_sees_meetings(cast, client, meeting):
    client.force_login(cast.manager)
    assert client.get("/dashboards/meetings/").status_code == 403
    assert client.get(f"/dashboards/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/dashboards/meetings/{meeting.pk}/mode/").status_code == 404
    client.force_login(cast.head)
    assert client.get(f"/dashboards/meetings/{meeting.pk}/mode/").status_code == 200
    assert client.get("/dashboards/meetings/new/").status_code == 403
    response = client.post(f"/dashboards/meetings/{meeting.pk}/do/start/")
    assert response.status_code == 403
    assert Meeting.objects.get().status == "planned"


def test_attendance_start_and_record(cast, client, meeting):
    client.force_login(cast.lead)
    response = client.post(
        f"/dashboards/meetings/{meeting.pk}/attendance/", {"attended": [cast.head.pk]}
    )
    assert response.status_code == 302
    assert list(meeting.attendances.filter(attended=True).values_list("user", flat=True)) == [
        cast.head.pk
    ]
    response = client.post(f"/dashboards/meetings/{meeting.pk}/do/start/", {"next": "mode"})
    assert response["Location"] == f"/dashboards/meetings/{meeting.pk}/mode/"
    html = client.get(f"/dashboards/meetings/{meeting.pk}/").content.decode()
    assert "1/2" in html and "进行中" in html


def test_editing_the_agenda_refuses_bad_minutes(cast, client, meeting):
    client.force_login(cast.lead)
    response = client.post(
        f"/dashboards/meetings/{meeting.pk}/edit/",
        {
            "topic": "专题",
            "minutes_review": 10,
            "minutes_top_issues": 0,
            "minutes_new_issues": 20,
            "minutes_topic": 20,
            "minutes_next_week": 10,
        },
    )
    assert response.status_code == 200
    assert meeting.blocks.get(kind="top_issues").planned_minutes == 30
    response = client.post(
        f"/dashboards/meetings/{meeting.pk}/edit/",
        {
            "topic": "专题",
            "minutes_review": 15,
            "minutes_top_issues": 25,
            "minutes_new_issues": 20,
            "minutes_topic": 20,
            "minutes_next_week": 10,
        },
    )
    assert response.status_code == 302
    assert meeting.blocks.get(kind="review").planned_minutes == 15
    assert Meeting.objects.get().topic == "专题"


def test_live_capture_over_htmx(cast, client, meeting):
    issue = make_issue(cast, submitted_at=bj(2026, 11, 20), priority="P1")
    services.start_meeting(actor=cast.lead, meeting=meeting)
    client.force_login(cast.lead)
    url = f"/dashboards/meetings/{meeting.pk}/decisions/"
    response = client.post(
        url,
        {
            "block": "top_issues",
            "issue": issue.number,
            "text": "IT 周五前修复",
            "owner": cast.head.pk,
            "due_on": "2026-11-27",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "decision-captured"
    html = response.content.decode()
    assert 'data-testid="decision-panel"' in html and "IT 周五前修复" in html
    assert "行动项" in html and "进行中" in html
    item = ActionItem.objects.get()
    assert (item.issue, item.owner, item.due_on) == (issue, cast.head, dt.date(2026, 11, 27))

    # A refused capture: explained in the panel, nothing saved, no refresh event.
    refused = client.post(
        url,
        {
            "block": "top_issues",
            "issue": issue.number,
            "text": "",
            "owner": cast.head.pk,
            "due_on": "2026-11-20",
        },
        **HTMX,
    )
    assert refused.status_code == 200 and "HX-Trigger" not in refused
    assert 'data-testid="decision-error"' in refused.content.decode()
    early = client.post(
        url, {"block": "topic", "text": "x", "owner": cast.head.pk, "due_on": "2026-11-20"}, **HTMX
    )
    assert "截止日期不能早于会议日期。" in early.content.decode()
    assert Decision.objects.count() == 1

    # Without htmx the same form works as a plain post and returns to the block.
    plain = client.post(url, {"block": "topic", "text": "培训跟进", "position": "3"})
    assert plain.status_code == 302 and plain["Location"].endswith("/mode/?block=3")
    assert Decision.objects.count() == 2 and ActionItem.objects.count() == 1  # unclear


def test_capture_is_the_quality_leads_and_needs_a_visible_issue(cast, client, meeting):
    services.start_meeting(actor=cast.lead, meeting=meeting)
    url = f"/dashboards/meetings/{meeting.pk}/decisions/"
    client.force_login(cast.head)
    assert client.post(url, {"block": "topic", "text": "x"}, **HTMX).status_code == 403
    client.force_login(cast.lead)
    assert (
        client.post(
            url, {"block": "top_issues", "issue": "ISS-2099-99999", "text": "x"}
        ).status_code
        == 404
    )
    assert not Decision.objects.exists()


def test_meeting_mode_shows_one_block_at_a_time(cast, client, meeting):
    client.force_login(cast.lead)
    html = client.get(f"/dashboards/meetings/{meeting.pk}/mode/?block=2").content.decode()
    assert html.count('class="mm-block ') == 5
    assert html.count(' hidden data-testid="block-') == 4
    assert ' hidden data-testid="block-new_issues"' not in html  # the third block is shown
    # No navigation bar: the projector shows the meeting only.
    assert 'data-testid="nav-items"' not in html
    assert client.get(f"/dashboards/meetings/{meeting.pk}/mode/?block=x").status_code == 200


def test_action_items_complete_from_the_list_and_show_on_the_issue(cast, client, meeting):
    issue = make_issue(cast, submitted_at=bj(2026, 11, 20), priority="P1")
    services.start_meeting(actor=cast.lead, meeting=meeting)
    decision = services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="top_issues",
        issue=issue,
        text="更换备件",
        owner=cast.head,
        due_on=dt.date(2026, 11, 30),
    )
    item = decision.action_item
    client.force_login(cast.head)
    page = client.get(f"/issues/{issue.number}/").content.decode()
    assert 'data-testid="issue-action-items"' in page and "更换备件" in page
    mine = client.get("/dashboards/actions/?mine=1").content.decode()
    assert "更换备件" in mine

    client.force_login(cast.scm_head)
    refused = client.post(f"/dashboards/actions/{item.pk}/do/complete/", **HTMX)
    assert refused.status_code == 403
    client.force_login(cast.head)
    done = client.post(f"/dashboards/actions/{item.pk}/do/complete/", **HTMX)
    assert done.status_code == 200 and 'data-status="done"' in done.content.decode()
    assert ActionItem.objects.get().status == "done"

    # The store sees its issue, not the meeting's internal action items.
    client.force_login(cast.manager)
    page = client.get(f"/issues/{issue.number}/").content.decode()
    assert "更换备件" not in page and 'data-testid="issue-action-items"' not in page


def test_cancelling_needs_a_reason(cast, client, meeting):
    services.start_meeting(actor=cast.lead, meeting=meeting)
    decision = services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="topic",
        text="x",
        owner=cast.head,
        due_on=dt.date(2026, 11, 30),
    )
    client.force_login(cast.lead)
    response = client.post(
        f"/dashboards/actions/{decision.action_item.pk}/do/cancel/", {"reason": ""}, **HTMX
    )
    assert response.status_code == 200
    assert "取消必须填写原因。" in response.content.decode()
    assert ActionItem.objects.get().status == "open"


def test_a_projects_action_items_for_its_page(cast, meeting):
    """The include a rectification project's page uses (``number=project.number``)."""
    from django.template import Context, Template
    from django.test import RequestFactory

    project = kicked_off(cast)  # a real rectification project the lead can see
    services.start_meeting(actor=cast.lead, meeting=meeting)
    services.capture_decision(
        actor=cast.lead,
        meeting=meeting,
        block="top_issues",
        project_number=project.number,
        text="加派服务顾问",
        owner=cast.head,
        due_on=dt.date(2026, 11, 30),
    )
    template = Template(
        '{% include "dashboards/includes/project_action_items.html" with number=number %}'
    )

    def render(user):
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request, "number": project.number}))

    assert "加派服务顾问" in render(cast.ops)
    assert "加派服务顾问" not in render(cast.manager)


def test_completing_a_decision_on_the_record_page(cast, client, meeting):
    services.start_meeting(actor=cast.lead, meeting=meeting)
    decision = services.capture_decision(
        actor=cast.lead, meeting=meeting, block="topic", text="产品部门出方案"
    )
    client.force_login(cast.head)
    refused = client.post(
        f"/dashboards/decisions/{decision.pk}/",
        {"text": "x", "owner": cast.head.pk, "due_on": "2026-12-02"},
    )
    assert refused.status_code == 403
    client.force_login(cast.lead)
    response = client.post(
        f"/dashboards/decisions/{decision.pk}/",
        {"text": "产品部门出方案", "owner": cast.scm_head.pk, "due_on": "2026-12-02"},
    )
    assert response.status_code == 302
    assert ActionItem.objects.get().owner == cast.scm_head
    html = client.get(f"/dashboards/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="unclear"' not in html and "1/1" in html
