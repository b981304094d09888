"""The organisation's entries in the navigation (``closedloop.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import NavItem

from .choices import Role


def _everyone(user) -> bool:
    return True


def _people(user) -> bool:
    return user.is_superuser or user.role != Role.API_CLIENT


def _org_admin(user) -> bool:
    return user.is_superuser or user.role == Role.QUALITY_LEAD


NAV_ITEMS = [
    NavItem("home", _("首页"), "bi-house", _everyone, order=0),
    NavItem("org:store_list", _("门店"), "bi-shop", _people, order=900),
    NavItem("org:import", _("组织导入"), "bi-upload", _org_admin, order=910),
]
