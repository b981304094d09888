"""Due times: calendar vs working hours, holidays and make-up days, pauses, open pauses,
suggested priority before triage, and refusing to guess in uncovered years."""

import datetime as dt

import pytest

from issues.models import CalendarYear, Issue, SlaPause, SlaPolicy
from issues.sla import (
    CalendarNotCovered,
    WorkCalendar,
    add_working_time,
    clock_targets,
    compute_due,
    compute_issue_dues,
    invalidate_calendar_cache,
    working_seconds_between,
)
from tests.factories import at

HOUR = 3600


@pytest.fixture(autouse=True)
def fresh_calendar_cache(db):
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


def working(start, hours, pauses=()):
    return compute_due(start, amount_seconds=hours * HOUR, business=True, pauses=list(pauses))


def calendar(start, hours, pauses=()):
    return compute_due(start, amount_seconds=hours * HOUR, business=False, pauses=list(pauses))


def make_issue(cast, *, submitted_at, priority="", suggested_priority="", number=1):
    return Issue.objects.create(
        number=f"ISS-2026-{number:05d}",
        store=cast.org.hangzhou,
        category="system",
        title="DMS 无法开单",
        description="开单页面报错",
        impact_scope="store",
        submitted_by=cast.manager,
        submitted_at=submitted_at,
        priority=priority,
        suggested_priority=suggested_priority,
    )


# --------------------------------------------------------------------------- calendar hours


def test_calendar_hours_run_through_the_weekend():
    friday = at(2026, 10, 16, 15)
    assert calendar(friday, 24) == at(2026, 10, 17, 15)  # Saturday, exactly +24 h


def test_calendar_pause_pushes_due_by_its_length():
    start = at(2026, 11, 3, 10)
    pause = (at(2026, 11, 3, 12), at(2026, 11, 3, 17))
    assert calendar(start, 24, [pause]) == at(2026, 11, 4, 15)  # 24 h + 5 h


def test_overlapping_pauses_count_once():
    start = at(2026, 11, 3, 10)
    pauses = [
        (at(2026, 11, 3, 13), at(2026, 11, 3, 15)),
        (at(2026, 11, 3, 12), at(2026, 11, 3, 14)),
    ]
    assert calendar(start, 24, pauses) == at(2026, 11, 4, 13)  # 12:00–15:00 = 3 h


def test_pause_before_the_start_is_ignored():
    start = at(2026, 11, 3, 10)
    assert calendar(start, 1, [(at(2026, 11, 2, 10), at(2026, 11, 3, 9))]) == at(2026, 11, 3, 11)


# --------------------------------------------------------------------------- working hours


def test_working_hours_skip_the_weekend():
    # P2: 72 working hours = 8 working days of 9 h.
    thursday = at(2026, 11, 5, 14)
    assert working(thursday, 72) == at(2026, 11, 17, 14)  # Tuesday, 8 working days later
    assert working_seconds_between(thursday, at(2026, 11, 17, 14)) == 72 * HOUR


def test_working_hours_skip_national_day_golden_week():
    # Wed 30 Sep 17:00 → 1 h that day; 1–7 Oct off; Sat 10 Oct is a make-up working day.
    start = at(2026, 9, 30, 17)
    assert working(start, 72) == at(2026, 10, 16, 17)
    assert working_seconds_between(start, at(2026, 10, 8, 9)) == 1 * HOUR


def test_make_up_working_day_counts():
    friday = at(2026, 10, 9, 17)
    assert working(friday, 2) == at(2026, 10, 10, 10)  # Saturday 10 Oct is 调休上班
    ordinary_friday = at(2026, 10, 16, 17)
    assert working(ordinary_friday, 2) == at(2026, 10, 19, 10)  # ordinary weekend skipped


def test_submission_after_hours_starts_next_working_morning():
    assert working(at(2026, 11, 3, 20), 1) == at(2026, 11, 4, 10)
    assert working(at(2026, 11, 6, 20), 1) == at(2026, 11, 9, 10)  # Friday night → Monday
    assert working(at(2026, 11, 4, 7, 30), 1) == at(2026, 11, 4, 10)  # before 09:00


def test_the_18_00_boundary():
    assert working(at(2026, 11, 3, 17), 1) == at(2026, 11, 3, 18)  # ends at 18:00 sharp
    assert working(at(2026, 11, 3, 9), 9) == at(2026, 11, 3, 18)
    assert working(at(2026, 11, 3, 18), 1) == at(2026, 11, 4, 10)  # starts next morning
    assert working(at(2026, 11, 3, 17, 59), 2 / 60) == at(2026, 11, 4, 9, 1)


def test_exact_to_the_second_and_zone_preserving():
    start = dt.datetime(2026, 11, 3, 1, 0, 30, tzinfo=dt.UTC)  # 09:00:30 in Shanghai
    due = add_working_time(start, 3599)
    assert due == at(2026, 11, 3, 10) + dt.timedelta(seconds=29)
    assert due.tzinfo is dt.UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_time(dt.datetime(2026, 11, 3, 9), 60)


def test_working_pause_over_a_night_counts_only_its_working_hours():
    start = at(2026, 11, 3, 10)
    assert working(start, 9) == at(2026, 11, 4, 10)
    # Paused Tue 16:00 → Wed 10:00: 2 h + 1 h of working time inside, not 18 h.
    pause = (at(2026, 11, 3, 16), at(2026, 11, 4, 10))
    assert working(start, 9, [pause]) == at(2026, 11, 4, 13)


