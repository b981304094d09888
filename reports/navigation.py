"""The reports' entry in the navigation (``closedloop.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import INSIGHT, NavItem

from . import policy

NAV_ITEMS = [
    NavItem(
        "reports:list",
        _("报告"),
        "bi-file-earmark-bar-graph",
        policy.can_view_reports,
        order=84,
        group=INSIGHT,
    ),
]
