"""Periods in Beijing time: a week, a month or a range; previous and next; the query
parameters of ``GET /kpis/``; a clear error on the parameter that is wrong."""

import datetime as dt

import pytest

from closedloop.errors import DomainError
from dashboards import periods

from .helpers import bj


def test_a_month_begins_at_beijing_midnight():
    period = periods.parse({"period": "2026-11"})
    assert period.kind == "month"
    assert (period.first_day, period.last_day) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period.start == bj(2026, 11, 1)
    assert period.end == bj(2026, 12, 1)
    # 00:30 on the 1st in Beijing is 16:30 UTC on the last day of the month before.
    assert period.contains(bj(2026, 11, 1, 0, 30))
    assert not period.contains(bj(2026, 10, 31, 23, 59))
    assert not periods.parse({"period": "2026-10"}).contains(bj(2026, 11, 1, 0, 30))


def test_iso_weeks_and_their_neighbours():
    period = periods.parse({"week": "2025-W47"})
    assert (period.first_day, period.last_day) == (dt.date(2025, 11, 17), dt.date(2025, 11, 23))
    assert period.code == "2025-W47"
    assert period.previous().code == "2025-W46"
    assert period.following().code == "2025-W48"
    assert periods.parse({"week": "2021-W01"}).first_day == dt.date(2021, 1, 4)


def test_months_across_the_year_end():
    january = periods.parse({"period": "2027-01"})
    assert january.previous().code == "2026-12"
    assert january.previous().following() == january
    assert periods.parse({"period": "2024-02"}).last_day == dt.date(2024, 2, 29)


def test_a_range_and_the_range_before_it():
    period = periods.parse({"from": "2026-11-03", "to": "2026-11-09"})
    assert period.kind == "range" and period.days == 7
    assert period.query() == {"from": "2026-11-03", "to": "2026-11-09"}
    before = period.previous()
    assert (before.first_day, before.last_day) == (dt.date(2026, 10, 27), dt.date(2026, 11, 2))
    assert period.following().first_day == dt.date(2026, 11, 10)


def test_default_is_the_current_month_or_week():
    now = bj(2026, 12, 1, 0, 10)  # still November 30 in UTC
    assert periods.parse({}, now=now).code == "2026-12"
    assert periods.parse({}, default="week", now=now).code == "2026-W49"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "26-11"}, "period"),
        ({"period": "9999-12"}, "period"),
        ({"week": "2026-W60"}, "week"),
        ({"week": "2026W12"}, "week"),
        ({"from": "2026-11-01"}, "to"),
        ({"to": "2026-11-01"}, "from"),
        ({"from": "2026-11-31", "to": "2026-12-01"}, "from"),
        ({"from": "2026-11-10", "to": "2026-11-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "to"),
        ({"from": "1900-01-01", "to": "1900-01-02"}, "from"),
    ],
)
def test_bad_parameters_name_their_field(params, field):
    with pytest.raises(DomainError) as caught:
        periods.parse(params)
    assert caught.value.field == field
    assert caught.value.message


def test_series_ends_with_the_period():
    months = periods.series(periods.parse({"period": "2026-03"}), 4)
    assert [p.code for p in months] == ["2025-12", "2026-01", "2026-02", "2026-03"]
