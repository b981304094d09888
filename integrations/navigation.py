"""The integration's entry in the navigation (``closedloop.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import ADMIN, NavItem

from . import policy

NAV_ITEMS = [
    NavItem(
        "integrations:tokens",
        _("接口集成"),
        "bi-plug",
        policy.can_manage_tokens,
        order=920,
        group=ADMIN,
    ),
]
