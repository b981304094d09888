"""The navigation: each app lists its entries in ``<app>/navigation.py`` as ``NAV_ITEMS``;
whether a person gets an entry is the same predicate (from the app's ``policy.py``)
that gates the page, so a link is shown exactly when the page would open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext_lazy

from .registry import discover

#: The groups an app may file its entries under (generic words, no app named here).
ISSUES = pgettext_lazy("navigation group", "问题")
RECTIFICATION = pgettext_lazy("navigation group", "整改")
INSPECTIONS = pgettext_lazy("navigation group", "巡检")
INSIGHT = pgettext_lazy("navigation group", "看板与报告")
ADMIN = pgettext_lazy("navigation group", "管理")

#: A person with more entries than this sees each group of two or more as one dropdown,
#: so the quality lead's bar stays one short row on a laptop.
FOLD_ABOVE = 9


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
    #: The dropdown it folds into when the bar is long (one of the constants above).
    group: str = ""


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
        result.append(
            {
                "url": url,
                "label": item.label,
                "icon": item.icon,
                "name": item.url_name,
                "group": item.group,
            }
        )
    return result


def menu_for(items: list[dict], path: str = "") -> list[dict]:
    """The bar of a person with ``items`` (``items_for``) on the page ``path``: the entries
    in order, each marked ``active``; with more than ``FOLD_ABOVE`` entries, the entries of
    a group with two or more of them fold into one dropdown (``{"label", "children",
    "active"}``; not "items", which a template would read as ``dict.items``) at the place of its first entry."""
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    fold = len(items) > FOLD_ABOVE
    for item in items:
        item = {**item, "active": item["url"] == path}
        key = str(item["group"]) if fold and item["group"] else ""
        if not key:
            entries.append(item)
        elif key in groups:
            groups[key]["children"].append(item)
        else:
            groups[key] = {"label": item["group"], "children": [item]}
            entries.append(groups[key])
    menu = []
    for entry in entries:
        children = entry.get("children")
        if children and len(children) == 1:
            entry = children[0]
        elif children:
            entry["active"] = any(child["active"] for child in children)
        menu.append(entry)
    return menu
