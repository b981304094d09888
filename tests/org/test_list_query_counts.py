"""Pinned query counts for the list pages and API lists not pinned elsewhere: each must
stay constant as rows grow (an N+1 fails here)."""

import pytest

from closedloop.org.choices import Role
from issues import services
from tests.factories import StoreFactory, UserFactory, new_issue

pytestmark = pytest.mark.django_db


def _grow(cast, n):
    for i in range(n):
        store = StoreFactory(code=f"Q{i:03d}", region=cast.org.east)
        UserFactory(username=f"sm{i:03d}", role=Role.STORE_MANAGER, store=store)
        cast.ops.stores.add(store)


@pytest.mark.parametrize("rows", [5, 40])
def test_users_api_list(cast, api, rows, django_assert_max_num_queries):
    _grow(cast, rows)
    with django_assert_max_num_queries(3):
        response = api.as_(cast.lead).get("/api/v1/users/?page_size=200")
    assert response.json()["count"] >= rows


@pytest.mark.parametrize("rows", [5, 40])
def test_regions_and_departments_api_lists(cast, api, rows, django_assert_max_num_queries):
    _grow(cast, rows)
    client = api.as_(cast.ops)
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/regions/").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/departments/").status_code == 200


@pytest.mark.parametrize("rows", [5, 40])
def test_store_list_page(cast, client, rows, django_assert_max_num_queries):
    _grow(cast, rows)
    client.force_login(cast.ops)
    with django_assert_max_num_queries(5):
        response = client.get("/org/stores/")
    assert response.status_code == 200 and "Q000" in response.content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_systemic_list_page(cast, client, rows, django_assert_max_num_queries):
    for i in range(rows):
        issue = new_issue(cast, title=f"问题{i}")
        services.create_systemic_issue(actor=cast.lead, title=f"系统性{i}", issues=[issue])
    client.force_login(cast.lead)
    with django_assert_max_num_queries(4):
        response = client.get("/issues/systemic/")
    assert response.content.decode().count("/issues/systemic/") >= rows


@pytest.mark.parametrize("rows", [2, 12])
def test_triage_queue_page(cast, client, rows, django_assert_max_num_queries):
    for i in range(rows):
        new_issue(cast, title=f"待分级{i}")
    client.force_login(cast.ops)
    # One similar-issues lookup per shown item, bounded by the page size (10).
    with django_assert_max_num_queries(18):
        response = client.get("/issues/triage/")
    assert response.status_code == 200
