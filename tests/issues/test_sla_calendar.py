"""The work calendar: seeded from chinesecalendar for 2024–2026, read only from the tables,
refusing unknown years, and cached per process with invalidation on change."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from django.core.cache import cache

from closedloop.core import jobs
from issues.choices import DEFAULT_SLA
from issues.jobs import missing_calendar_years
from issues.models import CalendarDay, CalendarYear, SlaPolicy
from issues.sla import CalendarNotCovered, WorkCalendar, invalidate_calendar_cache, is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def fresh_calendar_cache(db):
    # Rows added by a test vanish on rollback without a post_delete signal.
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()


def test_seeded_years_are_covered():
    assert set(CalendarYear.objects.values_list("year", flat=True)) >= {2024, 2025, 2026}
    assert CalendarYear.objects.get(year=2026).source == "chinesecalendar"


def test_national_day_is_off():
    assert dt.date(2026, 10, 1).weekday() == 3  # a Thursday
    assert is_working_day(dt.date(2026, 10, 1)) is False
    assert is_working_day(dt.date(2026, 10, 7)) is False  # Wednesday, still golden week
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"


@pytest.mark.parametrize(
    "day",
    [
        # 2026 make-up working days (调休上班) per chinese_calendar.get_workdays:
        dt.date(2026, 9, 20),  # Sunday, for National Day
        dt.date(2026, 10, 10),  # Saturday, for National Day
        dt.date(2026, 2, 14),  # Saturday, for Spring Festival
        dt.date(2026, 1, 4),  # Sunday, for New Year's Day
    ],
)
def test_make_up_weekend_days_are_on(day):
    assert day.weekday() >= 5
    assert chinese_calendar.is_workday(day)  # the source agrees
    assert is_working_day(day) is True
    assert CalendarDay.objects.get(date=day).name.endswith("调休")


def test_ordinary_days():
    assert is_working_day(dt.date(2026, 10, 17)) is False  # ordinary Saturday
    assert is_working_day(dt.date(2026, 10, 18)) is False  # ordinary Sunday
    assert is_working_day(dt.date(2026, 10, 12)) is True  # ordinary Monday


def test_seed_matches_chinese_calendar_every_day():
    cal = WorkCalendar.load()
    day = dt.date(2024, 1, 1)
    while day.year <= 2026:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_only_exceptions_are_stored():
    for row in CalendarDay.objects.all():
        assert row.is_workday == (row.date.weekday() >= 5), row


def test_policies_seeded_from_defaults():
    policies = {
        p.priority: (p.response_hours, p.resolution_days, p.business_hours)
        for p in SlaPolicy.objects.all()
    }
    assert policies == {str(k): v for k, v in DEFAULT_SLA.items()}
    assert policies["P0"] == (1, 3, False)
    assert policies["P3"] == (168, 30, True)


def test_unknown_year_raises_until_covered():
    monday = dt.date(2027, 1, 4)
    with pytest.raises(CalendarNotCovered) as excinfo:
        is_working_day(monday)
    assert excinfo.value.year == 2027
    assert "2027" in str(excinfo.value)

    CalendarYear.objects.create(year=2027, source="manual")
    assert is_working_day(monday) is True
    assert is_working_day(dt.date(2027, 1, 9)) is False  # Saturday

    CalendarDay.objects.create(date=dt.date(2027, 1, 5), is_workday=False, name="测试假日")
    assert is_working_day(dt.date(2027, 1, 5)) is False


def test_a_holiday_row_without_its_year_does_not_cover_the_year():
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, name="元旦")
    with pytest.raises(CalendarNotCovered):
        is_working_day(dt.date(2027, 1, 4))


def test_calendar_is_cached_and_invalidated_on_change(django_assert_num_queries):
    first = WorkCalendar.load()
    with django_assert_num_queries(0):
        assert WorkCalendar.load() is first

    year = CalendarYear.objects.create(year=2027)
    second = WorkCalendar.load()
    assert second is not first
    assert second.covers(2027)

    day = CalendarDay.objects.create(date=dt.date(2027, 2, 6), is_workday=True, name="调休")
    assert WorkCalendar.load().is_working_day(dt.date(2027, 2, 6)) is True  # a Saturday

    day.is_workday = False
    day.save()
    assert WorkCalendar.load().is_working_day(dt.date(2027, 2, 6)) is False

    day.delete()
    year.delete()
    assert not WorkCalendar.load().covers(2027)


def test_change_in_another_process_is_seen_through_the_shared_token():
    first = WorkCalendar.load()
    cache.set("issues:sla:calendar-token", uuid.uuid4().hex)  # what another process does
    assert WorkCalendar.load() is not first


def test_cache_expires_after_its_lifetime(settings):
    settings.SLA_CALENDAR_CACHE_SECONDS = 0  # e.g. rows changed by raw SQL or bulk update
    first = WorkCalendar.load()
    assert WorkCalendar.load() is not first


def test_explicit_calendar_object_needs_no_database():
    cal = WorkCalendar(years=frozenset({2030}), days={dt.date(2030, 1, 1): False})
    assert cal.is_working_day(dt.date(2030, 1, 1)) is False
    assert cal.is_working_day(dt.date(2030, 1, 2)) is True
    with pytest.raises(CalendarNotCovered):
        cal.is_working_day(dt.date(2031, 1, 2))


def test_missing_years_checks_next_year_only_in_december():
    november = dt.datetime(2026, 11, 30, 12, tzinfo=SHANGHAI)
    assert missing_calendar_years(november) == []
    december = dt.datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
    assert missing_calendar_years(december) == [2027]
    # 2026-11-30 17:00 UTC is already 1 December in Shanghai.
    assert missing_calendar_years(dt.datetime(2026, 11, 30, 17, tzinfo=dt.UTC)) == [2027]
    # The current year is always checked.
    assert missing_calendar_years(dt.datetime(2027, 3, 1, tzinfo=SHANGHAI)) == [2027]

    CalendarYear.objects.create(year=2027)
    assert missing_calendar_years(december) == []


def test_calendar_check_job_warns_quality_lead_once(cast, caplog):
    from closedloop.notifications.models import Notification

    december = dt.datetime(2026, 12, 15, 9, tzinfo=SHANGHAI)
    with caplog.at_level("WARNING", logger="issues.jobs"):
        result = jobs.run("calendar_check", december)
    assert result == {"missing_years": [2027], "warned": True, "notified": 1}
    assert "2027" in caplog.text
    note = Notification.objects.get(recipient=cast.lead)
    assert note.kind == "calendar_missing" and "2027" in note.title
    # The next daily run does not warn the same person again.
    assert jobs.run("calendar_check", december)["notified"] == 0
    assert Notification.objects.filter(recipient=cast.lead).count() == 1
    CalendarYear.objects.create(year=2027)
    assert jobs.run("calendar_check", december) == {
        "missing_years": [],
        "warned": False,
        "notified": 0,
    }
