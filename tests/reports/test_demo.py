"""The reports' demo: the last weeks' and months' reports, for the nation and each region,
that the quality lead sees; loading it again replaces, never duplicates."""

import io

import pytest
from django.core.management import call_command

from closedloop.org.choices import Role
from closedloop.org.models import Region, User
from reports.choices import Kind, Status
from reports.models import Report

pytestmark = pytest.mark.django_db


def test_the_demo_generates_the_last_weeks_and_months():
    out = io.StringIO()
    call_command("load_demo", "--issues", "60", stdout=out)
    assert "报告演示" in out.getvalue()
    scopes = 1 + Region.objects.count()
    assert Report.objects.filter(kind=Kind.WEEKLY).count() == 4 * scopes
    assert Report.objects.filter(kind=Kind.MONTHLY_RECTIFICATION).count() == 2 * scopes
    effect = Report.objects.filter(kind=Kind.MONTHLY_EFFECT)
    assert effect.count() == 2 * scopes
    assert effect.filter(status=Status.DRAFT).count() == scopes  # last month's, to review
    lead = User.objects.filter(role=Role.QUALITY_LEAD).order_by("pk").first()
    assert Report.objects.visible_to(lead).count() == Report.objects.count()
    assert not Report.objects.filter(status=Status.FAILED).exists()
    count = Report.objects.count()
    call_command("load_demo", "--issues", "60", stdout=io.StringIO())
    assert Report.objects.count() == count
