"""API throttles that keep the API serving while the shared cache (Redis) is down.

DRF keeps the request history of each client in the default cache; with Redis
unreachable every API request would be a 500. These throttles then count in this
process's memory instead — the limits still hold per process — and log a warning (at
most once a minute per process); they go back to the shared cache as soon as it answers.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from rest_framework import throttling

from closedloop.redisguard import UNREACHABLE

logger = logging.getLogger(__name__)

WARN_EVERY_SECONDS = 60

#: The request histories while the shared cache is down (this process only).
local_cache = LocMemCache("closedloop-api-throttle", {"OPTIONS": {"MAX_ENTRIES": 10000}})

_warned_at: float | None = None
_warn_lock = threading.Lock()


def _warn(exc: BaseException) -> None:
    global _warned_at
    now = time.monotonic()
    with _warn_lock:
        if _warned_at is not None and now - _warned_at < WARN_EVERY_SECONDS:
            return
        _warned_at = now
    logger.warning(
        "API throttling counts in this process's memory, the shared cache is unavailable: %s",
        f"{type(exc).__name__}: {exc}",
    )


class LocalFallbackMixin:
    """Count in :data:`local_cache` when the shared cache cannot be reached."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except UNREACHABLE as exc:
            _warn(exc)
            self.cache = local_cache
            return super().allow_request(request, view)


class UserRateThrottle(LocalFallbackMixin, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(LocalFallbackMixin, throttling.AnonRateThrottle):
    pass
