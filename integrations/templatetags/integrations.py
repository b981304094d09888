from django import template

from ..services.metrics import CHART_DAYS, chart_series

register = template.Library()


@register.inclusion_tag("integrations/store_metrics.html")
def store_metrics(store):
    """The store's metric charts (last 90 days) for its page; the caller has already
    checked that the store is visible."""
    series = chart_series(store)
    return {"store": store, "series": series, "days": CHART_DAYS}