def test_clock_before_a_pause_counts_only_working_hours():
    # Mon 17:00 → Tue 11:00 runs 1 h + 2 h (not 18 h); paused until Tue 15:00; 3 h more on
    # Tuesday and the last 3 h on Wednesday morning.
    start = at(2026, 11, 2, 17)
    pause = (at(2026, 11, 3, 11), at(2026, 11, 3, 15))
    assert working(start, 9, [pause]) == at(2026, 11, 4, 12)


def test_pause_entirely_outside_working_time_changes_nothing():
    start = at(2026, 11, 3, 10)
    pause = (at(2026, 11, 3, 19), at(2026, 11, 4, 8))
    assert working(start, 9, [pause]) == at(2026, 11, 4, 10)


def test_open_pause_stops_the_clock():
    start = at(2026, 11, 3, 10)
    open_pause = (at(2026, 11, 3, 12), None)
    assert working(start, 9, [open_pause]) is None
    assert calendar(start, 24, [open_pause]) is None
    # A due already reached before the pause began stays.
    assert working(start, 1, [open_pause]) == at(2026, 11, 3, 11)
    assert calendar(start, 2, [open_pause]) == at(2026, 11, 3, 12)


def test_uncovered_year_raises_instead_of_guessing():
    with pytest.raises(CalendarNotCovered) as excinfo:
        working(at(2026, 12, 31, 17), 2)
    assert excinfo.value.year == 2027
    # Calendar hours need no calendar.
    assert calendar(at(2026, 12, 31, 17), 24) == at(2027, 1, 1, 17)
    # Once the year is maintained (no holidays entered yet), it counts Mon–Fri.
    CalendarYear.objects.create(year=2027)
    assert working(at(2026, 12, 31, 17), 2) == at(2027, 1, 1, 10)


def test_long_amounts_are_fast(django_assert_max_num_queries):
    cal = WorkCalendar.load()
    with django_assert_max_num_queries(0):
        due = add_working_time(at(2024, 1, 2, 9), 500 * 9 * HOUR, cal=cal)
    assert due.year == 2026


# --------------------------------------------------------------------------- policies / issues


def test_clock_targets():
    p1 = SlaPolicy.objects.get(priority="P1")
    p2 = SlaPolicy.objects.get(priority="P2")
    assert clock_targets(p1) == (24 * HOUR, 7 * 86400)
    assert clock_targets(p2) == (72 * HOUR, 15 * 9 * HOUR)


def test_issue_p1_counts_calendar_hours(cast):
    issue = make_issue(cast, submitted_at=at(2026, 10, 16, 15), priority="P1")
    dues = compute_issue_dues(issue)
    assert dues.business_hours is False
    assert dues.calendar_gap is False
    assert dues.response_due_at == at(2026, 10, 17, 15)
    assert dues.resolution_due_at == at(2026, 10, 23, 15)


def test_untriaged_issue_uses_suggested_priority(cast):
    issue = make_issue(cast, submitted_at=at(2026, 11, 5, 14), suggested_priority="P2")
    dues = compute_issue_dues(issue)
    assert dues.business_hours is True
    assert dues.response_due_at == at(2026, 11, 17, 14)
    # 15 working days of 9 h from Thu 5 Nov 14:00.
    assert dues.resolution_due_at == at(2026, 11, 26, 14)
    issue.priority = "P1"  # triage overrides the suggestion
    assert compute_issue_dues(issue).response_due_at == at(2026, 11, 6, 14)


def test_issue_without_any_priority_has_no_dues(cast):
    issue = make_issue(cast, submitted_at=at(2026, 11, 5, 14))
    dues = compute_issue_dues(issue)
    assert (dues.response_due_at, dues.resolution_due_at, dues.calendar_gap) == (None, None, False)


def test_issue_dues_follow_the_stored_policy(cast):
    SlaPolicy.objects.filter(priority="P2").update(response_hours=9, resolution_days=1)
    issue = make_issue(cast, submitted_at=at(2026, 11, 5, 14), priority="P2")
    dues = compute_issue_dues(issue)
    assert dues.response_due_at == at(2026, 11, 6, 14)
    assert dues.resolution_due_at == at(2026, 11, 6, 14)


def test_issue_pauses_are_applied(cast):
    issue = make_issue(cast, submitted_at=at(2026, 11, 3, 10), priority="P2")
    SlaPause.objects.create(
        issue=issue, started_at=at(2026, 11, 3, 16), ended_at=at(2026, 11, 4, 10)
    )
    assert compute_issue_dues(issue).response_due_at == at(2026, 11, 13, 13)  # +3 working h

    SlaPause.objects.create(issue=issue, started_at=at(2026, 11, 5, 9))  # still waiting
    dues = compute_issue_dues(issue)
    assert (dues.response_due_at, dues.resolution_due_at, dues.calendar_gap) == (None, None, False)


def test_due_in_uncovered_year_is_a_calendar_gap(cast):
    # P2 from Mon 14 Dec 2026: the response due (8 working days) lands in 2026, the
    # resolution due (15 working days) would need January 2027, which is not maintained.
    issue = make_issue(cast, submitted_at=at(2026, 12, 14, 9), priority="P2")
    dues = compute_issue_dues(issue)
    assert dues.response_due_at == at(2026, 12, 23, 18)
    assert dues.resolution_due_at is None
    assert dues.calendar_gap is True

    CalendarYear.objects.create(year=2027)
    dues = compute_issue_dues(issue)
    assert dues.calendar_gap is False
    assert dues.resolution_due_at is not None
    assert dues.resolution_due_at.year == 2027
