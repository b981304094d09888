"""The navigation each role gets. Later apps append their entries to ``NAV_ITEMS``."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role

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
