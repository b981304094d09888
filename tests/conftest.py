"""The shared cast (STYLE.md 15): two regions, three stores, one person per role,
plus a neighbour store manager and an outsider with no scope."""

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from closedloop.org.choices import Role

from .factories import DepartmentFactory, RegionFactory, StoreFactory, UserFactory

#: The real-worker fixtures (``celery_worker_process``, ``module_worker``,
#: ``private_queue``, ``bot_receiver``) for every test module that asks for them.
pytest_plugins = ["tests.celery_fixtures"]


@pytest.fixture
def org(db):
    east = RegionFactory(code="EAST", name="华东")
    south = RegionFactory(code="SOUTH", name="华南")
    it = DepartmentFactory(code="IT", name="IT")
    supply = DepartmentFactory(code="SCM", name="供应链")
    hangzhou = StoreFactory(code="HZ001", name="杭州XX 4S店", city="杭州", region=east)
    ningbo = StoreFactory(code="NB001", name="宁波XX 4S店", city="宁波", region=east, tier="A")
    guangzhou = StoreFactory(code="GZ001", name="广州XX 4S店", city="广州", region=south, tier="C")
    return SimpleNamespace(
        east=east,
        south=south,
        it=it,
        supply=supply,
        hangzhou=hangzhou,
        ningbo=ningbo,
        guangzhou=guangzhou,
    )


@pytest.fixture
def cast(org):
    users = SimpleNamespace(
        manager=UserFactory(username="manager", role=Role.STORE_MANAGER, store=org.hangzhou),
        neighbour=UserFactory(username="neighbour", role=Role.STORE_MANAGER, store=org.ningbo),
        far_manager=UserFactory(
            username="far_manager", role=Role.STORE_MANAGER, store=org.guangzhou
        ),
        ops=UserFactory(
            username="ops", role=Role.OPS_SPECIALIST, stores=[org.hangzhou, org.ningbo]
        ),
        director=UserFactory(username="director", role=Role.REGIONAL_DIRECTOR, region=org.east),
        head=UserFactory(username="head", role=Role.DEPARTMENT_HEAD, department=org.it),
        member=UserFactory(username="member", role=Role.DEPARTMENT_MEMBER, department=org.it),
        scm_head=UserFactory(username="scm_head", role=Role.DEPARTMENT_HEAD, department=org.supply),
        lead=UserFactory(username="lead", role=Role.QUALITY_LEAD),
        executive=UserFactory(username="executive", role=Role.EXECUTIVE),
        dms=UserFactory(
            username="dms",
            role=Role.API_CLIENT,
            api_scopes=["issues:write", "metrics:write", "org:write"],
        ),
        outsider=UserFactory(username="outsider", role=Role.OPS_SPECIALIST),
    )
    org.it.head = users.head
    org.it.save()
    org.supply.head = users.scm_head
    org.supply.save()
    users.org = org
    return users


@pytest.fixture
def api():
    """An API client; ``api.as_(user)`` authenticates as that user."""
    client = APIClient()

    def as_(user):
        client.force_authenticate(user=user)
        return client

    client.as_ = as_
    return client


@pytest.fixture
def flat_queries(django_assert_max_num_queries):
    """``flat_queries(fetch, grow=..., limit=N)`` pins a list's query count and proves it
    flat (no N+1): ``fetch()`` once to warm up (session, translations, content types),
    then its queries are counted (at most ``limit``), ``grow()`` adds rows, and the count
    again must be the same. ``fetch`` makes its own checks (status, rows shown) and
    returns the response; the last one is returned."""

    def measure(fetch, limit):
        fetch()
        with django_assert_max_num_queries(limit) as captured:
            response = fetch()
        return response, len(captured)

    def check(fetch, *, grow, limit):
        _response, before = measure(fetch, limit)
        grow()
        response, after = measure(fetch, limit)
        assert before == after, f"the queries grew with the rows: {before} → {after}"
        return response

    return check


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh directory of the test (returned)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Calendar rows created in a test vanish on rollback without a delete signal."""
    from issues import sla

    sla.forget_local_calendar()
    yield
    sla.forget_local_calendar()


@pytest.fixture(autouse=True)
def _default_language():
    """A request by an English-speaking user must not leak English into the next test."""
    from django.utils import translation

    yield
    translation.activate("zh-hans")
