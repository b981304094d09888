"""Where a new issue goes: its suggested priority and owning department."""

from __future__ import annotations

from closedloop.org.models import Department

from ..choices import DEFAULT_ROUTING, SUGGESTED_PRIORITY, Priority
from ..models import RoutingRule


def suggest_priority(impact_scope: str) -> str:
    return SUGGESTED_PRIORITY.get(impact_scope, Priority.P2)


def route(*, category: str, title: str = "", description: str = "") -> Department | None:
    """The department a new issue goes to: the first matching keyword rule, else the
    category rule, else the default routing of DOMAIN.md §3."""
    rules = list(RoutingRule.objects.filter(active=True).select_related("department"))
    text = f"{title}\n{description}".lower()
    for rule in rules:
        if (
            rule.keyword
            and rule.keyword.lower() in text
            and (not rule.category or rule.category == category)
        ):
            return rule.department
    for rule in rules:
        if not rule.keyword and rule.category == category:
            return rule.department
    code = DEFAULT_ROUTING.get(category)
    return Department.objects.filter(code=code).first() if code else None
