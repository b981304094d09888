"""The REST API keeps serving while Redis is unreachable (stopped: connections refused,
or hung: SIGSTOP). API throttling keeps its counts in the shared cache; without it the
throttles count in the process's memory — the limits still hold — and say so in the log.
``/healthz`` shows the cache and the broker down.

Redis here is a private ``redis-server`` (tests/redis_faults.py) that is the cache, the
broker and the result backend of this process; each test is bounded in time."""

import logging

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from closedloop.api import throttling
from issues.models import Issue
from tests.factories import new_issue

from .redis_faults import FAST_ENOUGH_SECONDS, PrivateRedis, deadline, redis_everywhere, timed

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "store": "HZ001",
    "category": "system",
    "title": "DMS 工单流转慢",
    "description": "开单到派工要等 5 分钟以上，客户排队。",
    "impact_scope": "store",
}


@pytest.fixture
def private_redis():
    private = PrivateRedis().start()
    try:
        with redis_everywhere(private.url):
            yield private
    finally:
        private.stop()


@pytest.fixture(autouse=True)
def _fresh_local_counts():
    throttling.local_cache.clear()
    throttling._warned_at = None
    yield
    throttling.local_cache.clear()


@pytest.fixture
def two_a_minute(monkeypatch):
    """Throttle people at 2 requests a minute (the rates are read when a throttle is
    made, from the class attribute DRF filled at import)."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_the_api_serves_while_redis_is_unreachable(cast, api, private_redis, fault, caplog):
    caplog.set_level(logging.WARNING)
    issue = new_issue(cast)
    if fault == "stopped":
        private_redis.stop()
    else:
        private_redis.pause()

    with deadline(), timed() as took:
        listing = api.as_(cast.manager).get("/api/v1/issues/")
        detail = api.as_(cast.manager).get(f"/api/v1/issues/{issue.number}/")
        created = api.as_(cast.dms).post(
            "/api/v1/issues/", {**PAYLOAD, "external_ref": f"DMS-{fault}"}, format="json"
        )
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert detail.status_code == 200
    assert created.status_code == 201, created.content
    assert Issue.objects.filter(external_ref=f"DMS-{fault}").exists()
    assert took.seconds < FAST_ENOUGH_SECONDS, f"three API requests took {took.seconds:.1f}s"

    warnings = [r.getMessage() for r in caplog.records if r.name == "closedloop.api.throttling"]
    assert len(warnings) == 1  # once, not once per request
    assert "API throttling counts in this process's memory" in warnings[0]
    assert any(
        r.name == "closedloop.redisguard" and "unavailable" in r.getMessage()
        for r in caplog.records
    )


def test_limits_still_hold_while_redis_is_down(cast, api, private_redis, two_a_minute):
    private_redis.stop()
    client = api.as_(cast.manager)
    with deadline():
        answers = [client.get("/api/v1/issues/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_throttling_is_shared_again_once_redis_is_back(
    cast, api, private_redis, two_a_minute, settings
):
    settings.REDIS_RETRY_AFTER_SECONDS = 0  # try the shared cache again on each request
    client = api.as_(cast.manager)
    assert client.get("/api/v1/issues/").status_code == 200  # counted in Redis
    key = f"throttle_user_{cast.manager.pk}"
    assert len(cache.get(key)) == 1

    private_redis.stop()
    with deadline():
        assert client.get("/api/v1/issues/").status_code == 200  # counted locally
    assert len(throttling.local_cache.get(key)) == 1

    private_redis.start()  # the same port, empty
    with deadline():
        assert client.get("/api/v1/issues/").status_code == 200
        assert len(cache.get(key)) == 1  # back in the shared cache
        assert client.get("/api/v1/issues/").status_code == 200
        assert client.get("/api/v1/issues/").status_code == 429
