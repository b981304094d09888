"""``/healthz``: is the database reachable, is the Celery broker reachable?"""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


def check_broker() -> str | None:
    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        client.ping()
        client.close()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()[:300]
    return None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    body = {name: ("ok" if error is None else "down") for name, error in checks.items()}
    errors = {name: error for name, error in checks.items() if error}
    healthy = not errors
    body["status"] = "ok" if healthy else "down"
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=200 if healthy else 503)
