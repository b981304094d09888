"""FilterSets of the integration, shared by the API and the pages (STYLE.md 8)."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus, TokenState, WebhookEvent
from .models import ApiToken, MetricReading, WebhookDelivery


class ApiTokenFilterSet(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="user__username", label=_("客户端"))
    state = django_filters.ChoiceFilter(
        choices=TokenState.choices, method="filter_state", label=_("状态")
    )

    class Meta:
        model = ApiToken
        fields = ["client", "state"]

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        live = Q(revoked_at__isnull=True, token__isnull=False) & (
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
        if value == TokenState.ACTIVE:
            return queryset.filter(live)
        if value == TokenState.REVOKED:
            return queryset.filter(revoked_at__isnull=False)
        return queryset.filter(revoked_at__isnull=True).exclude(live)


class MetricReadingFilterSet(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__code", label=_("门店"))
    metric = django_filters.CharFilter(field_name="metric__code", label=_("指标"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("止"))

    class Meta:
        model = MetricReading
        fields = ["store", "metric"]


# API.md names the range ``from`` and ``to`` (``from`` is a Python keyword).
MetricReadingFilterSet.base_filters["from"] = MetricReadingFilterSet.base_filters.pop("date_from")
MetricReadingFilterSet.base_filters["to"] = MetricReadingFilterSet.base_filters.pop("date_to")


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label=_("状态"))
    event = django_filters.ChoiceFilter(choices=WebhookEvent.choices, label=_("事件"))

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event"]
