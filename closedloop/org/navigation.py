"""The navigation each role gets. Later apps append their entries to ``NAV_ITEMS``."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import HQ_ROLES, Role

EVERYONE = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    icon: str
    roles: frozenset = EVERYONE


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("首页"), "bi-house"),
    NavItem(
        "org:store_list",
        _("门店"),
        "bi-shop",
        frozenset(Role.values) - {Role.API_CLIENT},
    ),
    NavItem("org:import", _("组织导入"), "bi-upload", frozenset({Role.QUALITY_LEAD})),
    # Issues (issues/urls.py).
    NavItem(
        "issues:submit",
        _("提交问题"),
        "bi-plus-circle",
        frozenset({Role.STORE_MANAGER, Role.OPS_SPECIALIST}),
    ),
    NavItem(
        "issues:my_store", _("我的门店问题"), "bi-shop-window", frozenset({Role.STORE_MANAGER})
    ),
    NavItem(
        "issues:list", _("问题列表"), "bi-list-check", frozenset(Role.values) - {Role.API_CLIENT}
    ),
    NavItem(
        "issues:triage",
        _("分级队列"),
        "bi-funnel",
        frozenset({Role.OPS_SPECIALIST, Role.QUALITY_LEAD}),
    ),
    NavItem("issues:systemic_list", _("系统性问题"), "bi-diagram-3", HQ_ROLES),
]


def items_for(user):
    if not user.is_authenticated:
        return []
    result = []
    for item in NAV_ITEMS:
        if user.is_superuser or user.role in item.roles:
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            result.append(
                {"url": url, "label": item.label, "icon": item.icon, "name": item.url_name}
            )
    return result
