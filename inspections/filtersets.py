"""FilterSets shared by the HTML pages and the API (STYLE.md 8): one for the inspection
list, one for the improvement board (whose rows are annotated inspections)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import StoreTier

from .choices import Risk, Status
from .models import Inspection


class InspectionFilterSet(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__code", label=_("门店"))
    region = django_filters.CharFilter(field_name="store__region__code", label=_("区域"))
    tier = django_filters.ChoiceFilter(
        field_name="store__tier", choices=StoreTier.choices, label=_("门店分层")
    )
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("状态"))
    inspected_after = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="gte", label=_("巡检日期起")
    )
    inspected_before = django_filters.DateFilter(
        field_name="inspected_on", lookup_expr="lte", label=_("巡检日期止")
    )

    class Meta:
        model = Inspection
        fields = ["store", "region", "tier", "status", "inspected_after", "inspected_before"]


class BoardFilterSet(django_filters.FilterSet):
    """Filters of the improvement board: region and tier of the store, and the risk."""

    region = django_filters.CharFilter(field_name="store__region__code", label=_("区域"))
    tier = django_filters.ChoiceFilter(
        field_name="store__tier",
        choices=StoreTier.choices,
        label=_("门店分层"),
        empty_label=_("全部分层"),
    )
    risk = django_filters.ChoiceFilter(
        field_name="risk", choices=Risk.choices, label=_("风险"), empty_label=_("全部风险")
    )

    class Meta:
        model = Inspection
        fields = ["region", "tier", "risk"]
