"""A finding becomes an issue in one action (转为问题): channel 巡检, the inspection's
store, pre-filled from the finding (title, description with its origin, the category its
checklist dimension suggests), and linked both ways — the finding names the issue, the
issue's page shows the finding. The rectification link is a field waiting for that app."""

import pytest

from closedloop.errors import DomainError, InvalidTransition
from inspections import services
from issues.models import Issue

from .helpers import finding, perform

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return perform(
        cast,
        findings=[
            finding("客户平均等待时间 45 分钟，超过标准", "high", "da_waiting"),
            finding("高峰期前台人手不足", "medium"),
        ],
        da_waiting=False,
    )


def test_the_issue_is_prefilled_and_linked(cast, inspection):
    row = inspection.findings.get(seq=1)
    issue = services.finding_to_issue(finding=row, actor=cast.ops)
    row.refresh_from_db()
    assert row.issue == issue
    assert (issue.channel, issue.store, issue.submitted_by) == (
        "inspection",
        cast.org.hangzhou,
        cast.ops,
    )
    assert issue.title == "客户平均等待时间 45 分钟，超过标准"
    assert issue.category == "system"  # the data dimension (da_waiting)
    assert issue.impact_scope == "store" and issue.status == "submitted"
    assert "2026-11-20 巡检，问题 #1，优先级高" in issue.description
    assert "检查项：客户平均等待时间达标" in issue.description
    assert inspection.events.filter(action="to_issue", body=issue.number).exists()
    # Once: a second conversion is refused.
    with pytest.raises(InvalidTransition):
        services.finding_to_issue(finding=row, actor=cast.ops)
    assert Issue.objects.count() == 1


def test_a_finding_without_an_item_is_a_process_issue(cast, inspection):
    issue = services.finding_to_issue(finding=inspection.findings.get(seq=2), actor=cast.lead)
    assert issue.category == "process"


def test_the_person_may_change_the_prefilled_fields(cast, inspection):
    issue = services.finding_to_issue(
        finding=inspection.findings.get(seq=1),
        actor=cast.ops,
        category="people",
        impact_scope="multi_store",
        title="多店等待时间超标",
        description="同区域 3 家店都有",
    )
    assert (issue.category, issue.impact_scope, issue.title) == (
        "people",
        "multi_store",
        "多店等待时间超标",
    )


def test_bad_input_creates_nothing(cast, inspection):
    row = inspection.findings.get(seq=1)
    with pytest.raises(DomainError) as refused:
        services.finding_to_issue(finding=row, actor=cast.ops, category="nonsense", title=" ")
    assert set(refused.value.errors) == {"category", "title"}
    row.refresh_from_db()
    assert row.issue is None and not Issue.objects.exists()


def test_the_store_manager_cannot_convert(cast, inspection):
    from closedloop.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.finding_to_issue(finding=inspection.findings.get(seq=1), actor=cast.manager)


def test_one_action_on_the_page_and_the_issue_page_shows_the_finding(cast, client, inspection):
    row = inspection.findings.get(seq=1)
    client.force_login(cast.ops)
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert f'data-testid="action-to_issue-{row.pk}"' in page
    assert 'value="客户平均等待时间 45 分钟，超过标准"' in page  # pre-filled title
    response = client.post(
        f"/inspections/{inspection.pk}/do/to_issue/{row.pk}/",
        {
            f"to_issue-{row.pk}-title": "客户平均等待时间 45 分钟，超过标准",
            f"to_issue-{row.pk}-description": "见巡检报告",
            f"to_issue-{row.pk}-category": "system",
            f"to_issue-{row.pk}-impact_scope": "store",
        },
    )
    row.refresh_from_db()
    assert row.issue is not None
    assert response.status_code == 302 and response["Location"] == row.issue.get_absolute_url()
    # The issue's page names the finding and links back; the inspection links the issue.
    issue_page = client.get(row.issue.get_absolute_url()).content.decode()
    assert 'data-testid="issue-inspection-finding"' in issue_page
    assert f"/inspections/{inspection.pk}/#finding-{row.pk}" in issue_page
    assert "问题 #1（优先级高）" in issue_page
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert row.issue.number in page and f'data-testid="action-to_issue-{row.pk}"' not in page
    # The store manager sees the issue of their store with its origin.
    client.force_login(cast.manager)
    assert "来自巡检" in client.get(row.issue.get_absolute_url()).content.decode()


def test_through_the_api(cast, api, inspection):
    row = inspection.findings.get(seq=2)
    client = api.as_(cast.ops)
    url = f"/api/v1/inspections/{inspection.pk}/findings/{row.pk}/issue/"
    response = client.post(url, {"category": "people"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    issue = Issue.objects.get(number=body["issue"])
    assert issue.category == "people" and issue.channel == "inspection"
    assert body["finding"]["issue"] == issue.number and body["finding"]["rectification"] is None
    assert body["url"].endswith(f"/issues/{issue.number}/")
    again = client.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    detail = client.get(f"/api/v1/inspections/{inspection.pk}/").json()
    assert [f["issue"] for f in detail["findings"]] == [None, issue.number]
