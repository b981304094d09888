"""The dashboards' demo (``manage.py load_demo``, after the organisation and the issues):
the source's targets, four held meetings with decisions and action items and the next one
planned, a before and an after for each rollout batch; idempotent."""

import io

import pytest
from django.core.management import call_command

from dashboards import rollout
from dashboards.models import ActionItem, Decision, KpiTarget, Meeting
from issues.models import Issue

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_through_the_services():
    out = io.StringIO()
    call_command("load_demo", "--issues", "60", stdout=out)
    assert "看板演示" in out.getvalue()
    assert KpiTarget.objects.count() == 9
    assert set(KpiTarget.objects.values_list("metric", flat=True)) >= {
        "resolution_rate",
        "avg_resolution_days",
        "backlog",
        "response_rate_P0",
    }
    held = Meeting.objects.filter(status="finished")
    assert held.count() == 4 and Meeting.objects.filter(status="planned").count() == 1
    assert all(m.attendances.filter(attended=True).exists() for m in held)
    assert Decision.objects.exists() and ActionItem.objects.filter(status="done").exists()
    # Every clear decision has its action item, and only those.
    assert ActionItem.objects.count() == Decision.objects.clear().count()
    lead = Meeting.objects.first().host
    batches = rollout.batches(lead)
    assert {b.name for b in batches} == {"试点", "第1批", "第2批"}
    assert all(b.before.submitted and b.after.submitted for b in batches)

    counts = (Issue.objects.count(), Meeting.objects.count(), Decision.objects.count())
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "已存在" in again.getvalue()
    assert (Issue.objects.count(), Meeting.objects.count(), Decision.objects.count()) == counts
