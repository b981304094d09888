"""``/healthz`` answers 200 only when the database, the Celery broker and the cache all
answer, and says which part is down with a 503. Why (the error, which names hosts and
ports) is shown only to staff and to a monitor that sends the configured token."""

import pytest
from django.db import connection

from closedloop import redisguard
from tests.factories import UserFactory

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
TOKEN = "monitor-7f3a9c"


@pytest.fixture
def broker_down(settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "closedloop.redisguard.RedisCache", "LOCATION": UNREACHABLE_REDIS}
    }
    yield
    redisguard.reset_breakers()


@pytest.mark.django_db
def test_healthy_with_real_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "cache": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_broker_is_503_naming_broker(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down", "cache": "ok", "status": "down"}
    # An anonymous caller learns nothing about the infrastructure.
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_unreachable_cache_is_503_naming_cache(client, cache_down, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    response = client.get("/healthz", headers={"X-Healthz-Token": TOKEN})
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["cache"]) == ("ok", "ok", "down")
    assert set(body["errors"]) == {"cache"}
    assert "ConnectionError" in body["errors"]["cache"]


@pytest.mark.django_db
def test_staff_see_why(client, broker_down):
    client.force_login(UserFactory(username="ops_admin", is_staff=True))
    body = client.get("/healthz").json()
    assert set(body["errors"]) == {"broker"}
    assert "127.0.0.1:1" in body["errors"]["broker"]


@pytest.mark.django_db
def test_other_people_do_not(client, broker_down):
    client.force_login(UserFactory(username="shop"))
    assert "errors" not in client.get("/healthz").json()


@pytest.mark.django_db
def test_a_monitor_with_the_token_sees_why(client, broker_down, settings):
    settings.HEALTHZ_TOKEN = TOKEN
    assert "errors" in client.get("/healthz", headers={"X-Healthz-Token": TOKEN}).json()
    assert "errors" not in client.get("/healthz", headers={"X-Healthz-Token": "guess"}).json()
    settings.HEALTHZ_TOKEN = ""  # no token configured: an empty header is no token
    assert "errors" not in client.get("/healthz", headers={"X-Healthz-Token": ""}).json()


def test_unreachable_database_is_503_naming_database(transactional_db, client, settings):
    """Point the live connection at a port where no PostgreSQL listens, as when the
    database server is down, and restore it afterwards."""
    settings.HEALTHZ_TOKEN = TOKEN
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz", headers={"X-Healthz-Token": TOKEN})
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "down"
    assert body["broker"] == "ok"
    assert set(body["errors"]) == {"database"}
    assert "OperationalError" in body["errors"]["database"]
    # And the check recovers once the database is back.
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_get_only(client):
    assert client.post("/healthz").status_code == 405
