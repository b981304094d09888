"""The issues app's entries in the navigation (``closedloop.core.navigation``): each shown
by the very predicate of ``issues.policy`` that gates its page."""

from django.utils.translation import gettext_lazy as _

from closedloop.core.navigation import ISSUES, NavItem

from . import policy

NAV_ITEMS = [
    NavItem("issues:submit", _("提交问题"), "bi-plus-circle", policy.can_submit, order=10),
    NavItem("issues:my_store", _("我的门店问题"), "bi-shop-window", policy.has_own_store, order=20),
    NavItem("issues:mine", _("我负责的"), "bi-person-check", policy.has_work_queue, order=25),
    NavItem(
        "issues:list",
        _("问题列表"),
        "bi-list-check",
        policy.can_view_issue_list,
        order=30,
        group=ISSUES,
    ),
    NavItem(
        "issues:triage", _("分级队列"), "bi-funnel", policy.can_triage_queue, order=40, group=ISSUES
    ),
    NavItem(
        "issues:systemic_list",
        _("系统性问题"),
        "bi-diagram-3",
        policy.can_view_systemic,
        order=50,
        group=ISSUES,
    ),
]
