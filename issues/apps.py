from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("问题")

    def ready(self):
        from closedloop.org.choices import Role
        from closedloop.org.navigation import NAV_ITEMS, NavItem

        people = frozenset(Role.values) - {Role.API_CLIENT}
        entries = [
            NavItem(
                "issues:submit",
                _("提交问题"),
                "bi-plus-circle",
                frozenset({Role.STORE_MANAGER, Role.OPS_SPECIALIST}),
            ),
            NavItem(
                "issues:my_store",
                _("我的门店问题"),
                "bi-shop-window",
                frozenset({Role.STORE_MANAGER}),
            ),
            NavItem("issues:list", _("问题列表"), "bi-list-check", people),
            NavItem(
                "issues:triage",
                _("分级队列"),
                "bi-funnel",
                frozenset({Role.OPS_SPECIALIST, Role.QUALITY_LEAD}),
            ),
        ]
        known = {item.url_name for item in NAV_ITEMS}
        NAV_ITEMS.extend(item for item in entries if item.url_name not in known)

    def ready(self):
        # Connects the work-calendar cache invalidation receivers in every process.
        from . import sla  # noqa: F401
