"""One FilterSet for reports, shared by the list page and ``GET /reports/``."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import Kind, Status
from .models import Report

#: ``region=national`` asks for the national reports (no region).
NATIONAL = "national"


class ReportFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("报告类型"))
    period = django_filters.CharFilter(
        field_name="period", label=_("报告期"), help_text=_("例如 2025-11 或 2025-W47")
    )
    region = django_filters.CharFilter(
        method="filter_region", label=_("区域"), help_text=_("区域编码；national 为全国")
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"))

    class Meta:
        model = Report
        fields = ["kind", "period", "region", "status"]

    def filter_region(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        if value == NATIONAL:
            return queryset.filter(region__isnull=True)
        return queryset.filter(region__code=value)
