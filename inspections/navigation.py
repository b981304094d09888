"""The inspections app's entries in the navigation (``closedloop.core.navigation``): the
very predicates of ``policy`` that gate the pages."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import INSPECTIONS, NavItem

from . import policy

NAV_ITEMS = [
    NavItem(
        "inspections:list",
        _("巡检"),
        "bi-clipboard-check",
        policy.can_view_inspections,
        order=70,
        group=INSPECTIONS,
    ),
    NavItem(
        "inspections:board",
        _("改进仪表盘"),
        "bi-speedometer2",
        policy.can_view_board,
        order=71,
        group=INSPECTIONS,
    ),
]
