"""Who sees which stores and people: one place (``visible_to``), every role, 404 otherwise."""

import pytest

from closedloop.org.models import Store, User

pytestmark = pytest.mark.django_db

STORE_CODES = {
    "manager": {"HZ001"},
    "neighbour": {"NB001"},
    "far_manager": {"GZ001"},
    "ops": {"HZ001", "NB001"},
    "director": {"HZ001", "NB001"},
    "head": {"HZ001", "NB001", "GZ001"},
    "member": {"HZ001", "NB001", "GZ001"},
    "lead": {"HZ001", "NB001", "GZ001"},
    "executive": {"HZ001", "NB001", "GZ001"},
    "dms": {"HZ001", "NB001", "GZ001"},
    "outsider": set(),
}


@pytest.mark.parametrize("who,expected", sorted(STORE_CODES.items()))
def test_store_queryset_per_role(cast, who, expected):
    user = getattr(cast, who)
    assert set(Store.objects.visible_to(user).values_list("code", flat=True)) == expected


@pytest.mark.parametrize("who,expected", sorted(STORE_CODES.items()))
def test_store_api_list_and_detail_per_role(cast, api, who, expected):
    client = api.as_(getattr(cast, who))
    listed = {row["code"] for row in client.get("/api/v1/stores/").json()["results"]}
    assert listed == expected
    for code in ("HZ001", "NB001", "GZ001"):
        status = client.get(f"/api/v1/stores/{code}/").status_code
        assert status == (200 if code in expected else 404), code


def test_inactive_user_sees_nothing(cast):
    cast.lead.is_active = False
    assert not Store.objects.visible_to(cast.lead).exists()
    assert not User.objects.visible_to(cast.lead).exists()


def test_store_manager_sees_colleagues_and_hq_but_not_other_stores(cast, api):
    visible = set(User.objects.visible_to(cast.manager).values_list("username", flat=True))
    assert {"manager", "ops", "head", "lead"} <= visible
    assert "neighbour" not in visible and "far_manager" not in visible
    client = api.as_(cast.manager)
    assert client.get("/api/v1/users/neighbour/").status_code == 404
    assert client.get("/api/v1/users/manager/").status_code == 200


def test_ops_specialist_sees_managers_of_own_stores_only(cast):
    visible = set(User.objects.visible_to(cast.ops).values_list("username", flat=True))
    assert {"manager", "neighbour"} <= visible
    assert "far_manager" not in visible


def test_director_sees_region_store_staff(cast):
    visible = set(User.objects.visible_to(cast.director).values_list("username", flat=True))
    assert {"manager", "neighbour"} <= visible
    assert "far_manager" not in visible


@pytest.mark.parametrize("who", ["lead", "executive", "dms"])
def test_all_seeing_roles_see_every_user(cast, who):
    assert User.objects.visible_to(getattr(cast, who)).count() == User.objects.count()


def test_store_page_is_404_for_other_store(cast, client):
    client.force_login(cast.manager)
    assert client.get("/org/stores/HZ001/").status_code == 200
    assert client.get("/org/stores/NB001/").status_code == 404
    page = client.get("/org/stores/").content.decode()
    assert "HZ001" in page and "NB001" not in page


def test_anonymous_api_is_401(db, api):
    assert api.get("/api/v1/stores/").status_code == 401
