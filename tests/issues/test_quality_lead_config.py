"""The quality lead configures SLA policies, the work calendar, routing rules, the
escalation ladder and group bots in the admin; other roles cannot."""

import pytest

from closedloop.org.services import upsert_user

pytestmark = pytest.mark.django_db

CONFIG_PAGES = [
    "/admin/issues/slapolicy/",
    "/admin/issues/calendarday/",
    "/admin/issues/calendaryear/",
    "/admin/issues/routingrule/",
    "/admin/issues/escalationlevel/",
    "/admin/notifications/botwebhook/",
]


@pytest.fixture
def lead(org):
    user, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    return user


@pytest.mark.parametrize("url", CONFIG_PAGES)
def test_quality_lead_can_open_configuration(lead, client, url):
    client.force_login(lead)
    assert client.get(url).status_code == 200


def test_quality_lead_edits_sla_policy(lead, client):
    from issues.models import SlaPolicy

    client.force_login(lead)
    policy = SlaPolicy.objects.get(priority="P2")
    response = client.post(
        f"/admin/issues/slapolicy/{policy.pk}/change/",
        {"priority": "P2", "response_hours": 48, "resolution_days": 10, "business_hours": "on"},
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.response_hours, policy.resolution_days) == (48, 10)


def test_quality_lead_keeps_accounts_but_not_privileged_ones(lead, client, cast):
    client.force_login(lead)
    assert client.get("/admin/org/user/").status_code == 200
    page = client.get(f"/admin/org/user/{cast.manager.pk}/change/").content.decode()
    assert 'name="_save"' in page  # a store manager's account: editable
    boss = type(cast.manager).objects.create_superuser("boss", "boss@example.com", "x-Pass-1234")
    page = client.get(f"/admin/org/user/{boss.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # a superuser's: read-only for the lead


def test_other_roles_get_no_admin(cast, client):
    client.force_login(cast.head)
    response = client.get("/admin/issues/slapolicy/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_role_change_removes_admin_access(lead, client, org):
    upsert_user(username="qlead", role="executive")
    lead.refresh_from_db()
    assert not lead.is_staff and not lead.groups.exists()


def test_policy_change_recomputes_open_issues(cast):
    from issues import services
    from issues.models import SlaPolicy
    from tests.factories import at, new_issue, to_triaged

    submitted = at(2026, 11, 23, 10)
    issue = to_triaged(cast, new_issue(cast, when=submitted), when=submitted)  # P1: 24 h
    assert issue.response_due_at == at(2026, 11, 24, 10)
    SlaPolicy.objects.filter(priority="P1").update(response_hours=12)
    assert services.recompute_open_issues(priority="P1") == 1
    issue.refresh_from_db()
    assert issue.response_due_at == at(2026, 11, 23, 22)
    assert issue.sla_milestones.get(clock="response", percent=100).due_at == at(2026, 11, 23, 22)


def test_saving_policy_in_admin_enqueues_recompute(
    lead, client, django_capture_on_commit_callbacks, monkeypatch
):
    from issues import tasks
    from issues.models import SlaPolicy

    sent = []
    monkeypatch.setattr(tasks.recompute_sla, "delay", lambda priority: sent.append(priority))
    client.force_login(lead)
    policy = SlaPolicy.objects.get(priority="P3")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/issues/slapolicy/{policy.pk}/change/",
            {
                "priority": "P3",
                "response_hours": 100,
                "resolution_days": 20,
                "business_hours": "on",
            },
        )
    assert sent == ["P3"]


def test_saving_other_roles_does_not_rebuild_the_group(org, django_assert_max_num_queries):
    from django.contrib.auth.models import Group

    upsert_user(username="sm", role="store_manager", store="HZ001", password="Shop-Pass-2026!")
    assert not Group.objects.exists()
    with django_assert_max_num_queries(7):
        upsert_user(username="sm", role="store_manager", store="HZ001", display_name="店长")
