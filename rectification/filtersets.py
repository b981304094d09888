"""One FilterSet for projects, shared by the API list and the board page."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from closedloop.core.filtersets import SearchFilterSet
from closedloop.org.choices import StoreTier
from issues.choices import Category

from .choices import Health, Level, Status
from .models import Case, Project
from .services import mine_q, overdue_q

ORDERING_FIELDS = (
    ("created_at", "created_at"),
    ("number", "number"),
    ("status", "status"),
    ("health", "health"),
    ("level", "level"),
    ("next_tracking_on", "next_tracking_on"),
    ("execution_to", "execution_to"),
    ("progress", "progress"),
)


class ProjectFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("状态"))
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("问题级别"))
    health = django_filters.MultipleChoiceFilter(choices=Health.choices, label=_("健康度"))
    tier = django_filters.MultipleChoiceFilter(
        field_name="store__tier", choices=StoreTier.choices, label=_("门店分层")
    )
    store = django_filters.CharFilter(field_name="store__code", label=_("门店"))
    region = django_filters.CharFilter(field_name="store__region__code", label=_("区域"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超期"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我的"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))
    ordering = django_filters.OrderingFilter(fields=ORDERING_FIELDS, label=_("排序"))

    class Meta:
        model = Project
        fields = [
            "status",
            "level",
            "health",
            "tier",
            "store",
            "region",
            "overdue",
            "mine",
            "search",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.localdate())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(mine_q(self.request.user))

    def filter_search(self, queryset, name, value):
        value = (value or "").strip().replace("\x00", "")
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(store__name__icontains=value)
            | Q(store__code__iexact=value)
        )


class CaseFilterSet(SearchFilterSet):
    """The case library (案例库): by category, store tier and text — the list page and
    ``GET /api/v1/cases/`` alike."""

    search_fields = (
        "title",
        "problem",
        "root_cause",
        "solution",
        "metric",
        "recommended_scope",
        "project__number",
        "project__store__name",
    )

    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("问题分类"))
    tier = django_filters.MultipleChoiceFilter(
        field_name="store_tier", choices=StoreTier.choices, label=_("门店分层")
    )

    class Meta:
        model = Case
        fields = ["category", "tier", "search"]
