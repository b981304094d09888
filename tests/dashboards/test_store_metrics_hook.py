"""Store metrics from the DMS on the board (NPS, satisfaction, waiting time) — a guarded
hook, because the ``integrations`` app is built in parallel. Without it the board has no
store rows and the API says ``null``; with it (skipped, with the reason, until it lands)
the averages over the visible stores come with their trends."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboards import periods, store_metrics
from dashboards.board import build_board

pytestmark = pytest.mark.django_db
MODEL = store_metrics.reading_model()
NOVEMBER = periods.parse({"period": "2026-11"})


@pytest.mark.skipif(MODEL is not None, reason="the integrations app is installed")
def test_without_the_dms_metrics_there_are_no_store_rows(cast, client, api):
    board = build_board(cast.lead, NOVEMBER)
    assert board.store is None and board.store_rows == []
    assert api.as_(cast.lead).get("/api/v1/kpis/").json()["store_metrics"] is None
    client.force_login(cast.lead)
    assert 'data-testid="store-metrics-off"' in client.get("/dashboards/process/").content.decode()


@pytest.mark.skipif(
    MODEL is None,
    reason="the integrations app's store-metric model (integrations.StoreMetric with store, "
    "metric, date, value) is not installed on this branch yet",
)
def test_store_metric_averages_and_trends(cast):
    code_field = MODEL._meta.get_field(store_metrics.FIELDS["metric"])

    def reading(store, code, day, value):
        metric = code
        if code_field.is_relation:
            metric = code_field.related_model._default_manager.get(code=code)
        MODEL._default_manager.create(store=store, metric=metric, date=day, value=value)

    reading(cast.org.hangzhou, "nps", dt.date(2026, 11, 3), 60)
    reading(cast.org.ningbo, "nps", dt.date(2026, 11, 4), 64)
    reading(cast.org.guangzhou, "nps", dt.date(2026, 11, 4), 10)  # not the director's
    reading(cast.org.hangzhou, "nps", dt.date(2026, 10, 4), 48)
    board = build_board(cast.director, NOVEMBER)
    assert board.store["nps"].value == Decimal("62.00")
    row = next(r for r in board.store_rows if r.metric == "store_nps")
    assert (row.current, row.previous, row.trend.trend, row.trend.tone) == (
        Decimal("62.00"),
        Decimal("48.00"),
        "up",
        "good",
    )
