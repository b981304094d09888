"""Seed the work calendar for 2024–2026 from ``chinesecalendar`` and the default SLA policies.

Only exceptions to Monday–Friday are stored: a public holiday on a weekday (放假) and a
make-up working day on a weekend (调休上班). Existing rows are left alone, so running it on
a database where the quality lead already edited the calendar changes nothing of theirs."""

import datetime as dt

from django.db import migrations

SEED_YEARS = (2024, 2025, 2026)
SOURCE = "chinesecalendar"


def _chinese_name(english):
    import chinese_calendar

    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english or ""


def seed_calendar(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("issues", "CalendarYear")
    CalendarDay = apps.get_model("issues", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    rows = []
    for year in SEED_YEARS:
        day = dt.date(year, 1, 1)
        while day.year == year:
            weekend = day.weekday() >= 5
            workday = chinese_calendar.is_workday(day)
            if weekend == workday and day not in existing:  # an exception to Mon–Fri
                _, english = chinese_calendar.get_holiday_detail(day)
                name = _chinese_name(english)
                rows.append(
                    CalendarDay(
                        date=day, is_workday=workday, name=f"{name}调休" if workday else name
                    )
                )
            day += dt.timedelta(days=1)
        CalendarYear.objects.get_or_create(
            year=year, defaults={"source": SOURCE, "note": "法定节假日与调休（chinesecalendar）"}
        )
    CalendarDay.objects.bulk_create(rows)


def seed_policies(apps, schema_editor):
    from issues.choices import DEFAULT_SLA

    SlaPolicy = apps.get_model("issues", "SlaPolicy")
    for priority, (hours, days, business) in DEFAULT_SLA.items():
        SlaPolicy.objects.get_or_create(
            priority=str(priority),
            defaults={
                "response_hours": hours,
                "resolution_days": days,
                "business_hours": business,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed_calendar, migrations.RunPython.noop),
        migrations.RunPython(seed_policies, migrations.RunPython.noop),
    ]
