"""The bar folds a long navigation into its groups (closedloop.core.navigation.menu_for)."""

from django.test import override_settings
from django.utils import translation

from closedloop.core.navigation import FOLD_ABOVE, items_for, menu_for


def _item(name, group=""):
    return {"url": f"/{name}/", "label": name, "icon": "bi-x", "name": name, "group": group}


def test_a_short_bar_stays_flat():
    items = [_item("home"), _item("a", "G"), _item("b", "G")]
    assert [e["name"] for e in menu_for(items)] == ["home", "a", "b"]


def test_a_long_bar_folds_each_group_of_two_or_more_at_its_first_entry():
    items = [_item("home"), _item("list", "问题"), _item("triage", "问题"), _item("stores", "管理")]
    items += [_item(f"flat{i}") for i in range(FOLD_ABOVE)]
    items.append(_item("tokens", "管理"))
    menu = menu_for(items, path="/triage/")
    issues = menu[1]
    assert issues["label"] == "问题"
    assert [c["name"] for c in issues["children"]] == ["list", "triage"]
    assert issues["active"] is True  # the page is one of its entries
    admin = menu[2]
    assert [c["name"] for c in admin["children"]] == ["stores", "tokens"]
    assert admin["active"] is False
    assert menu[0]["name"] == "home" and "children" not in menu[0]


def test_a_group_with_one_entry_for_this_person_is_a_plain_entry():
    items = [_item("home"), _item("submit", "问题")] + [_item(f"f{i}") for i in range(FOLD_ABOVE)]
    menu = menu_for(items, path="/submit/")
    assert menu[1]["name"] == "submit" and menu[1]["active"] is True
    assert all("children" not in entry for entry in menu)


def test_the_quality_leads_bar_is_short_and_keeps_every_page(cast):
    items = items_for(cast.lead)
    assert len(items) > FOLD_ABOVE
    menu = menu_for(items)
    assert len(menu) <= 9
    reachable = [c["name"] for e in menu for c in e.get("children", [e])]
    assert sorted(reachable) == sorted(i["name"] for i in items)


@override_settings(LANGUAGE_CODE="en")
def test_group_labels_are_translated(cast):
    with translation.override("en"):
        labels = {str(e["label"]) for e in menu_for(items_for(cast.lead)) if "children" in e}
    assert "Issues" in labels and "Administration" in labels
