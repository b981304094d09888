"""Generating, regenerating, editing and publishing; who is told; failures; who sees
which report."""

import pytest

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.notifications.models import Notification
from integrations.models import WebhookDelivery
from integrations.services import webhooks
from reports import services
from reports.choices import Kind, Status
from reports.models import Report

from .helpers import AFTER_NOVEMBER, AFTER_WEEK, NOVEMBER, WEEK, bj, make_issue

pytestmark = pytest.mark.django_db


def inbox(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_regenerating_replaces_never_duplicates(cast):
    first = services.generate(kind=Kind.WEEKLY, period=WEEK, region=None, now=AFTER_WEEK)
    assert first.data["summary"]["submitted"] == 0
    make_issue(cast, submitted_at=bj(2026, 11, 17, 9))
    again = services.generate(kind=Kind.WEEKLY, period=WEEK, region=None, now=AFTER_WEEK)
    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert again.data["summary"]["submitted"] == 1
    # The subscribers were told once, whatever the runs.
    assert len(inbox(cast.lead, "report_published")) == 1


def test_weekly_and_summary_are_published_and_announced(cast):
    webhooks.create_subscription(
        actor=cast.lead, url="http://127.0.0.1:9/hook", events=["report.published"]
    )
    report = services.generate(kind=Kind.WEEKLY, period=WEEK, region=None, now=AFTER_WEEK)
    assert report.status == Status.PUBLISHED and report.published_at == AFTER_WEEK
    (note,) = inbox(cast.lead, "report_published")
    assert note.url == f"/reports/{report.pk}/"
    assert f"/reports/{report.pk}/report.xlsx" in note.body
    assert f"/reports/{report.pk}/report.pdf" in note.body
    assert len(inbox(cast.executive, "report_published")) == 1
    assert inbox(cast.director, "report_published") == []  # not the national one
    delivery = WebhookDelivery.objects.get(event="report.published")
    assert f'"id":{report.pk}' in delivery.payload
    assert f"/api/v1/reports/{report.pk}/pdf/" in delivery.payload
    east = services.generate(kind=Kind.WEEKLY, period=WEEK, region=cast.org.east, now=AFTER_WEEK)
    assert [n.object_ref for n in inbox(cast.director, "report_published")] == [str(east.pk)]
    assert len(inbox(cast.lead, "report_published")) == 1  # regional cuts go to directors


def test_the_effect_report_waits_for_the_quality_lead(cast):
    make_issue(cast, submitted_at=bj(2026, 11, 3, 9))
    report = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    assert report.status == Status.DRAFT
    assert inbox(cast.executive, "report_published") == []
    assert len(inbox(cast.lead, "report_draft")) == 1
    assert set(report.prose) == set(services.PROSE_KEYS)
    # Drafts are the quality lead's only.
    assert not Report.objects.visible_to(cast.executive).exists()
    with pytest.raises(PermissionDenied):
        services.edit_prose(actor=cast.executive, report=report, prose={"highlights": "x"})
    report = services.edit_prose(
        actor=cast.lead, report=report, prose={"highlights": "华东配件缺货问题解决率提升至85%"}
    )
    # A regeneration keeps the quality lead's words.
    report = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    assert report.prose["highlights"] == "华东配件缺货问题解决率提升至85%"
    report = services.publish(actor=cast.lead, report=report, at=AFTER_NOVEMBER)
    assert report.status == Status.PUBLISHED and report.published_by == cast.lead
    assert len(inbox(cast.executive, "report_published")) == 1
    with pytest.raises(InvalidTransition):
        services.publish(actor=cast.lead, report=report)
    with pytest.raises(InvalidTransition):
        services.edit_prose(actor=cast.lead, report=report, prose={"highlights": "y"})
    # What was published stays as published.
    make_issue(cast, submitted_at=bj(2026, 11, 4, 9))
    kept = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    assert kept.data == report.data and kept.status == Status.PUBLISHED


def test_prose_too_long_names_the_field_and_saves_nothing(cast):
    report = services.generate(
        kind=Kind.MONTHLY_EFFECT, period=NOVEMBER, region=None, now=AFTER_NOVEMBER
    )
    before = dict(report.prose)
    with pytest.raises(DomainError) as caught:
        services.edit_prose(
            actor=cast.lead,
            report=report,
            prose={"highlights": "ok", "root_causes": "长" * (services.PROSE_MAX + 1)},
        )
    assert "root_causes" in caught.value.errors
    assert str(services.PROSE_MAX) in str(caught.value.errors["root_causes"][0])
    report.refresh_from_db()
    assert report.prose == before


def test_a_failure_is_recorded_told_and_raised_then_cleared(cast, monkeypatch):
    def broken(scope, period, *, now):
        raise RuntimeError("database went away")

    monkeypatch.setitem(services.BUILDERS, Kind.WEEKLY, broken)
    with pytest.raises(services.ReportsFailed):
        services.generate_all(Kind.WEEKLY, WEEK, now=AFTER_WEEK)
    failed = Report.objects.filter(status=Status.FAILED)
    assert failed.count() == 3  # the nation and both regions
    national = failed.get(region=None)
    assert national.failures == 1 and "database went away" in national.error
    assert len(inbox(cast.lead, "report_failed")) == 3
    # The failed rows are on the quality lead's list only.
    assert Report.objects.visible_to(cast.lead).count() == 3
    assert not Report.objects.visible_to(cast.executive).exists()
    with pytest.raises(services.ReportsFailed):
        services.generate_all(Kind.WEEKLY, WEEK, now=AFTER_WEEK)
    national.refresh_from_db()
    assert national.failures == 2
    assert len(inbox(cast.lead, "report_failed")) == 6  # once per report and run
    monkeypatch.undo()
    services.generate_all(Kind.WEEKLY, WEEK, now=AFTER_WEEK)
    national.refresh_from_db()
    assert (national.status, national.failures, national.error) == (Status.PUBLISHED, 0, "")


def test_bad_kind_or_period(cast):
    with pytest.raises(DomainError) as caught:
        services.generate(kind=Kind.WEEKLY, period=NOVEMBER, now=AFTER_NOVEMBER)
    assert caught.value.field == "period"
    with pytest.raises(DomainError):
        services.period_for(Kind.MONTHLY_EFFECT, "2026-W47")
    assert services.period_for(Kind.WEEKLY, "2026-W47") == WEEK


@pytest.fixture
def published(cast):
    return {
        region: services.generate(
            kind=Kind.WEEKLY,
            period=WEEK,
            region=getattr(cast.org, region) if region else None,
            now=AFTER_WEEK,
        )
        for region in ("", "east", "south")
    }


#: role → which of the national, east and south reports they see.
SEES = {
    "manager": set(),
    "neighbour": set(),
    "ops": set(),
    "director": {"east"},
    "head": set(),
    "member": set(),
    "lead": {"", "east", "south"},
    "executive": {"", "east", "south"},
    "outsider": set(),
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_who_sees_which_report(cast, published, role):
    user = getattr(cast, role)
    visible = set(Report.objects.visible_to(user).values_list("pk", flat=True))
    assert visible == {published[r].pk for r in SEES[role]}


def test_machine_clients_and_inactive_people(cast, published):
    assert not Report.objects.visible_to(cast.dms).exists()  # no reports:read
    cast.dms.api_scopes = [*cast.dms.api_scopes, "reports:read"]
    cast.dms.save()
    assert Report.objects.visible_to(cast.dms).count() == 3
    cast.director.is_active = False
    cast.director.save()
    assert not Report.objects.visible_to(cast.director).exists()


def test_the_database_holds_one_report_per_kind_period_and_region(cast):
    from django.db import IntegrityError, transaction

    fields = {"kind": Kind.WEEKLY, "period": "2026-W47", "first_day": WEEK.first_day}
    Report.objects.create(**fields, last_day=WEEK.last_day)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields, last_day=WEEK.last_day)  # national: NULL is a value
    Report.objects.create(**fields, last_day=WEEK.last_day, region=cast.org.east)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields, last_day=WEEK.last_day, region=cast.org.east)
