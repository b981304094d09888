"""The demo has store metrics: two months per active store, so the store pages show
charts, and the source's case — Hangzhou's waiting time above 35 minutes three days in
a row — with the issue it opened."""

import io

import pytest
from django.core.management import call_command

from closedloop.notifications.models import Delivery
from closedloop.org.models import Store
from integrations.models import MetricAlert, MetricReading

pytestmark = pytest.mark.django_db


def test_the_demo_pushes_metrics_and_opens_the_hangzhou_alert():
    out = io.StringIO()
    call_command("load_demo", "--issues", "5", stdout=out)
    stores = Store.objects.filter(active=True).count()
    assert MetricReading.objects.count() == stores * 4 * 60
    alert = MetricAlert.objects.get(store__code="HZ001", metric__code="waiting_minutes")
    assert alert.issue.channel == "dms" and alert.issue.submitted_by.username == "dms"
    assert [r["value"] for r in alert.readings] == ["42", "40", "38"]
    assert not Delivery.objects.exists()  # history: nobody is mailed
    assert "演示门店指标：新增" in out.getvalue()

    call_command("load_demo", "--issues", "5", stdout=io.StringIO())
    assert MetricReading.objects.count() == stores * 4 * 60
