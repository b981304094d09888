"""The shared cast (STYLE.md 15): two regions, three stores, one person per role,
plus a neighbour store manager and an outsider with no scope (built by
``tests/factories.py`` ``make_org``/``make_cast``); shared fixtures."""

import pytest
from rest_framework.test import APIClient

from .factories import make_cast, make_org

#: The real-worker fixtures (``celery_worker_process``, ``module_worker``,
#: ``private_queue``, ``bot_receiver``) for every test module that asks for them.
pytest_plugins = ["tests.celery_fixtures"]


@pytest.fixture
def org(db):
    return make_org()


@pytest.fixture
def cast(org):
    return make_cast(org)


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
