"""The navigation: each app lists its entries in ``<app>/navigation.py`` as ``NAV_ITEMS``;
whether a person gets an entry is the same predicate (from the app's ``policy.py``)
that gates the page, so a link is shown exactly when the page would open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .registry import discover


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    icon: str
    #: ``visible(user) -> bool``: the page's own gate from the app's policy module.
    visible: Callable[[object], bool]
    #: Position in the bar (lower first); apps leave gaps for each other.
    order: int = 100
    #: Query string appended to the URL (e.g. ``"view=mine"``).
    query: str = ""


def all_items() -> list[NavItem]:
    items = [item for module in discover("navigation") for item in getattr(module, "NAV_ITEMS", ())]
    return sorted(items, key=lambda item: item.order)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    result = []
    for item in all_items():
        if not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        if item.query:
            url = f"{url}?{item.query}"
        result.append({"url": url, "label": item.label, "icon": item.icon, "name": item.url_name})
    return result
