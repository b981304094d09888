"""The organisation API (API.md "Organisation and people"): PUT is an upsert by business
key, only org admins may write, bad bodies are 400 with field errors and save nothing,
lists paginate and filter, machine clients authenticate with a knox token."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from closedloop.org.choices import Role
from closedloop.org.models import Department, Region, Store, User
from tests.factories import StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

STORE_BODY = {
    "name": "温州XX 4S店",
    "city": "温州",
    "region": "EAST",
    "tier": "B",
    "monthly_throughput": 280,
    "active": True,
}
PASSWORD = "Wz-Store-2026!"


# --- upsert ------------------------------------------------------------------------------


def test_put_store_creates_then_updates_without_duplicates(cast, api):
    client = api.as_(cast.lead)
    before = Store.objects.count()

    created = client.put("/api/v1/stores/WZ001/", STORE_BODY)
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "WZ001"
    assert created.json()["region"] == "EAST"
    assert Store.objects.count() == before + 1

    updated = client.put("/api/v1/stores/WZ001/", {**STORE_BODY, "tier": "A", "city": "瑞安"})
    assert updated.status_code == 200, updated.json()
    assert Store.objects.count() == before + 1
    store = Store.objects.get(code="WZ001")
    assert (store.tier, store.city, store.monthly_throughput) == ("A", "瑞安", 280)


def test_put_store_updates_an_existing_store(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/stores/HZ001/", {**STORE_BODY, "name": "杭州XX 4S店", "monthly_throughput": 360}
    )
    assert response.status_code == 200
    assert Store.objects.get(code="HZ001").monthly_throughput == 360


def test_put_region_creates_then_updates(cast, api):
    client = api.as_(cast.lead)
    before = Region.objects.count()
    assert client.put("/api/v1/regions/NORTH/", {"name": "华北"}).status_code == 201
    response = client.put("/api/v1/regions/NORTH/", {"name": "华北战区"})
    assert response.status_code == 200
    assert response.json() == {"code": "NORTH", "name": "华北战区"}
    assert Region.objects.count() == before + 1


def test_put_department_creates_then_updates_with_head(cast, api):
    client = api.as_(cast.lead)
    before = Department.objects.count()
    created = client.put("/api/v1/departments/CS/", {"name": "客服"})
    assert created.status_code == 201
    assert created.json() == {"code": "CS", "name": "客服", "head": None}
    updated = client.put("/api/v1/departments/CS/", {"name": "客服中心", "head": "member"})
    assert updated.status_code == 200
    assert updated.json() == {"code": "CS", "name": "客服中心", "head": "member"}
    assert Department.objects.count() == before + 1


def test_put_user_creates_then_updates_and_never_returns_password(cast, api):
    client = api.as_(cast.lead)
    before = User.objects.count()
    body = {
        "display_name": "王芳",
        "email": "wangfang@example.com",
        "role": "store_manager",
        "store": "NB001",
        "password": PASSWORD,
    }
    created = client.put("/api/v1/users/wangfang/", body)
    assert created.status_code == 201, created.json()
    assert created.json()["store"] == "NB001"
    assert "password" not in created.json()
    assert User.objects.get(username="wangfang").check_password(PASSWORD)

    updated = client.put(
        "/api/v1/users/wangfang/",
        {"role": "ops_specialist", "stores": ["HZ001", "NB001"], "display_name": "王芳"},
    )
    assert updated.status_code == 200, updated.json()
    assert "password" not in updated.json()
    assert sorted(updated.json()["stores"]) == ["HZ001", "NB001"]
    assert updated.json()["store"] is None
    assert User.objects.count() == before + 1
    # Updating without a password keeps the old one.
    assert User.objects.get(username="wangfang").check_password(PASSWORD)


def test_superuser_may_put_users(cast, api):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = api.as_(root).put(
        "/api/v1/users/new_lead/", {"role": "quality_lead", "password": PASSWORD}
    )
    assert response.status_code == 201, response.json()


def test_api_client_user_needs_no_password(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/users/crm/", {"role": "api_client", "api_scopes": ["issues:write"]}
    )
    assert response.status_code == 201, response.json()
    crm = User.objects.get(username="crm")
    assert crm.api_scopes == ["issues:write"]
    assert not crm.has_usable_password()


# --- who may write -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "ops", "director", "head", "executive"])
def test_only_org_admins_may_put_stores(cast, api, who):
    before = Store.objects.count()
    response = api.as_(getattr(cast, who)).put("/api/v1/stores/WZ001/", STORE_BODY)
    assert response.status_code == 403
    response = api.as_(getattr(cast, who)).put("/api/v1/regions/EAST/", {"name": "X"})
    assert response.status_code == 403
    assert Store.objects.count() == before
    assert Region.objects.get(code="EAST").name == "华东"


@pytest.mark.parametrize("who", ["manager", "executive", "dms"])
def test_only_quality_lead_or_superuser_may_put_users(cast, api, who):
    response = api.as_(getattr(cast, who)).put(
        "/api/v1/users/intruder/", {"role": "quality_lead", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()


def test_api_client_with_org_write_may_put_stores(cast, api):
    response = api.as_(cast.dms).put("/api/v1/stores/WZ001/", STORE_BODY)
    assert response.status_code == 201, response.json()


def test_api_client_without_org_write_may_not_put_stores(cast, api):
    crm = UserFactory(username="crm", role=Role.API_CLIENT, api_scopes=["issues:write"])
    assert api.as_(crm).put("/api/v1/stores/WZ001/", STORE_BODY).status_code == 403
    assert not Store.objects.filter(code="WZ001").exists()


def test_anonymous_put_is_401(cast, api):
    assert api.put("/api/v1/stores/WZ001/", STORE_BODY).status_code == 401


# --- invalid bodies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,field",
    [
        ({"region": "MARS"}, "region"),
        ({"tier": "Z"}, "tier"),
        ({"monthly_throughput": -5}, "monthly_throughput"),
        ({"go_live_date": "2025-13-45"}, "go_live_date"),
        ({"name": ""}, "name"),
    ],
)
def test_invalid_store_is_400_with_field_and_saves_nothing(cast, api, change, field):
    before = Store.objects.count()
    response = api.as_(cast.lead).put("/api/v1/stores/WZ001/", {**STORE_BODY, **change})
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Store.objects.count() == before


def test_invalid_update_leaves_store_unchanged(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/stores/HZ001/", {**STORE_BODY, "name": "改名", "region": "MARS"}
    )
    assert response.status_code == 400
    assert Store.objects.get(code="HZ001").name == "杭州XX 4S店"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"role": "store_manager", "password": PASSWORD}, "store"),
        ({"role": "store_manager", "store": "XX999", "password": PASSWORD}, "store"),
        ({"role": "ops_specialist", "password": PASSWORD}, "stores"),
        ({"role": "regional_director", "region": "MARS", "password": PASSWORD}, "region"),
        ({"role": "department_head", "password": PASSWORD}, "department"),
        ({"role": "store_manager", "store": "HZ001"}, "password"),
        ({"role": "store_manager", "store": "HZ001", "password": "123"}, "password"),
        ({"role": "boss", "password": PASSWORD}, "role"),
        ({"role": "quality_lead", "email": "nope", "password": PASSWORD}, "email"),
    ],
)
def test_invalid_user_is_400_with_field_and_saves_nothing(cast, api, body, field):
    before = User.objects.count()
    response = api.as_(cast.lead).put("/api/v1/users/newbie/", body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert User.objects.count() == before


def test_new_user_password_may_not_resemble_the_username(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/users/wangfang/",
        {"role": "quality_lead", "password": "wangfang2026"},
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="wangfang").exists()


def test_malformed_json_is_400_not_500(cast, api):
    response = api.as_(cast.lead).put(
        "/api/v1/stores/WZ001/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- lists -------------------------------------------------------------------------------


def test_page_size_is_capped_at_200(cast, api):
    Store.objects.bulk_create(
        [
            Store(code=f"BULK{n:03d}", name=f"批量{n}", city="杭州", region=cast.org.east, tier="C")
            for n in range(205)
        ]
    )
    total = Store.objects.count()
    client = api.as_(cast.lead)
    body = client.get("/api/v1/stores/", {"page_size": 500}).json()
    assert body["count"] == total
    assert len(body["results"]) == 200
    assert body["next"] is not None and body["previous"] is None
    assert len(client.get("/api/v1/stores/", {"page_size": 10}).json()["results"]) == 10
    last = client.get("/api/v1/stores/", {"page_size": 200, "page": 2}).json()
    assert len(last["results"]) == total - 200


def test_store_list_filters_by_region_and_tier(cast, api):
    client = api.as_(cast.lead)

    def codes(**params):
        return {row["code"] for row in client.get("/api/v1/stores/", params).json()["results"]}

    assert codes(region="EAST") == {"HZ001", "NB001"}
    assert codes(region="SOUTH") == {"GZ001"}
    assert codes(tier="A") == {"NB001"}
    assert codes(region="EAST", tier="B") == {"HZ001"}


def test_filters_never_widen_what_a_user_sees(cast, api):
    client = api.as_(cast.manager)
    body = client.get("/api/v1/stores/", {"region": "EAST"}).json()
    assert {row["code"] for row in body["results"]} == {"HZ001"}


def test_user_list_filters_by_role(cast, api):
    body = api.as_(cast.lead).get("/api/v1/users/", {"role": "store_manager"}).json()
    assert {row["username"] for row in body["results"]} == {"manager", "neighbour", "far_manager"}
    assert all("password" not in row for row in body["results"])


def test_store_list_query_count_does_not_grow_with_stores(cast, api, django_assert_max_num_queries):
    for n in range(30):
        StoreFactory(code=f"X{n:03d}", region=cast.org.south)
    client = api.as_(cast.lead)
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/stores/").status_code == 200


# --- token auth --------------------------------------------------------------------------


def _issue_token(username):
    out = io.StringIO()
    call_command("issue_api_token", username, stdout=out)
    return out.getvalue().strip()


def test_knox_token_from_issue_api_token_authenticates(cast):
    key = _issue_token("dms")
    assert key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/stores/").status_code == 200
    response = client.put("/api/v1/stores/WZ001/", STORE_BODY, format="json")
    assert response.status_code == 201, response.json()


def test_wrong_token_is_401(cast):
    _issue_token("dms")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token-0000")
    assert client.get("/api/v1/stores/").status_code == 401


def test_issue_api_token_for_unknown_user_fails(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("issue_api_token", "ghost", stdout=io.StringIO())


def test_put_key_with_surrounding_spaces_is_refused(cast, api):
    client = api.as_(cast.lead)
    body = {"name": "改名", "city": "杭州", "region": "EAST", "tier": "B"}
    response = client.put("/api/v1/stores/%20HZ001/", body, format="json")
    assert response.status_code == 400 and "code" in response.json()
    cast.org.hangzhou.refresh_from_db()
    assert cast.org.hangzhou.name == "杭州XX 4S店"
