"""One FilterSet per model, shared by the API and the HTML list pages (STYLE.md 8).

The widgets the pages render are set on the filters themselves; the API ignores them.
Free-text search is ``search`` everywhere."""

import datetime as dt
from functools import cached_property
from html import escape

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from closedloop.org.models import Department, Region, Store

from .choices import FINISHED_STATUSES, Category, ImpactScope, Priority, Status, SystemicStatus
from .models import Issue, SystemicIssue
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


class _Codes(BaseChoiceIterator):
    """The select options of a code filter: the rows the person can see, read only when
    a page renders them (the API never does) and then once. Already in Django's
    normalised form, so neither the widget nor its deep copies walk a lead's 1 000 stores
    again (a callable was normalised on every pass: 7 per page, issue 9)."""

    def __init__(self, model, user, everything, label):
        self.model, self.user, self.everything, self.label = model, user, everything, label
        self._rows = None

    def __iter__(self):
        if self._rows is None:
            rows = self.model.objects.visible_to(self.user).values_list("code", "name")
            self._rows = [
                ("", self.everything),
                *((code, self.label(code, name)) for code, name in rows),
            ]
        return iter(self._rows)

    def __deepcopy__(self, memo):
        return self  # the same options for every copy of the form


def _codes(model, user, everything, label=lambda code, name: name):
    return _Codes(model, user, everything, label)


class CodeSelect(forms.Select):
    """A select of codes (a lead's 1 000 stores) written in one pass: Django's per-option
    templates took 300 ms of the list page at national scale (issue 9)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs({"class": "form-select", **self.attrs}, attrs)
        current = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(code))}"{" selected" if str(code) == current else ""}>'
            f"{escape(str(label))}</option>"
            for code, label in self.choices
        )
        # Every value above is escaped (html.escape: quotes too).
        return mark_safe(  # noqa: S308
            f'<select name="{escape(name)}"{flatatt(attrs)}>{options}</select>'
        )


class IssueFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        method="filter_in",
        choices=Status.choices,
        label=_("状态"),
        widget=forms.CheckboxSelectMultiple,
    )
    priority = django_filters.MultipleChoiceFilter(
        method="filter_in",
        choices=Priority.choices,
        label=_("优先级"),
        widget=forms.CheckboxSelectMultiple,
    )
    category = django_filters.MultipleChoiceFilter(
        method="filter_in",
        choices=Category.choices,
        label=_("问题分类"),
        widget=forms.CheckboxSelectMultiple,
    )
    impact_scope = django_filters.MultipleChoiceFilter(
        method="filter_in",
        choices=ImpactScope.choices,
        label=_("影响范围"),
        widget=forms.CheckboxSelectMultiple,
    )
    # By code; a page shows the visible ones as a select (options set per request).
    department = django_filters.CharFilter(
        field_name="department__code", label=_("责任部门"), widget=forms.Select
    )
    store = django_filters.CharFilter(
        field_name="store__code", label=_("门店"), widget=forms.Select
    )
    region = django_filters.CharFilter(
        field_name="store__region__code", label=_("区域"), widget=forms.Select
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("超时预警"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我负责的"))
    finished = django_filters.BooleanFilter(method="filter_finished", label=_("含已结束"))
    submitted_after = django_filters.DateFilter(
        method="filter_after", label=_("提交日期起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_before = django_filters.DateFilter(
        method="filter_before",
        label=_("提交日期止"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
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
            "finished",
            "submitted_after",
            "submitted_before",
            "search",
        ]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, omit=()):
        """``omit``: filters a page leaves out (the list page's tabs decide ``overdue`` and
        ``mine``, its own sort the order)."""
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name in omit:
            self.filters.pop(name)
        user = getattr(request, "user", None)
        if user is not None:
            for name, model, everything, label in (
                ("department", Department, _("全部部门"), lambda code, name: name),
                ("store", Store, _("全部门店"), lambda code, name: f"{code} {name}"),
                ("region", Region, _("全部区域"), lambda code, name: name),
            ):
                self.filters[name].extra["widget"] = CodeSelect(
                    choices=_codes(model, user, everything, label)
                )

    def filter_in(self, queryset, name, value):
        """A multiple choice as ``field IN (…)``: no DISTINCT (django-filter's default,
        which made the sort spill to disk) and no chain of ORs, so PostgreSQL can prove
        that the list's partial indexes apply."""
        return queryset.filter(**{f"{name}__in": value}) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(mine_q(self.request.user))

    def filter_finished(self, queryset, name, value):
        """``finished=false``: only what is not finished yet (the list page's default)."""
        if value is None or value:
            return queryset
        return queryset.exclude(status__in=FINISHED_STATUSES)

    @staticmethod
    def _local_midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_after(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=self._local_midnight(value))

    def filter_before(self, queryset, name, value):
        return queryset.filter(submitted_at__lt=self._local_midnight(value + dt.timedelta(days=1)))

    def filter_search(self, queryset, name, value):
        """Number, title, description, store name or code: through the search index
        (``IssueQuerySet.search``)."""
        return queryset.search(value)

    @cached_property
    def single_store(self) -> bool:
        """A person with one store (a store manager) gets no store or region filter."""
        return len(list(self.form.fields["store"].widget.choices)) <= 2  # "all" and theirs

    @property
    def active_count(self) -> int:
        """How many filters (search aside) are set: shown on the filter toggle."""
        if not self.is_bound or not self.form.is_valid():
            return 0
        return sum(
            1
            for name, value in self.form.cleaned_data.items()
            if name not in ("search", "finished") and value not in (None, "", [], ())
        )


class SystemicIssueFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SystemicStatus.choices, label=_("状态"))

    class Meta:
        model = SystemicIssue
        fields = ["status"]
