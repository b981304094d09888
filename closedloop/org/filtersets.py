import django_filters

from .choices import Role, StoreTier
from .models import Store, User


class StoreFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(field_name="region__code")
    tier = django_filters.ChoiceFilter(choices=StoreTier.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = Store
        fields = ["region", "tier", "active", "city"]


class UserFilterSet(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    store = django_filters.CharFilter(field_name="store__code")
    region = django_filters.CharFilter(field_name="region__code")
    department = django_filters.CharFilter(field_name="department__code")
    active = django_filters.BooleanFilter(field_name="is_active")

    class Meta:
        model = User
        fields = ["role", "store", "region", "department", "active"]
