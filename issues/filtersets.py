"""One FilterSet for issues, shared by the API and the HTML list pages (STYLE.md 8)."""

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Category, ImpactScope, Priority, Status
from .models import Issue
from .selectors import mine_q, overdue_q

ORDERING_FIELDS = (
    ("submitted_at", "submitted_at"),
    ("priority", "priority"),
    ("status", "status"),
    ("response_due_at", "response_due_at"),
    ("resolution_due_at", "resolution_due_at"),
    ("number", "number"),
    ("updated_at", "updated_at"),
)


class IssueFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("状态"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("优先级"))
    category = django_filters.MultipleChoiceFilter(choices=Category.choices, label=_("问题分类"))
    impact_scope = django_filters.MultipleChoiceFilter(
        choices=ImpactScope.choices, label=_("影响范围")
    )
    department = django_filters.CharFilter(field_name="department__code", label=_("责任部门"))
    store = django_filters.CharFilter(field_name="store__code", label=_("门店"))
    region = django_filters.CharFilter(field_name="store__region__code", label=_("区域"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超时预警"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我负责的"))
    submitted_after = django_filters.DateFilter(method="filter_after", label=_("提交日期起"))
    submitted_before = django_filters.DateFilter(method="filter_before", label=_("提交日期止"))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"))
    ordering = django_filters.OrderingFilter(fields=ORDERING_FIELDS, label=_("排序"))

    class Meta:
        model = Issue
        fields = [
            "status",
            "priority",
            "category",
            "impact_scope",
            "department",
            "store",
            "region",
            "overdue",
            "mine",
            "submitted_after",
            "submitted_before",
            "search",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(mine_q(self.request.user))

    @staticmethod
    def _local_midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=self._local_midnight(value))

    def filter_before(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=self._local_midnight(value + dt.timedelta(days=1)))

    def filter_search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(store__name__icontains=value)
            | Q(store__code__iexact=value)
        )
