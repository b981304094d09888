"""Store metrics: the shipped definitions, batches upserted all or nothing, and the
threshold that opens exactly one issue per store and metric while that issue is open."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from closedloop.notifications.models import Notification
from integrations.models import MetricAlert, MetricDefinition, MetricReading
from issues import services as issue_services
from issues.choices import Channel
from issues.models import Issue
from tests.celery_fixtures import private_queue  # noqa: F401 (fixture)

from .conftest import seed_integrations


def _day(n: int) -> str:
    """n days ago, as the DMS sends dates."""
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


def _rows(store, values, metric="waiting_minutes", start=3):
    """Readings on consecutive days, the last ``start - len + 1`` days ago."""
    return [
        {"store": store, "metric": metric, "date": _day(start - i), "value": value}
        for i, value in enumerate(values)
    ]


@pytest.fixture
def dms(cast, token_client):
    return token_client(cast.dms)


def test_the_sources_definitions_ship(db, api, cast):
    waiting = MetricDefinition.objects.get(code="waiting_minutes")
    assert (waiting.name, waiting.unit, waiting.direction) == ("客户平均等待时间", "分钟", "lower")
    assert (waiting.threshold, waiting.consecutive_days) == (Decimal("35"), 3)
    response = api.as_(cast.dms).get("/api/v1/metric-definitions/")
    codes = [d["code"] for d in response.json()["results"]]
    assert codes == ["waiting_minutes", "nps", "satisfaction", "complaints"]
    first = response.json()["results"][0]
    assert first["threshold"] == 35 and first["breach"] == "above"
    assert first["consecutive_days"] == 3 and first["direction"] == "lower"
    assert first["thresholds"] == {"value": 35, "breach": "above", "consecutive_days": 3}
    assert response.json()["results"][1]["thresholds"] is None  # nps: no alert shipped


def test_a_batch_is_upserted_by_store_metric_and_date(cast, dms):
    rows = [
        *_rows("HZ001", [20, 21]),
        {"store": "NB001", "metric": "nps", "date": _day(1), "value": 62.5},
    ]
    response = dms.post("/api/v1/metrics/", rows, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "issues": []}
    again = dms.post(
        "/api/v1/metrics/",
        [{"store": "HZ001", "metric": "waiting_minutes", "date": _day(3), "value": 25}],
        format="json",
    )
    assert again.json() == {"created": 0, "updated": 1, "issues": []}
    reading = MetricReading.objects.get(store=cast.org.hangzhou, date=_day(3))
    assert reading.value == Decimal("25") and reading.source == "dms"
    assert MetricReading.objects.count() == 3


def test_one_wrong_row_stores_nothing_and_each_error_is_named(cast, dms):
    rows = [
        *_rows("HZ001", [20, 21]),
        {"store": "XX999", "metric": "waiting_minutes", "date": _day(1), "value": 1},
        {"store": "HZ001", "metric": "speed", "date": _day(1), "value": 1},
        {"store": "HZ001", "metric": "nps", "date": "2025-13-01", "value": 1},
        {"store": "HZ001", "metric": "nps", "date": _day(1), "value": "many"},
        {"store": "HZ001", "metric": "nps", "date": _day(-1), "value": 1},
        {"store": "HZ001", "metric": "waiting_minutes", "date": _day(3), "value": 5},
        "not an object",
    ]
    response = dms.post("/api/v1/metrics/", rows, format="json")
    assert response.status_code == 400
    errors = [(e["index"], e["field"]) for e in response.json()["errors"]]
    assert errors == [
        (2, "store"),
        (3, "metric"),
        (4, "date"),
        (5, "value"),
        (6, "date"),
        (7, "date"),
        (8, "non_field_errors"),
    ]
    assert response.json()["detail"]
    assert not MetricReading.objects.exists()


def test_a_batch_holds_at_most_1000_readings(cast, dms):
    rows = [
        {
            "store": "HZ001",
            "metric": "nps",
            "date": (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat(),
            "value": 1,
        }
        for i in range(1001)
    ]
    assert dms.post("/api/v1/metrics/", rows, format="json").status_code == 400
    assert dms.post("/api/v1/metrics/", rows[:1000], format="json").json()["created"] == 1000
    assert dms.post("/api/v1/metrics/", {"store": "HZ001"}, format="json").status_code == 400
    assert dms.post("/api/v1/metrics/", [], format="json").status_code == 400


@pytest.mark.parametrize("who", ["ops", "executive", "manager", "head"])
def test_people_other_than_the_lead_cannot_push(cast, api, who):
    response = api.as_(getattr(cast, who)).post(
        "/api/v1/metrics/", _rows("HZ001", [1]), format="json"
    )
    assert response.status_code == 403
    assert not MetricReading.objects.exists()


def test_a_client_without_metrics_write_cannot_push(cast, token_client):
    client = token_client(cast.dms, scopes=["issues:write"])
    assert client.post("/api/v1/metrics/", _rows("HZ001", [1]), format="json").status_code == 403


# --- thresholds --------------------------------------------------------------------------


def test_three_days_over_35_open_exactly_one_dms_issue_with_the_readings(cast, dms):
    two = dms.post("/api/v1/metrics/", _rows("HZ001", [38, 41], start=4), format="json")
    assert two.json()["issues"] == []
    third = dms.post("/api/v1/metrics/", _rows("HZ001", [39], start=2), format="json")
    (number,) = third.json()["issues"]
    issue = Issue.objects.get(number=number)
    assert issue.channel == Channel.DMS and issue.store == cast.org.hangzhou
    assert issue.category == "process" and issue.submitted_by == cast.dms
    assert issue.title == "客户平均等待时间连续 3 天高于 35分钟"
    for day, value in ((_day(4), "38"), (_day(3), "41"), (_day(2), "39")):
        assert f"{day}　{value}分钟" in issue.description
    alert = MetricAlert.objects.get()
    assert (alert.issue, alert.active, alert.first_date.isoformat()) == (issue, True, _day(4))

    # More bad days while the issue is open: no second issue; its readings grow.
    more = dms.post("/api/v1/metrics/", _rows("HZ001", [44, 47], start=1), format="json")
    assert more.json()["issues"] == []
    assert Issue.objects.filter(channel=Channel.DMS).count() == 1
    alert.refresh_from_db()
    assert [r["date"] for r in alert.readings][-1] == _day(0)


def test_days_in_between_below_the_threshold_break_the_run(cast, dms):
    response = dms.post(
        "/api/v1/metrics/", _rows("HZ001", [40, 30, 40, 40], start=5), format="json"
    )
    assert response.json()["issues"] == []
    # A value equal to the threshold is not above it.
    response = dms.post("/api/v1/metrics/", _rows("NB001", [35, 35, 35], start=3), format="json")
    assert response.json()["issues"] == []


def test_a_backfilled_day_that_completes_a_run_opens_the_issue(cast, dms):
    dms.post(
        "/api/v1/metrics/",
        _rows("HZ001", [40], start=3) + _rows("HZ001", [40], start=1),
        format="json",
    )
    response = dms.post("/api/v1/metrics/", _rows("HZ001", [40], start=2), format="json")
    assert len(response.json()["issues"]) == 1


def test_each_store_gets_its_own_issue(cast, dms):
    response = dms.post(
        "/api/v1/metrics/",
        _rows("HZ001", [40, 40, 40]) + _rows("NB001", [50, 50, 50]),
        format="json",
    )
    assert len(response.json()["issues"]) == 2
    assert set(Issue.objects.values_list("store__code", flat=True)) == {"HZ001", "NB001"}


def test_once_the_issue_is_resolved_a_new_breach_opens_a_new_one(cast, dms):
    (first,) = dms.post(
        "/api/v1/metrics/", _rows("HZ001", [40, 40, 40], start=6), format="json"
    ).json()["issues"]
    issue = Issue.objects.get(number=first)
    issue = issue_services.triage(issue=issue, actor=cast.ops, priority="P2", department="IT")
    issue = issue_services.accept(issue=issue, actor=cast.head)
    issue_services.resolve(issue=issue, actor=cast.head, resolution="增加服务顾问")

    again = dms.post("/api/v1/metrics/", _rows("HZ001", [42, 43, 44], start=2), format="json")
    (second,) = again.json()["issues"]
    assert second != first
    assert MetricAlert.objects.filter(active=True).get().issue.number == second
    assert MetricAlert.objects.get(issue__number=first).active is False


def test_a_rejected_alert_issue_no_longer_blocks(cast, dms):
    (first,) = dms.post(
        "/api/v1/metrics/", _rows("HZ001", [40, 40, 40], start=5), format="json"
    ).json()["issues"]
    issue_services.reject(issue=Issue.objects.get(number=first), actor=cast.ops, reason="数据有误")
    # The run goes on (days 5…1): the rejected issue no longer covers it.
    again = dms.post("/api/v1/metrics/", _rows("HZ001", [40, 40], start=2), format="json")
    assert len(again.json()["issues"]) == 1


def test_higher_is_better_metrics_alert_below(cast, dms):
    MetricDefinition.objects.filter(code="nps").update(threshold=Decimal("50"), consecutive_days=1)
    response = dms.post(
        "/api/v1/metrics/", _rows("HZ001", [49.5], metric="nps", start=1), format="json"
    )
    (number,) = response.json()["issues"]
    assert Issue.objects.get(number=number).title == "门店NPS低于 50分"


def test_breaches_long_past_open_nothing(cast, dms, settings):
    settings.METRIC_ALERT_LOOKBACK_DAYS = 14
    response = dms.post("/api/v1/metrics/", _rows("HZ001", [40, 40, 40], start=30), format="json")
    assert response.json()["issues"] == []
    assert MetricReading.objects.count() == 3


def test_a_definition_without_threshold_never_alerts(cast, dms):
    response = dms.post(
        "/api/v1/metrics/", _rows("HZ001", [1000] * 5, metric="complaints", start=5), format="json"
    )
    assert response.json()["issues"] == []


def test_the_new_issue_is_notified_like_any_other(cast, dms):
    dms.post("/api/v1/metrics/", _rows("HZ001", [40, 40, 40]), format="json")
    assert Notification.objects.filter(kind="issue_submitted", recipient=cast.ops).exists()


def test_concurrent_batches_open_exactly_one_issue(
    transactional_db,
    private_queue,  # noqa: F811 (the fixture imported above)
    cast,
    token_client,
    monkeypatch,  # noqa: F811
):
    """Two batches breach for the same store and metric at once (different days, so no
    reading row is shared). The first checks, finds no open alert and is held just before
    it opens its issue; the second opens one and commits; the first then runs into the
    unique constraint, and its issue is rolled back."""
    seed_integrations()
    first_client, second_client = token_client(cast.dms), token_client(cast.dms)
    held, release = threading.Event(), threading.Event()
    original = issue_services.create_issue

    def create_issue(**kwargs):
        if not held.is_set():
            held.set()
            assert release.wait(30)
        return original(**kwargs)

    monkeypatch.setattr(issue_services, "create_issue", create_issue)
    replies = {}

    def push(name, client, start):
        try:
            rows = _rows("HZ001", [40, 41, 42], start=start)
            replies[name] = client.post("/api/v1/metrics/", rows, format="json")
        finally:
            connections.close_all()

    first = threading.Thread(target=push, args=("first", first_client, 3))
    first.start()
    assert held.wait(30)
    push("second", second_client, 7)  # runs to its commit meanwhile
    release.set()
    first.join(30)

    assert replies["first"].status_code == replies["second"].status_code == 200
    assert replies["first"].json()["issues"] == []
    (number,) = replies["second"].json()["issues"]
    assert list(Issue.objects.values_list("number", flat=True)) == [number]
    assert MetricAlert.objects.filter(active=True).count() == 1
    assert MetricReading.objects.count() == 6


def test_the_unique_constraint_itself_refuses_a_second_open_alert(cast, dms):
    """Even past the service's check (two batches in a race), the database keeps one
    active alert per store and metric; the loser's issue is rolled back with it."""
    from django.db import IntegrityError, transaction

    dms.post("/api/v1/metrics/", _rows("HZ001", [40, 40, 40]), format="json")
    alert = MetricAlert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricAlert.objects.create(
            store=alert.store,
            metric=alert.metric,
            issue=alert.issue,
            first_date=alert.first_date,
            last_date=alert.last_date,
        )


