"""The rectification app's entries in the navigation (``closedloop.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import RECTIFICATION, NavItem

from . import policy

NAV_ITEMS = [
    NavItem(
        "rectification:mine",
        _("我的整改"),
        "bi-clipboard-check",
        policy.can_view_mine,
        order=60,
        group=RECTIFICATION,
    ),
    NavItem(
        "rectification:board",
        _("整改看板"),
        "bi-kanban",
        policy.can_view_board,
        order=65,
        group=RECTIFICATION,
    ),
    NavItem(
        "rectification:cases",
        _("案例库"),
        "bi-journal-bookmark",
        policy.can_view_cases,
        order=67,
        group=RECTIFICATION,
    ),
]
