"""The dashboards' entries in the navigation (``closedloop.core.navigation``): the board
(with the process metrics, the rollout and the targets as its tabs) and the meeting (with
the action items as its tab)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import INSIGHT, NavItem

from . import policy

NAV_ITEMS = [
    NavItem(
        "dashboards:board",
        _("KPI看板"),
        "bi-speedometer2",
        policy.can_view_board,
        order=80,
        group=INSIGHT,
    ),
    NavItem(
        "dashboards:meeting_list",
        _("周会"),
        "bi-easel",
        policy.can_view_meetings,
        order=82,
        group=INSIGHT,
    ),
]
