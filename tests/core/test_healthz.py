"""``/healthz`` answers 200 only when the database and the Celery broker both answer,
and names the one that is down with a 503."""

import pytest
from django.db import connection

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthy_with_real_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_broker_is_503_naming_broker(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["broker"] == "down"
    assert body["database"] == "ok"
    assert set(body["errors"]) == {"broker"}
    assert body["errors"]["broker"]


def test_unreachable_database_is_503_naming_database(transactional_db, client):
    """Point the live connection at a port where no PostgreSQL listens, as when the
    database server is down, and restore it afterwards."""
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        response = client.get("/healthz")
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
