"""``/healthz``: is the database reachable, the Celery broker, the cache?

Everybody sees ``ok``/``down`` per part; the error texts (which name hosts and ports)
only staff signed in, or a monitor that sends ``X-Healthz-Token: <HEALTHZ_TOKEN>``."""

from __future__ import annotations

import secrets
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from closedloop.redisguard import redact


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".strip()[:300]


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return _error(exc)
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
        return f"{_error(exc)} ({redact(settings.CELERY_BROKER_URL)})"[:300]
    return None


def check_cache() -> str | None:
    """A round trip through the cache as the app uses it: while its breaker is open
    (Redis failed moments ago, closedloop.redisguard) this is ``down`` at once, and API
    throttling counts in each process's memory."""
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        return _error(exc)
    if found != "ok":
        return "the cache did not return what was just stored"
    return None


def may_see_details(request) -> bool:
    token = getattr(settings, "HEALTHZ_TOKEN", "")
    sent = request.headers.get("X-Healthz-Token", "")
    if token and secrets.compare_digest(sent.encode(), token.encode()):
        return True
    try:
        # The session and the user are read from the database, which may be the part
        # that is down: then only the token shows the details.
        user = request.user
        return bool(user.is_authenticated and user.is_staff)
    except Exception:
        return False


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker(), "cache": check_cache()}
    body = {name: ("ok" if error is None else "down") for name, error in checks.items()}
    errors = {name: error for name, error in checks.items() if error}
    healthy = not errors
    body["status"] = "ok" if healthy else "down"
    if errors and may_see_details(request):
        body["errors"] = errors
    return JsonResponse(body, status=200 if healthy else 503)
