"""Every admin that changes an input of the due times — SLA policies, the escalation
ladder, calendar years and days — recomputes the open issues after the change commits
(``issues/configuration.py``): entering next year's holidays gives the issues flagged for
the missing year their due times; a new holiday moves the working-hours due times."""

import pytest

from closedloop.org.services import upsert_user
from issues import tasks
from issues.models import CalendarDay, CalendarYear, Issue
from tests.factories import at, new_issue, to_triaged

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_lead(org, client):
    user, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    client.force_login(user)
    return user


@pytest.fixture
def recomputes(monkeypatch):
    """The recompute task as the worker would run it, in-process; the priorities sent."""
    sent = []

    def delay(priority):
        sent.append(priority)
        return tasks.recompute_sla.apply(args=[priority])

    monkeypatch.setattr(tasks.recompute_sla, "delay", delay)
    return sent


def _flagged_issue(cast):
    # P2 from Mon 14 Dec 2026: the resolution due (15 working days) needs January 2027.
    issue = to_triaged(
        cast, new_issue(cast, when=at(2026, 12, 14, 9)), when=at(2026, 12, 14, 9), priority="P2"
    )
    assert issue.sla_calendar_gap is True and issue.resolution_due_at is None
    return issue


def test_entering_next_year_in_the_calendar_admin_recomputes_flagged_issues(
    cast, admin_lead, client, recomputes, django_capture_on_commit_callbacks
):
    issue = _flagged_issue(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/issues/calendaryear/add/",
            {"year": 2027, "source": "国务院办公厅通知", "note": "2027 年放假安排"},
        )
    assert response.status_code == 302
    assert recomputes == [None]
    issue.refresh_from_db()
    assert issue.sla_calendar_gap is False
    assert issue.resolution_due_at is not None and issue.resolution_due_at.year == 2027
    ladder = issue.sla_milestones.get(clock="resolution", percent=100)
    assert ladder.due_at == issue.resolution_due_at


def test_a_holiday_entered_in_the_calendar_admin_moves_working_hours_due_times(
    cast, admin_lead, client, recomputes, django_capture_on_commit_callbacks
):
    # P2 from Mon 23 Nov 2026 10:00: 72 working hours (9 a day) end Thu 3 Dec at 10:00.
    issue = to_triaged(
        cast, new_issue(cast, when=at(2026, 11, 23, 10)), when=at(2026, 11, 23, 10), priority="P2"
    )
    assert issue.response_due_at == at(2026, 12, 3, 10)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/issues/calendarday/add/", {"date": "2026-11-30", "name": "临时放假"}
        )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2026-11-30").is_workday is False
    assert recomputes == [None]
    issue.refresh_from_db()
    assert issue.response_due_at == at(2026, 12, 4, 10)  # one working day later


def test_deleting_a_selection_of_calendar_days_recomputes_too(
    cast, admin_lead, client, recomputes, django_capture_on_commit_callbacks
):
    issue = to_triaged(
        cast, new_issue(cast, when=at(2026, 11, 23, 10)), when=at(2026, 11, 23, 10), priority="P2"
    )
    day = CalendarDay.objects.create(date="2026-11-30", is_workday=False, name="临时放假")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/issues/calendarday/",
            {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"},
        )
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert recomputes == [None]
    issue.refresh_from_db()
    assert issue.response_due_at == at(2026, 12, 3, 10)


def test_a_refused_calendar_entry_changes_nothing_and_recomputes_nothing(
    cast, admin_lead, client, recomputes, django_capture_on_commit_callbacks
):
    issue = _flagged_issue(cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/issues/calendaryear/add/", {"year": "", "source": "x"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert recomputes == []
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert Issue.objects.get(pk=issue.pk).sla_calendar_gap is True


def test_the_ladder_and_the_policies_report_their_changes(
    cast, admin_lead, client, recomputes, django_capture_on_commit_callbacks
):
    from issues.models import EscalationLevel, SlaPolicy

    level = EscalationLevel.objects.order_by("percent").first()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/issues/escalationlevel/",
            {"action": "delete_selected", "_selected_action": [level.pk], "post": "yes"},
        )
    assert recomputes == [None]
    policy = SlaPolicy.objects.get(priority="P1")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/issues/slapolicy/{policy.pk}/change/",
            {"priority": "P1", "response_hours": 12, "resolution_days": 7},
        )
    assert recomputes == [None, "P1"]
