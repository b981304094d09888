"""The organisation's pages and navigation read the same predicates (``org/policy.py``):
for every role of the cast, an org entry is in the navigation exactly when its page
opens, and a person the page is not for gets the 403 page with the reason."""

import pytest

from closedloop.core.navigation import items_for
from closedloop.org import policy

pytestmark = pytest.mark.django_db

ROLES = ["manager", "ops", "director", "head", "member", "lead", "executive", "dms", "outsider"]
ORG_PAGES = {"org:store_list": "/org/stores/", "org:import": "/org/import/"}


@pytest.mark.parametrize("who", ROLES)
def test_an_org_link_is_shown_exactly_when_its_page_opens(cast, client, who):
    user = getattr(cast, who)
    client.force_login(user)
    shown = {item["name"] for item in items_for(user)}
    for name, url in ORG_PAGES.items():
        status = client.get(url).status_code
        assert status in (200, 403), (name, status)
        assert (name in shown) == (status == 200), (who, name, status)


@pytest.mark.parametrize(
    ("who", "stores", "import_"),
    [
        ("manager", True, False),
        ("ops", True, False),
        ("director", True, False),
        ("head", True, False),
        ("member", True, False),
        ("lead", True, True),
        ("executive", True, False),
        ("dms", False, False),
        ("outsider", True, False),
    ],
)
def test_the_predicates_per_role(cast, who, stores, import_):
    user = getattr(cast, who)
    assert policy.can_view_stores(user) is stores
    assert policy.can_import_org(user) is import_


def test_a_machine_client_uses_the_api_not_the_store_pages(cast, client):
    client.force_login(cast.dms)
    for url in ("/org/stores/", "/org/stores/HZ001/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "接口客户端请使用 API" in response.content.decode()
    assert client.get("/org/import/template.xlsx").status_code == 403


def test_the_import_template_is_for_the_quality_lead(cast, client):
    client.force_login(cast.ops)
    assert client.get("/org/import/template.xlsx").status_code == 403
    client.force_login(cast.lead)
    response = client.get("/org/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="org-import-template.xlsx"'


def test_inactive_people_pass_no_gate(cast):
    cast.lead.is_active = False
    assert not policy.can_import_org(cast.lead)
    assert not policy.can_view_stores(cast.lead)
    assert not policy.can_write_org(cast.lead)
