"""``manage.py load_demo``: a realistic organisation with people of every role, loaded
idempotently, whose printed logins really work."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from closedloop.org import demo
from closedloop.org.choices import Role
from closedloop.org.models import Department, Region, Store, User

pytestmark = pytest.mark.django_db


def load(*args):
    out = io.StringIO()
    # The demo issues and inspections have their own tests: keep these fast.
    call_command("load_demo", "--issues", "0", "--no-inspections", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        "regions": Region.objects.count(),
        "stores": Store.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "ops_stores": User.stores.through.objects.count(),
    }


@pytest.fixture
def loaded():
    return load()


def test_loading_twice_gives_the_same_counts(loaded):
    first = counts()
    assert first["stores"] >= 25 and first["users"] >= 20
    load()
    assert counts() == first


def test_seven_regions(loaded):
    assert dict(Region.objects.values_list("code", "name")) == {
        "EAST": "华东",
        "SOUTH": "华南",
        "NORTH": "华北",
        "SOUTHWEST": "西南",
        "CENTRAL": "华中",
        "NORTHWEST": "西北",
        "NORTHEAST": "东北",
    }


def test_stores_span_tiers_regions_and_rollout_batches(loaded):
    assert Store.objects.count() >= 25
    assert set(Store.objects.values_list("tier", flat=True)) == {"A", "B", "C"}
    assert Store.objects.values("region").distinct().count() == 7
    assert set(Store.objects.values_list("rollout_batch", flat=True)) == {"试点", "第1批", "第2批"}
    assert not Store.objects.filter(go_live_date__isnull=True).exists()
    assert not Store.objects.filter(monthly_throughput=0).exists()


def test_hangzhou_store(loaded):
    store = Store.objects.get(code="HZ001")
    assert store.name == "杭州XX 4S店"
    assert store.city == "杭州"
    assert store.region.name == "华东"
    assert (store.tier, store.monthly_throughput) == ("B", 350)


def test_default_departments_each_have_a_head(loaded):
    names = dict(Department.objects.values_list("code", "name"))
    assert names == {
        "IT": "IT",
        "PRODUCT": "产品",
        "SCM": "供应链",
        "CS": "客服",
        "TRAINING": "培训",
        "OPS": "运营",
    }
    for department in Department.objects.select_related("head"):
        assert department.head is not None, department.code
        assert department.head.role == Role.DEPARTMENT_HEAD
        assert department.head.department_id == department.pk
    assert User.objects.filter(role=Role.DEPARTMENT_MEMBER).count() >= 2


@pytest.mark.parametrize("role", Role.values)
def test_every_role_has_a_demo_user(loaded, role):
    assert User.objects.filter(role=role, is_active=True).exists()


def test_every_store_has_an_ops_specialist(loaded):
    orphans = Store.objects.annotate(n=Count("ops_specialists")).filter(n=0)
    assert not orphans.exists(), list(orphans.values_list("code", flat=True))


def test_hangzhou_manager_sees_only_hangzhou(loaded):
    manager = User.objects.get(role=Role.STORE_MANAGER, store__code="HZ001")
    assert list(Store.objects.visible_to(manager).values_list("code", flat=True)) == ["HZ001"]


def test_east_director_and_ops_see_the_east(loaded):
    east = set(Store.objects.filter(region__code="EAST").values_list("code", flat=True))
    director = User.objects.get(role=Role.REGIONAL_DIRECTOR, region__code="EAST")
    assert set(Store.objects.visible_to(director).values_list("code", flat=True)) == east
    ops = User.objects.get(username="ops_east")
    assert set(Store.objects.visible_to(ops).values_list("code", flat=True)) == east


def test_dms_client_has_its_scopes_and_no_password(loaded):
    dms = User.objects.get(username="dms")
    assert dms.role == Role.API_CLIENT
    assert set(dms.api_scopes) == {"issues:write", "metrics:write", "org:write"}
    assert not dms.has_usable_password()


def test_printed_logins_can_sign_in(loaded, client):
    logins = [x for x in demo.logins() if x.password == demo.DEMO_PASSWORD]
    assert {User.objects.get(username=x.username).role for x in logins} == set(Role.values) - {
        Role.API_CLIENT
    }
    for login in logins:
        assert login.username in loaded
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        assert client.get("/").context["user"].username == login.username
        client.post("/accounts/logout/")


def test_output_is_a_table_of_logins(loaded):
    lines = loaded.splitlines()
    header = next(line for line in lines if "用户名" in line)
    assert all(title in header for title in ("角色", "范围", "密码"))
    row = next(line for line in lines if line.startswith("manager_hz001 "))
    assert "店长" in row and "HZ001" in row and demo.DEMO_PASSWORD in row
    assert "issue_api_token dms" in next(line for line in lines if line.startswith("dms "))


def test_if_empty_loads_an_empty_database(db):
    out = load("--if-empty")
    assert Store.objects.count() >= 25
    assert "manager_hz001" in out


def test_if_empty_changes_nothing_once_loaded(loaded):
    Store.objects.filter(code="HZ001").update(monthly_throughput=1)
    before = counts()
    out = load("--if-empty")
    assert Store.objects.get(code="HZ001").monthly_throughput == 1
    assert counts() == before
    assert "manager_hz001" in out and demo.DEMO_PASSWORD in out


def test_plain_reload_restores_demo_values(loaded):
    Store.objects.filter(code="HZ001").update(monthly_throughput=1)
    load()
    assert Store.objects.get(code="HZ001").monthly_throughput == 350


def test_load_org_returns_what_it_wrote(db):
    org = demo.load_org()
    assert org.stores["HZ001"].tier == "B"
    assert org.regions["EAST"].name == "华东"
    assert org.departments["IT"].head.username in org.users
    assert {u.role for u in org.users.values()} == set(Role.values)
    assert len(org.stores) == Store.objects.count()
    assert org.users_with_role(Role.QUALITY_LEAD)
