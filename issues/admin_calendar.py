"""Admin for the SLA policies and the work calendar (节假日/调休).

Registered on the default admin site when this module is imported (``issues/admin.py``
imports it). Every admin of an SLA input derives from :class:`SlaInputAdmin`, so each
save or delete is reported to ``issues.configuration``, which recomputes the open issues."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from . import (
    configuration,
    sla,  # noqa: F401  (connects the calendar cache invalidation receivers)
)
from .models import CalendarDay, CalendarYear, SlaPolicy


class SlaInputAdmin(admin.ModelAdmin):
    """Admin of a model the due times are computed from: every save and every delete
    (one row, or a selection) calls :meth:`sla_input_changed` with the rows."""

    def sla_input_changed(self, objs: list) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.sla_input_changed([obj])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.sla_input_changed([obj])

    def delete_queryset(self, request, queryset):
        objs = list(queryset)
        super().delete_queryset(request, queryset)
        self.sla_input_changed(objs)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(SlaInputAdmin):
    list_display = ("priority", "response_hours", "resolution_days", "business_hours")
    list_editable = ("response_hours", "resolution_days", "business_hours")
    ordering = ("priority",)

    def sla_input_changed(self, objs):
        for priority in sorted({obj.priority for obj in objs}):
            configuration.policy_changed(priority=priority)


class CalendarAdmin(SlaInputAdmin):
    """A calendar year or day entered, edited or deleted moves the working-hours due
    times of open issues, and gives those flagged for a missing year theirs."""

    def sla_input_changed(self, objs):
        configuration.calendar_changed()


def _days_in_year(*, is_workday: bool):
    """Subquery: how many CalendarDay rows of the outer year have ``is_workday``."""
    rows = (
        CalendarDay.objects.filter(date__year=OuterRef("year"), is_workday=is_workday)
        .order_by()
        .values("is_workday")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    list_display = ("year", "source", "note", "holiday_count", "makeup_count")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holidays=_days_in_year(is_workday=False), makeups=_days_in_year(is_workday=True)
            )
        )

    @admin.display(description=_("放假（工作日）天数"), ordering="holidays")
    def holiday_count(self, obj):
        return obj.holidays

    @admin.display(description=_("调休上班天数"), ordering="makeups")
    def makeup_count(self, obj):
        return obj.makeups


class YearFilter(admin.SimpleListFilter):
    title = _("年份")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = set(CalendarYear.objects.values_list("year", flat=True))
        years |= {d.year for d in CalendarDay.objects.dates("date", "year")}
        return [(str(y), str(y)) for y in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ("date", "weekday", "is_workday", "name")
    list_filter = (YearFilter, "is_workday")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("date",)

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return date_format(obj.date, "l")
