"""The issues app's entries in the navigation (``closedloop.core.navigation``)."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import NavItem
from closedloop.org.choices import HQ_ROLES, Role


def _roles(*roles):
    allowed = frozenset(roles)
    return lambda user: user.is_superuser or user.role in allowed


NAV_ITEMS = [
    NavItem(
        "issues:submit",
        _("提交问题"),
        "bi-plus-circle",
        _roles(Role.STORE_MANAGER, Role.OPS_SPECIALIST),
        order=10,
    ),
    NavItem(
        "issues:my_store", _("我的门店问题"), "bi-shop-window", _roles(Role.STORE_MANAGER), order=20
    ),
    NavItem(
        "issues:list",
        _("问题列表"),
        "bi-list-check",
        lambda user: user.is_superuser or user.role != Role.API_CLIENT,
        order=30,
    ),
    NavItem(
        "issues:triage",
        _("分级队列"),
        "bi-funnel",
        _roles(Role.OPS_SPECIALIST, Role.QUALITY_LEAD),
        order=40,
    ),
    NavItem("issues:systemic_list", _("系统性问题"), "bi-diagram-3", _roles(*HQ_ROLES), order=50),
]
