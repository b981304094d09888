"""One FilterSet per organisation model (``org/filtersets.py``): the store directory page
and ``/api/v1/stores/`` answer the same parameters with the same rows, text search is
always ``search`` (every term in one of the fields), and the other lists search alike."""

import pytest

from tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores(cast):
    StoreFactory(code="WZ001", name="温州XX 4S店", city="温州", region=cast.org.east, tier="A")
    StoreFactory(code="SZ001", name="深圳XX 4S店", city="深圳", region=cast.org.south, active=False)
    return cast


def _page_codes(client, params):
    response = client.get("/org/stores/", params)
    assert response.status_code == 200
    return sorted(store.code for store in response.context["page"])


def _api_codes(api, params):
    response = api.get("/api/v1/stores/", params)
    assert response.status_code == 200, response.json()
    return sorted(row["code"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["GZ001", "HZ001", "NB001", "SZ001", "WZ001"]),
        ({"search": "杭州"}, ["HZ001"]),
        ({"search": "nb0"}, ["NB001"]),  # code, case-insensitive
        ({"search": "XX 温州"}, ["WZ001"]),  # every term, each in some field
        ({"search": "4S店 华南"}, []),  # region names are not searched
        ({"search": '"XX 4S"'}, ["GZ001", "HZ001", "NB001", "SZ001", "WZ001"]),  # a phrase
        ({"tier": "A"}, ["NB001", "WZ001"]),
        ({"region": "SOUTH"}, ["GZ001", "SZ001"]),
        ({"active": "false"}, ["SZ001"]),
        ({"region": "EAST", "tier": "A", "search": "宁波"}, ["NB001"]),
    ],
)
def test_the_page_and_the_api_filter_stores_alike(stores, client, api, params, expected):
    client.force_login(stores.lead)
    api.as_(stores.lead)
    assert _page_codes(client, params) == expected
    assert _api_codes(api, params) == expected


def test_the_filters_apply_within_what_the_person_sees(stores, client, api):
    client.force_login(stores.ops)  # Hangzhou and Ningbo
    api.as_(stores.ops)
    for params in ({"search": "XX"}, {"region": "EAST"}):
        assert _page_codes(client, params) == _api_codes(api, params) == ["HZ001", "NB001"]


def test_the_search_box_keeps_its_text_and_the_pages_keep_the_filters(stores, client):
    for n in range(60):
        StoreFactory(code=f"XC{n:03d}", name=f"西城{n} 4S店", region=stores.org.east)
    client.force_login(stores.lead)
    html = client.get("/org/stores/", {"search": "西城", "tier": "B"}).content.decode()
    assert 'name="search" value="西城"' in html
    assert "?search=%E8%A5%BF%E5%9F%8E&amp;tier=B&amp;page=2" in html


def test_bad_filter_values_are_a_400_in_the_api_and_ignored_by_the_page(stores, client, api):
    client.force_login(stores.lead)
    response = client.get("/org/stores/", {"tier": "Z", "search": "杭州\x00"})
    assert response.status_code == 200
    assert api.as_(stores.lead).get("/api/v1/stores/", {"tier": "Z"}).status_code == 400
    assert api.get("/api/v1/stores/", {"search": "杭州\x00"}).status_code == 400


def test_regions_departments_and_users_search_the_same_way(cast, api):
    UserFactory(username="wang.fang", display_name="王芳", role="store_manager")
    client = api.as_(cast.lead)

    def codes(path, params, key="code"):
        response = client.get(path, params)
        assert response.status_code == 200, response.json()
        return sorted(row[key] for row in response.json()["results"])

    assert codes("/api/v1/regions/", {"search": "华南"}) == ["SOUTH"]
    assert codes("/api/v1/regions/", {"search": "east"}) == ["EAST"]
    assert codes("/api/v1/departments/", {"search": "供应"}) == ["SCM"]
    assert codes("/api/v1/users/", {"search": "王芳"}, "username") == ["wang.fang"]
    assert codes("/api/v1/users/", {"search": "WANG example.com"}, "username") == ["wang.fang"]
    assert codes("/api/v1/users/", {"role": "quality_lead"}, "username") == ["lead"]