# --- reading them back -------------------------------------------------------------------


def test_get_metrics_filters_by_store_metric_and_dates(cast, dms, api):
    dms.post(
        "/api/v1/metrics/",
        _rows("HZ001", [20, 21, 22]) + _rows("NB001", [60, 61], metric="nps", start=2),
        format="json",
    )
    client = api.as_(cast.lead)
    every = client.get("/api/v1/metrics/").json()
    assert every["count"] == 5
    narrowed = client.get(
        f"/api/v1/metrics/?store=HZ001&metric=waiting_minutes&from={_day(2)}&to={_day(1)}"
    ).json()
    assert [(r["date"], r["value"]) for r in narrowed["results"]] == [(_day(2), 21), (_day(1), 22)]
    assert client.get("/api/v1/metrics/?from=not-a-date").status_code == 400


def test_a_store_manager_reads_only_their_stores_metrics(cast, dms, api):
    dms.post("/api/v1/metrics/", _rows("HZ001", [20]) + _rows("NB001", [20]), format="json")
    rows = api.as_(cast.manager).get("/api/v1/metrics/").json()["results"]
    assert {r["store"] for r in rows} == {"HZ001"}


def test_metric_list_query_count_is_pinned(cast, dms, django_assert_max_num_queries):
    dms.post(
        "/api/v1/metrics/",
        [r for code in ("HZ001", "NB001", "GZ001") for r in _rows(code, [20, 21, 22, 23], start=5)],
        format="json",
    )
    client = APIClient()
    client.force_authenticate(cast.ops)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/metrics/")
    assert response.json()["count"] == 8
    with django_assert_max_num_queries(3):
        assert client.get("/api/v1/metric-definitions/").status_code == 200


def test_the_push_of_1000_readings_is_a_bounded_number_of_queries(
    cast, dms, django_assert_max_num_queries
):
    rows = [
        {"store": code, "metric": m, "date": _day(d), "value": 10}
        for code in ("HZ001", "NB001")
        for m in ("waiting_minutes", "nps", "satisfaction", "complaints")
        for d in range(1, 126)
    ]
    assert len(rows) == 1000
    with django_assert_max_num_queries(40):
        response = dms.post("/api/v1/metrics/", rows, format="json")
    assert response.json()["created"] == 1000
