"""The rollout view: each batch's stores compared in the weeks before and after their own
go-live date (Beijing midnight), against the source's pilot criteria (resolution rate
+20 pp, average time −30 %; satisfaction +20 points once the DMS metrics exist)."""

import datetime as dt
from decimal import Decimal

import pytest

from dashboards import rollout

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db
NOW = bj(2026, 12, 1)


@pytest.fixture
def batches(cast):
    org = cast.org
    org.hangzhou.rollout_batch, org.hangzhou.go_live_date = "试点", dt.date(2026, 3, 2)
    org.ningbo.rollout_batch, org.ningbo.go_live_date = "试点", dt.date(2026, 3, 9)
    org.guangzhou.rollout_batch, org.guangzhou.go_live_date = "第1批", dt.date(2026, 5, 11)
    for store in (org.hangzhou, org.ningbo, org.guangzhou):
        store.save()
    # Pilot, before (within 56 days before each store's own go-live): 4 submitted, 2 resolved
    # before go-live, after 20 and 40 days → 50 %, 30 days.
    make_issue(
        cast,
        submitted_at=bj(2026, 2, 1),
        status="closed",
        resolved_at=bj(2026, 2, 21),
        closed_at=bj(2026, 2, 28),
    )
    make_issue(
        cast,
        submitted_at=bj(2026, 1, 20),
        status="closed",
        resolved_at=bj(2026, 3, 1),
        closed_at=bj(2026, 3, 1, 12),
    )  # 40 days, just before go-live on March 2
    make_issue(
        cast,
        submitted_at=bj(2026, 2, 20),
        status="closed",
        resolved_at=bj(2026, 3, 20),
        closed_at=bj(2026, 3, 27),
    )  # resolved only after go-live: not solved "before"
    make_issue(
        cast, submitted_at=bj(2026, 3, 8, 23, 59), store=org.ningbo, submitted_by=cast.neighbour
    )  # Ningbo's go-live is March 9: before, open
    # Outside the window (more than 56 days before go-live): ignored.
    make_issue(
        cast,
        submitted_at=bj(2025, 12, 1),
        status="closed",
        resolved_at=bj(2025, 12, 2),
        closed_at=bj(2025, 12, 3),
    )
    # Pilot, after: 4 submitted, 3 resolved within the window, after 10, 20 and 12 days.
    for start, days in ((bj(2026, 3, 2, 0, 30), 10), (bj(2026, 3, 10), 20), (bj(2026, 4, 1), 12)):
        make_issue(
            cast,
            submitted_at=start,
            status="closed",
            resolved_at=start + dt.timedelta(days=days),
            closed_at=start + dt.timedelta(days=days + 7),
        )
    make_issue(cast, submitted_at=bj(2026, 3, 20), store=org.ningbo, submitted_by=cast.neighbour)
    # Batch 1: nothing before, one after.
    make_issue(
        cast,
        submitted_at=bj(2026, 5, 12),
        store=org.guangzhou,
        submitted_by=cast.far_manager,
        status="resolved",
        resolved_at=bj(2026, 5, 13),
    )
    # A rejected one never counts.
    make_issue(cast, submitted_at=bj(2026, 3, 3), status="rejected", closed_at=bj(2026, 3, 3))


def test_before_and_after_per_batch(cast, batches):
    pilot, first = rollout.batches(cast.lead, now=NOW)
    assert (pilot.name, pilot.stores, pilot.first_go_live, pilot.last_go_live) == (
        "试点",
        2,
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
    )
    assert [s.code for s in pilot.store_rows] == ["HZ001", "NB001"]
    assert (pilot.before.submitted, pilot.before.solved) == (4, 2)
    assert pilot.before.resolution_rate == Decimal("0.5")
    assert pilot.before.avg_days == Decimal("30.00")  # 20 and 40 days
    assert (pilot.after.submitted, pilot.after.solved) == (4, 3)
    assert pilot.after.resolution_rate == Decimal("0.75")
    # Resolved after go-live within the window: February 20's issue on March 20 (28 days)
    # and the three after-issues (10, 20, 12 days) → 70 / 4.
    assert pilot.after.avg_days == Decimal("17.50")
    assert pilot.rate_gain == Decimal("0.25")
    assert pilot.time_change == (Decimal("17.50") - Decimal("30.00")) / Decimal("30.00")
    assert pilot.checks == {"resolution_rate": True, "avg_time": True, "satisfaction": None}
    assert pilot.passed is True

    assert (first.name, first.before.submitted, first.after.submitted) == ("第1批", 0, 1)
    # Nothing before its go-live to compare with: no verdict either way.
    assert first.rate_gain is None and first.passed is None


def test_criteria_boundaries():
    side = rollout.Side
    batch = rollout.Batch(
        "b", 1, None, None, side(10, 5, 4, Decimal(20)), side(10, 7, 4, Decimal(14))
    )
    # +20 pp exactly and −30 % exactly both pass (the source says ≥).
    assert batch.checks["resolution_rate"] is True and batch.checks["avg_time"] is True
    batch.after = side(10, 6, 4, Decimal("14.01"))
    assert batch.checks == {"resolution_rate": False, "avg_time": False, "satisfaction": None}
    assert batch.passed is False


def test_the_rollout_is_scoped_and_shown(cast, client, batches):
    names = [b.name for b in rollout.batches(cast.director, now=NOW)]
    assert names == ["试点"]  # Guangzhou is not in 华东
    client.force_login(cast.lead)
    html = client.get("/dashboards/rollout/").content.decode()
    assert html.count('data-testid="batch"') == 2
    # The DMS store metrics are installed: the satisfaction row is checked, not a notice.
    assert "达到试点标准" in html and "需接入 DMS 门店满意度" not in html
    assert html.count('data-testid="rollout-satisfaction"') == 2
