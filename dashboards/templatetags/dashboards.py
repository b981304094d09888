"""Template filters of the board: ``{{ row.current|metric_value:row.unit }}`` and friends."""

from django import template

from .. import formatting

register = template.Library()


@register.filter
def metric_value(number, unit):
    return formatting.value(number, unit)


@register.filter
def metric_with_unit(number, unit):
    return formatting.with_unit(number, unit)


@register.filter
def metric_delta(number, unit):
    return formatting.delta(number, unit)


@register.filter
def achievement(rate):
    return formatting.achievement(rate)


@register.filter
def pct(number):
    return formatting.rate(number)


@register.filter
def change_pct(number):
    """A relative change as a signed percent: −0.3 → ``−30%``."""
    return formatting.change_percent(number)


@register.filter
def project_attr(project, role):
    """A rectification project's field by its role (``dashboards.rectification.FIELDS``)."""
    from ..rectification import project_attr as read

    return read(project, role)


@register.filter
def get_field(form, name):
    return form[name]


@register.simple_tag(takes_context=True)
def issue_action_items(context, issue):
    """The weekly meeting's action items about ``issue`` that the viewer may see (one
    query; none for stores and machine clients)."""
    from ..models import ActionItem

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or issue is None:
        return []
    return list(
        ActionItem.objects.visible_to(user)
        .filter(issue=issue)
        .select_related("owner", "meeting")
        .order_by("-status", "due_on", "pk")
    )


@register.simple_tag(takes_context=True)
def project_action_items(context, number):
    """The weekly meeting's action items about the rectification project ``number``
    (REF-…) that the viewer may see (one query)."""
    from ..models import ActionItem

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not number:
        return []
    return list(
        ActionItem.objects.visible_to(user)
        .filter(project_number=number)
        .select_related("owner", "meeting")
        .order_by("-status", "due_on", "pk")
    )
