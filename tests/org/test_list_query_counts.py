"""Pinned query counts for the organisation's list pages and API lists: each stays
constant as rows grow (an N+1 fails here)."""

import pytest

from closedloop.org.choices import Role
from tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def _grow(cast, n, start=0):
    for i in range(start, start + n):
        store = StoreFactory(code=f"Q{i:03d}", region=cast.org.east)
        UserFactory(username=f"sm{i:03d}", role=Role.STORE_MANAGER, store=store)
        cast.ops.stores.add(store)


def test_users_api_list(cast, api, flat_queries):
    _grow(cast, 5)
    client = api.as_(cast.lead)

    def fetch():
        response = client.get("/api/v1/users/?page_size=200")
        assert response.status_code == 200 and response.json()["count"] >= 5
        return response

    response = flat_queries(fetch, grow=lambda: _grow(cast, 35, start=5), limit=3)
    assert response.json()["count"] >= 40


@pytest.mark.parametrize("path", ["/api/v1/regions/", "/api/v1/departments/"])
def test_regions_and_departments_api_lists(cast, api, flat_queries, path):
    _grow(cast, 5)
    client = api.as_(cast.ops)

    def fetch():
        response = client.get(path)
        assert response.status_code == 200
        return response

    flat_queries(fetch, grow=lambda: _grow(cast, 35, start=5), limit=2)


def test_store_list_page(cast, client, flat_queries):
    _grow(cast, 5)
    client.force_login(cast.ops)

    def fetch():
        response = client.get("/org/stores/")
        assert response.status_code == 200 and "Q000" in response.content.decode()
        return response

    response = flat_queries(fetch, grow=lambda: _grow(cast, 35, start=5), limit=5)
    assert "Q039" in response.content.decode()
