"""Store metrics from the DMS on the board (NPS, satisfaction, waiting time) — a guarded
hook over the ``integrations`` app's readings. Without them the board has no store rows
and the API says ``null``; with them (a stand-in table of the expected shape, and the real
model) the averages over the visible stores come with their trends."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, models

from dashboards import periods, store_metrics
from dashboards.board import build_board

pytestmark = pytest.mark.django_db
MODEL = store_metrics.reading_model()
NOVEMBER = periods.parse({"period": "2026-11"})


class StandInDefinition(models.Model):
    code = models.CharField(max_length=32)

    class Meta:
        app_label = "dashboards"
        managed = False
        db_table = "test_stand_in_metric_definition"

    def __str__(self):
        return self.code


class StandInReading(models.Model):
    """The expected shape of the DMS readings (store, metric → definition with a code,
    date, value) as a throwaway table, so the hook's queries run today."""

    store = models.ForeignKey("org.Store", on_delete=models.CASCADE, related_name="+")
    metric = models.ForeignKey(StandInDefinition, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        app_label = "dashboards"
        managed = False
        db_table = "test_stand_in_metric_reading"

    def __str__(self):
        return f"{self.metric_id} {self.date}"


@pytest.fixture(params=["stand-in", "real"])
def READING(request, monkeypatch):  # noqa: N802 - the model class under test
    if request.param == "real":
        if MODEL is None:
            pytest.skip(
                "the integrations app's store-metric model (integrations.MetricReading with "
                "store, metric, date, value) is not installed on this branch yet"
            )
        return MODEL
    with connection.schema_editor() as editor:  # rolled back with the test's transaction
        editor.create_model(StandInDefinition)
        editor.create_model(StandInReading)
    for code in ("nps", "satisfaction", "waiting_minutes"):
        StandInDefinition.objects.create(code=code)
    monkeypatch.setattr(store_metrics, "reading_model", lambda: StandInReading)
    return StandInReading


def test_without_the_dms_metrics_there_are_no_store_rows(cast, client, api, monkeypatch):
    """A deployment where the hook finds no reading model (the integrations app left out,
    or its model not of the expected shape)."""
    monkeypatch.setattr(store_metrics, "reading_model", lambda: None)
    board = build_board(cast.lead, NOVEMBER)
    assert board.store is None and board.store_rows == []
    assert api.as_(cast.lead).get("/api/v1/kpis/").json()["store_metrics"] is None
    client.force_login(cast.lead)
    assert 'data-testid="store-metrics-off"' in client.get("/dashboards/process/").content.decode()


def test_store_metric_averages_and_trends(cast, READING):  # noqa: N803
    code_field = READING._meta.get_field(store_metrics.FIELDS["metric"])

    def reading(store, code, day, value):
        metric = code
        if code_field.is_relation:
            metric = code_field.related_model._default_manager.get(code=code)
        READING._default_manager.create(store=store, metric=metric, date=day, value=value)

    reading(cast.org.hangzhou, "nps", dt.date(2026, 11, 3), 60)
    reading(cast.org.ningbo, "nps", dt.date(2026, 11, 4), 64)
    reading(cast.org.guangzhou, "nps", dt.date(2026, 11, 4), 10)  # not the director's
    reading(cast.org.hangzhou, "nps", dt.date(2026, 10, 4), 48)
    reading(cast.org.hangzhou, "waiting_minutes", dt.date(2026, 11, 4), 31)
    reading(cast.org.hangzhou, "waiting_minutes", dt.date(2026, 10, 4), 47)
    board = build_board(cast.director, NOVEMBER)
    assert board.store["nps"].value == Decimal("62.00")
    rows = {r.metric: r for r in board.store_rows}
    nps = rows["store_nps"]
    assert (nps.current, nps.previous, nps.trend.trend, nps.trend.tone) == (
        Decimal("62.00"),
        Decimal("48.00"),
        "up",
        "good",
    )
    waiting = rows["store_waiting_minutes"]
    assert (waiting.trend.trend, waiting.trend.tone) == ("down", "good")  # lower is better
    assert rows["store_satisfaction"].current is None
    assert build_board(cast.lead, NOVEMBER).store["nps"].value == Decimal("44.67")


def test_rollout_satisfaction_before_and_after_go_live(cast, READING):  # noqa: N803
    from dashboards import rollout

    store = cast.org.hangzhou
    store.rollout_batch, store.go_live_date = "试点", dt.date(2026, 3, 2)
    store.save()
    code_field = READING._meta.get_field(store_metrics.FIELDS["metric"])
    satisfaction = code_field.related_model._default_manager.get(code="satisfaction")
    for day, value in (
        (dt.date(2026, 1, 4), 30),  # 57 days before: outside the 56-day window
        (dt.date(2026, 2, 1), 32),
        (dt.date(2026, 3, 1), 36),  # the day before go-live: before
        (dt.date(2026, 3, 2), 55),  # go-live day: after
        (dt.date(2026, 4, 20), 61),
    ):
        READING._default_manager.create(store=store, metric=satisfaction, date=day, value=value)
    (pilot,) = rollout.batches(cast.lead, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert (pilot.before.satisfaction, pilot.after.satisfaction) == (
        Decimal("34.0"),
        Decimal("58.0"),
    )
    assert pilot.satisfaction_gain == Decimal("24.0")
    assert pilot.checks["satisfaction"] is True
