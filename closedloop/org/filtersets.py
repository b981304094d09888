"""One FilterSet per organisation model, shared by the HTML pages and the API
(``closedloop.core.filtersets``): the same parameters, and ``search`` for text."""

import django_filters
from django.utils.translation import gettext_lazy as _

from closedloop.core.filtersets import SearchFilterSet

from .choices import Role, StoreTier
from .models import Department, Region, Store, User


class RegionFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Region
        fields = ["search"]


class DepartmentFilterSet(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Department
        fields = ["search"]


class StoreFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "city")

    region = django_filters.CharFilter(field_name="region__code", label=_("区域"))
    tier = django_filters.ChoiceFilter(choices=StoreTier.choices, label=_("门店分层"))
    active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = Store
        fields = ["region", "tier", "active", "city", "search"]


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name", "email")

    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("角色"))
    store = django_filters.CharFilter(field_name="store__code", label=_("所属门店"))
    region = django_filters.CharFilter(field_name="region__code", label=_("所属区域"))
    department = django_filters.CharFilter(field_name="department__code", label=_("所属部门"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("启用"))

    class Meta:
        model = User
        fields = ["role", "store", "region", "department", "active", "search"]
