from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("接口集成")

    def ready(self):
        from closedloop.org.choices import Role
        from closedloop.org.navigation import NAV_ITEMS, NavItem

        from .api import schema  # noqa: F401  (the OpenAPI extension of the token auth)

        item = NavItem(
            "integrations:tokens", _("接口集成"), "bi-plug", frozenset({Role.QUALITY_LEAD})
        )
        if item not in NAV_ITEMS:
            NAV_ITEMS.append(item)
