"""Redis on a request path: bounded in time, and not asked again right after it failed.

Redis is the Celery broker and the Django cache. Every client on a request path has a
socket connect and read timeout (``REDIS_SOCKET_CONNECT_TIMEOUT``/``REDIS_SOCKET_TIMEOUT``,
see the settings), so a Redis that accepts connections but never answers (overloaded,
stopped with SIGSTOP, a dropped network path) costs a request that timeout, then fails
like a refused connection — the path every caller already handles.

A timeout still costs a second or two per call, and a page may make several: a
:class:`Breaker` per Redis remembers a failure for ``REDIS_RETRY_AFTER_SECONDS``, and
while it is open callers fail at once instead of waiting again. After that one caller
tries again; a success closes the breaker. The breakers live in this process only (each
web process finds out for itself) and log a warning when they open and when Redis answers
again.

:class:`RedisCache` is Django's Redis cache backend behind such a breaker: the same
errors (``redis.ConnectionError``/``TimeoutError``), just at once while Redis is known to
be down."""

from __future__ import annotations

import functools
import logging
import threading
import time
import urllib.parse

import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)

#: The errors that mean "Redis is unreachable or does not answer" (a refused or reset
#: connection, a connect or read timeout) rather than a wrong command.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)


class RedisUnavailable(redis.ConnectionError):
    """Raised at once, without a network call, while a breaker is open."""


def redact(url: str) -> str:
    """``url`` without its password (Redis URLs may carry one)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


class Breaker:
    """Whether to call one Redis now. Closed: call. Open (a call failed less than
    ``retry_after`` seconds ago): do not, fail at once. Then the next caller tries."""

    def __init__(self, name: str, retry_after: float | None = None) -> None:
        self.name = name
        self._retry_after = retry_after
        self._lock = threading.Lock()
        self._open_until: float | None = None  # time.monotonic() when a retry is allowed
        self._since: float | None = None  # time.time() of the first failure of the outage

    @property
    def retry_after(self) -> float:
        if self._retry_after is not None:
            return self._retry_after
        return float(getattr(settings, "REDIS_RETRY_AFTER_SECONDS", 10))

    def allows(self) -> bool:
        """True unless a call failed less than ``retry_after`` seconds ago."""
        until = self._open_until
        return until is None or time.monotonic() >= until

    def check(self) -> None:
        """Raise :class:`RedisUnavailable` unless a call may be made now."""
        until = self._open_until
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                since = time.strftime("%H:%M:%S", time.localtime(self._since or time.time()))
                raise RedisUnavailable(
                    f"{self.name} unavailable since {since}; not tried again for {wait:.0f} s"
                )

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first = self._since is None
            if first:
                self._since = time.time()
            self._open_until = time.monotonic() + self.retry_after
        logger.warning(
            "%s %s: %s; not tried again for %.0f s",
            self.name,
            "unavailable" if first else "still unavailable",
            f"{type(exc).__name__}: {exc}",
            self.retry_after,
        )

    def succeeded(self) -> None:
        if self._since is None:
            return
        with self._lock:
            if self._since is None:
                return
            down_for = time.time() - self._since
            self._open_until = self._since = None
        logger.warning("%s available again after %.0f s", self.name, down_for)

    def reset(self) -> None:
        with self._lock:
            self._open_until = self._since = None


_breakers: dict[str, Breaker] = {}
_registry_lock = threading.Lock()


def breaker(kind: str, url: str) -> Breaker:
    """The process's breaker for one Redis (``kind`` "cache" or "broker", and its URL)."""
    name = f"{kind} {redact(url)}"
    found = _breakers.get(name)
    if found is None:
        with _registry_lock:
            found = _breakers.setdefault(name, Breaker(name))
    return found


def broker_breaker() -> Breaker:
    from closedloop.celery import app

    return breaker("broker", app.conf.broker_url or "")


def reset_breakers() -> None:
    """Forget every failure (tests; a process that knows Redis is back)."""
    for item in list(_breakers.values()):
        item.reset()


# --------------------------------------------------------------------------- the cache


class GuardedRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client: each operation first asks the breaker of its server;
    a timeout or a refused connection opens it."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        # One breaker for the whole cache: with several servers (reads spread over the
        # replicas) an outage of any is treated as an outage of the cache.
        self.breaker = breaker("cache", ",".join(servers))

    def get_client(self, key=None, *, write=False):
        self.breaker.check()
        return super().get_client(key, write=write)


def _guarded(name: str):
    method = getattr(RedisCacheClient, name)

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        guard = self.breaker
        try:
            result = method(self, *args, **kwargs)
        except RedisUnavailable:
            raise
        except UNREACHABLE as exc:
            guard.failed(exc)
            raise
        guard.succeeded()
        return result

    return call


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(GuardedRedisCacheClient, _name, _guarded(_name))


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` behind a :class:`Breaker`."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = GuardedRedisCacheClient
