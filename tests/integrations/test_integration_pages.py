"""The quality lead's 接口集成 pages: tokens (list, create with the key shown once,
revoke), webhooks (create with the secret shown once, the delivery log, redeliver,
switch off and on, delete), the metric definitions with the issues they opened, and the
metric charts on the store page."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from closedloop.core.navigation import items_for
from integrations.choices import DeliveryStatus
from integrations.models import ApiToken, MetricReading, WebhookDelivery, WebhookSubscription
from integrations.services import metrics, tokens, webhooks

PAGES = [
    "/integrations/",
    "/integrations/webhooks/",
    "/integrations/imports/",
    "/integrations/metrics/",
]


@pytest.mark.parametrize("path", PAGES)
def test_only_the_quality_lead_opens_the_pages(cast, client, path):
    for who in ("manager", "ops", "head", "executive", "director"):
        client.force_login(getattr(cast, who))
        assert client.get(path).status_code == 403, who
    client.force_login(cast.lead)
    assert client.get(path).status_code == 200


def test_the_lead_has_the_navigation_entry(cast):
    assert "integrations:tokens" in {i["name"] for i in items_for(cast.lead)}
    assert "integrations:tokens" not in {i["name"] for i in items_for(cast.ops)}


def test_the_lead_creates_a_token_and_sees_the_key_once(cast, client):
    client.force_login(cast.lead)
    response = client.post(
        "/integrations/",
        {
            "user": cast.dms.pk,
            "name": "DMS 生产",
            "scopes": ["issues:write", "metrics:write"],
            "stores": "HZ001, NB001",
            "regions": ["SOUTH"],
            "days": "90",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    key = re.search(r'data-testid="new-token-key">([^<]+)<', html).group(1)
    token = ApiToken.objects.get()
    assert token.prefix == key[: len(token.prefix)] and token.created_by == cast.lead
    assert sorted(s.code for s in token.stores.all()) == ["HZ001", "NB001"]
    assert [r.code for r in token.regions.all()] == ["SOUTH"]
    # The next visit lists it, without the key.
    listing = client.get("/integrations/").content.decode()
    assert token.prefix in listing and key not in listing and "DMS 生产" in listing


def test_a_refused_token_shows_the_reason_on_the_field(cast, client):
    client.force_login(cast.lead)
    response = client.post(
        "/integrations/", {"user": cast.dms.pk, "scopes": ["org:write"], "stores": "HZ001"}
    )
    assert response.status_code == 400
    assert "org:write" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_lead_revokes_a_token_on_the_page(cast, client):
    token, key = tokens.issue_token(user=cast.dms)
    client.force_login(cast.lead)
    response = client.post(f"/integrations/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.state == "revoked"
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/stores/").status_code == 401


def test_token_page_query_count_is_pinned(cast, client, django_assert_max_num_queries):
    for n in range(10):
        tokens.issue_token(user=cast.dms, scopes=["issues:read"], stores=["HZ001"], name=f"t{n}")
    client.force_login(cast.lead)
    with django_assert_max_num_queries(14):
        response = client.get("/integrations/")
    assert response.content.decode().count('data-testid="token-row"') == 10


def test_the_lead_subscribes_a_webhook_and_works_its_delivery_log(
    cast, client, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(webhooks, "enqueue", lambda ids, **kw: sent.append((ids, kw)) or 0)
    client.force_login(cast.lead)
    response = client.post(
        "/integrations/webhooks/",
        {"url": "https://dms.example.com/hook", "events": ["issue.created", "report.published"]},
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()  # shown once, here
    (pk,) = webhooks.emit("issue.created", {"issue": {"number": "ISS-1"}})
    WebhookDelivery.objects.filter(pk=pk).update(status=DeliveryStatus.FAILED, attempts=8)
    delivery = WebhookDelivery.objects.get(pk=pk)

    detail = client.get(f"/integrations/webhooks/{subscription.pk}/").content.decode()
    assert str(delivery.delivery_id) in detail and subscription.secret not in detail

    with django_capture_on_commit_callbacks(execute=True):
        with_button = client.post(
            f"/integrations/webhooks/{subscription.pk}/deliveries/{delivery.delivery_id}/redeliver/"
        )
    assert with_button.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert sent[-1] == ([pk], {"manual": True})

    client.post(f"/integrations/webhooks/{subscription.pk}/toggle/")
    subscription.refresh_from_db()
    assert subscription.active is False
    client.post(f"/integrations/webhooks/{subscription.pk}/toggle/")
    subscription.refresh_from_db()
    assert subscription.active is True

    client.post(f"/integrations/webhooks/{subscription.pk}/delete/")
    assert not WebhookSubscription.objects.exists()


def test_a_bad_webhook_form_is_refused_on_the_field(cast, client):
    client.force_login(cast.lead)
    response = client.post(
        "/integrations/webhooks/", {"url": "not a url", "events": ["issue.created"]}
    )
    assert response.status_code == 400 and "http://" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_webhook_pages_query_counts_are_pinned(
    cast, client, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(webhooks, "enqueue", lambda ids, **kw: 0)
    for n in range(5):
        webhooks.create_subscription(
            actor=cast.lead, url=f"https://h{n}.example.com/", events=["issue.created"]
        )
    for n in range(10):
        webhooks.emit("issue.created", {"n": n})
    client.force_login(cast.lead)
    with django_assert_max_num_queries(12):
        listing = client.get("/integrations/webhooks/")
    assert listing.content.decode().count('data-testid="webhook-row"') == 5
    subscription = WebhookSubscription.objects.first()
    with django_assert_max_num_queries(12):
        detail = client.get(f"/integrations/webhooks/{subscription.pk}/")
    assert detail.content.decode().count('data-testid="delivery-row"') == 10


def test_the_metrics_page_lists_definitions_and_the_issues_they_opened(
    cast, client, django_assert_max_num_queries
):
    today = timezone.localdate()
    metrics.record_readings(
        actor=cast.dms,
        rows=[
            {
                "store": code,
                "metric": "waiting_minutes",
                "date": (today - dt.timedelta(days=d)).isoformat(),
                "value": 40,
            }
            for code in ("HZ001", "NB001", "GZ001")
            for d in range(3)
        ],
    )
    client.force_login(cast.lead)
    with django_assert_max_num_queries(12):
        response = client.get("/integrations/metrics/")
    html = response.content.decode()
    assert "客户平均等待时间" in html and "高于 35分钟，连续 3 天" in html
    assert html.count(">ISS-") == 3


def test_the_store_page_shows_its_metric_charts(cast, client):
    today = timezone.localdate()
    metrics.record_readings(
        actor=cast.dms,
        rows=[
            {
                "store": "HZ001",
                "metric": "waiting_minutes",
                "date": (today - dt.timedelta(days=d)).isoformat(),
                "value": 30 + d,
            }
            for d in range(5)
        ]
        + [{"store": "NB001", "metric": "nps", "date": today.isoformat(), "value": 70}],
    )
    client.force_login(cast.manager)
    html = client.get("/org/stores/HZ001/").content.decode()
    data = json.loads(
        re.search(r'id="store-metric-series" type="application/json">(.*?)</script>', html).group(1)
    )
    (series,) = data  # only this store's metrics
    assert series["code"] == "waiting_minutes" and series["threshold"] == 35
    assert [p[1] for p in series["points"]] == [34, 33, 32, 31, 30]
    assert 'data-metric="waiting_minutes"' in html
    assert "vendor/echarts/echarts.min.js" in html and "integrations/store_metrics.js" in html
    assert "<script>" not in html  # CSP: no inline script
    assert MetricReading.objects.count() == 6


def test_a_store_without_metrics_says_so(cast, client):
    client.force_login(cast.manager)
    html = client.get("/org/stores/HZ001/").content.decode()
    assert "暂无指标数据" in html and 'id="store-metric-series"' not in html


def test_the_pages_speak_english_on_request(cast, client):
    cast.lead.language = "en"
    cast.lead.save(update_fields=["language"])
    client.force_login(cast.lead)
    html = client.get("/integrations/").content.decode()
    assert "Integrations" in html and "New token" in html and "接口令牌" not in html
