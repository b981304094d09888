"""The quality lead edits the store metrics and their thresholds in the admin, and the
next batch is judged by the new threshold."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from closedloop.org.services import upsert_user
from integrations.models import MetricDefinition
from integrations.services import metrics


def test_the_quality_lead_edits_a_threshold_and_it_applies(cast, client):
    lead, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    client.force_login(lead)
    assert client.get("/admin/integrations/metricdefinition/").status_code == 200
    nps = MetricDefinition.objects.get(code="nps")
    response = client.post(
        f"/admin/integrations/metricdefinition/{nps.pk}/change/",
        {
            "name": "门店NPS",
            "unit": "分",
            "direction": "higher",
            "threshold": "60",
            "consecutive_days": "2",
            "issue_category": "process",
            "active": "on",
            "order": "20",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nps.refresh_from_db()
    assert (nps.threshold, nps.consecutive_days) == (Decimal("60"), 2)

    today = timezone.localdate()
    result = metrics.record_readings(
        actor=cast.dms,
        rows=[
            {
                "store": "HZ001",
                "metric": "nps",
                "date": (today - dt.timedelta(days=d)).isoformat(),
                "value": 55,
            }
            for d in (1, 2)
        ],
    )
    assert len(result.issues) == 1 and result.issues[0].title == "门店NPS连续 2 天低于 60分"


def test_a_threshold_cannot_span_more_than_a_month(cast, client):
    lead, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    client.force_login(lead)
    waiting = MetricDefinition.objects.get(code="waiting_minutes")
    response = client.post(
        f"/admin/integrations/metricdefinition/{waiting.pk}/change/",
        {
            "name": "x",
            "direction": "lower",
            "consecutive_days": "40",
            "issue_category": "process",
            "order": "1",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    waiting.refresh_from_db()
    assert waiting.consecutive_days == 3


def test_other_roles_cannot_edit_metric_definitions(cast, client):
    client.force_login(cast.ops)
    response = client.get("/admin/integrations/metricdefinition/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
