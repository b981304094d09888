"""The badges an issue shows on every row (priority, status, an SLA clock), as tags:
a list page draws five per row, and an ``{% include %}`` each cost a tenth of the page's
time at national scale (issue 9)."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

#: An SLA clock's state: its CSS class, its icon (Bootstrap Icons) and its label.
SLA_BADGES = {
    "breached": ("sla-breached", "bi-exclamation-octagon", gettext_noop("已超时"), True),
    "soon": ("sla-soon", "bi-hourglass-split", gettext_noop("即将超时"), True),
    "paused": ("sla-paused", "bi-pause-circle", gettext_noop("计时暂停"), False),
    "met": ("sla-met", "bi-check-circle", gettext_noop("已达成"), True),
    "missed": ("sla-missed", "", gettext_noop("逾期完成"), True),
}


@register.simple_tag
def priority_badge(issue):
    if issue.priority:
        return format_html(
            '<span class="badge priority-badge priority-{}" data-testid="priority" '
            'title="{}">{}</span>',
            issue.priority.lower(),
            issue.get_priority_display(),
            issue.priority,
        )
    return format_html(
        '<span class="badge priority-badge priority-none" data-testid="priority">{}</span>',
        _("待分级"),
    )


@register.simple_tag
def status_badge(issue):
    return format_html(
        '<span class="badge status-badge status-{}" data-testid="status">{}</span>',
        issue.status,
        issue.get_status_display(),
    )


@register.simple_tag
def sla_badge(clock):
    """One SLA clock's badge (nothing for a clock without one)."""
    found = SLA_BADGES.get(getattr(clock, "state", ""))
    if found is None:
        return ""
    css, icon, label, testid = found
    return format_html(
        '<span class="badge sla-badge {}"{}>{}{}</span>',
        css,
        format_html(' data-testid="{}"', css) if testid else "",
        format_html('<i class="bi {}" aria-hidden="true"></i> ', icon) if icon else "",
        _(label),
    )
