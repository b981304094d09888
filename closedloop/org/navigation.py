"""The organisation's entries in the navigation (``closedloop.core.navigation``): each is
shown by the very predicate of ``policy.py`` that gates its page."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import ADMIN, NavItem

from . import policy

NAV_ITEMS = [
    NavItem("home", _("首页"), "bi-house", policy.can_view_home, order=0),
    NavItem("org:store_list", _("门店"), "bi-shop", policy.can_view_stores, order=900, group=ADMIN),
    NavItem(
        "org:import", _("组织导入"), "bi-upload", policy.can_import_org, order=910, group=ADMIN
    ),
]
