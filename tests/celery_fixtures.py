"""Real Celery workers and a fake group-bot server for tests that cross processes.

A worker is a ``celery worker --pool solo`` subprocess against the pytest test database
(``DATABASE_URL`` pointing at ``connection.settings_dict["NAME"]``) and the real Redis
broker, consuming a queue of its own (which is also its default queue, so whatever it
enqueues itself — deliveries after a sweep — comes back to it and to nobody else).
Tests that use one need ``transactional_db``: the worker only sees committed rows.

Import the fixtures you need into the test module::

    from tests.celery_fixtures import module_worker  # noqa: F401
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


# --------------------------------------------------------------------------- database


def database_url() -> str:
    """A URL for the database pytest is using right now (the ``test_…`` one)."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    if host.startswith("/"):
        # A unix socket directory (the embedded pgserver): django-environ takes a
        # percent-encoded "socket dir/name" path, as closedloop.devservers writes it.
        return f"postgres://{auth}@:{port}/{quote(host + '/' + db['NAME'], safe='')}"
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a child process (worker, ``manage.py``) on the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "closedloop.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def seed_reference_data() -> None:
    """Put back what the data migrations seed: ``transactional_db`` truncates every table
    after each test, so the next one would find no work calendar, SLA policies,
    escalation levels or beat schedules. Idempotent (the migrations' own functions and
    the job registry's schedule sync that runs after ``migrate``)."""
    from django.apps import apps

    from closedloop.core import jobs
    from issues.sla import invalidate_calendar_cache

    issues_seed = importlib.import_module("issues.migrations.0002_calendar_and_sla_seed")
    levels = importlib.import_module("issues.migrations.0004_default_escalation_levels")
    issues_seed.seed_calendar(apps, None)
    issues_seed.seed_policies(apps, None)
    levels.seed(apps, None)
    jobs.sync_schedules()
    invalidate_calendar_cache()


# --------------------------------------------------------------------------- workers


@dataclass
class Worker:
    queue: str
    proc: subprocess.Popen
    log: Path
    broker_url: str
    _log_file: object = field(repr=False, default=None)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"celery worker exited early:\n{self.text()}")
            if b"ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        pytest.fail(f"celery worker not ready in {timeout}s:\n{self.text()}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, nothing acknowledged or given back to the broker."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def run_job(self, job: str, at: str | None = None, timeout: float = 60):
        """Send ``closedloop.run_job`` as beat does (by task name) and wait for its result."""
        from closedloop.celery import app

        args = [job] if at is None else [job, at]
        result = app.send_task("closedloop.run_job", args=args, queue=self.queue)
        try:
            return result.get(timeout=timeout)
        except Exception:
            print(self.text())
            raise

    def drain(self, timeout: float = 60) -> None:
        """Wait until the worker has run everything queued before now (one process, one
        queue, first in first out: a no-op task sent last finishes last)."""
        from closedloop.celery import app

        # ``celery.accumulate`` is a built-in task that only returns its arguments.
        result = app.send_task("celery.accumulate", args=["drained"], queue=self.queue)
        try:
            result.get(timeout=timeout)
        except Exception:
            print(self.text())
            raise


def start_worker(
    directory: Path,
    *,
    queue: str | None = None,
    broker_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    ready: bool = True,
) -> Worker:
    """Start a worker subprocess; the caller stops it (``Worker.stop``)."""
    queue = queue or f"test-{uuid.uuid4().hex[:12]}"
    broker_url = broker_url or settings.CELERY_BROKER_URL
    log_path = Path(directory) / f"worker-{queue}-{uuid.uuid4().hex[:6]}.log"
    env = subprocess_env(
        CELERY_BROKER_URL=broker_url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        **(extra_env or {}),
    )
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "closedloop",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = Worker(queue=queue, proc=proc, log=log_path, broker_url=broker_url, _log_file=log)
    if ready:
        try:
            worker.wait_until_ready()
        except BaseException:
            worker.stop()
            raise
    return worker


@contextmanager
def default_queue(queue: str):
    """Send what this (test) process enqueues without naming a queue — deliveries after
    commit — to ``queue`` instead of the shared ``celery`` queue, where nobody would
    consume it."""
    from closedloop.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = previous


@pytest.fixture
def private_queue():
    """A queue of this test's own as the default queue, deleted afterwards."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    with default_queue(queue):
        yield queue
    delete_queue(queue)


def delete_queue(queue: str, broker_url: str | None = None) -> None:
    """Remove a test queue and whatever is left in it from the broker. (kombu deletes
    only bindings its channel knows: declare the queue as Celery did, then delete it.)"""
    from kombu import Exchange, Queue

    from closedloop.celery import app

    try:
        with app.connection_for_write(broker_url) as conn:
            declared = Queue(queue, Exchange(queue, type="direct"), routing_key=queue)
            declared = declared(conn.default_channel)
            declared.declare()
            declared.delete()
    except Exception:  # best effort: an unreachable broker already failed the test
        pass


@pytest.fixture
def celery_worker_process(transactional_db, request, tmp_path):
    """A worker for one test. ``transactional_db`` so that the worker sees committed rows
    and the test sees the worker's."""
    worker = start_worker(tmp_path, ready=False)

    def stop():
        worker.stop()
        delete_queue(worker.queue)

    # Registered before anything else can fail, so the worker never outlives the test
    # (it holds a connection to the test database, which pytest drops at the end).
    request.addfinalizer(stop)
    worker.wait_until_ready()
    return worker


@pytest.fixture(scope="module")
def module_worker(django_db_setup, tmp_path_factory, request):
    """One worker for a whole test module (starting one takes seconds). Each test still
    needs ``transactional_db``; call ``module_worker.drain()`` before the test ends if it
    left work queued, so nothing runs into the next test's fresh tables."""
    worker = start_worker(tmp_path_factory.mktemp("worker"), ready=False)

    def stop():
        worker.stop()
        delete_queue(worker.queue)

    request.addfinalizer(stop)
    worker.wait_until_ready()
    return worker


# --------------------------------------------------------------------------- group bot


class BotReceiver:
    """A fake Feishu webhook on 127.0.0.1: records every POST, answers ``{"code": 0}``.

    ``hang_first = n`` makes the first n requests hang (unanswered) until ``release()``
    or ``hang_seconds`` — a bot platform that stopped answering mid-send."""

    def __init__(self) -> None:
        self.requests: list[dict] = []  # every request that arrived
        self.accepted: list[dict] = []  # the ones answered with success
        self.hang_first = 0
        self.hang_seconds = 60.0
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with receiver._arrived:
                    receiver.requests.append(body)
                    hang = receiver.hang_first > 0
                    if hang:
                        receiver.hang_first -= 1
                    receiver._arrived.notify_all()
                if hang:
                    receiver._release.wait(receiver.hang_seconds)
                    return  # never answered: the sender was killed meanwhile
                with receiver._arrived:
                    receiver.accepted.append(body)
                    receiver._arrived.notify_all()
                payload = b'{"code": 0, "msg": "success"}'
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, format, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook/{uuid.uuid4().hex[:8]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, what: str, count: int, timeout: float = 60) -> list[dict]:
        """Wait until ``count`` requests arrived (``what="requests"``) or were accepted."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(getattr(self, what)) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"bot receiver: {len(getattr(self, what))} {what}, expected {count}"
                    )
                self._arrived.wait(remaining)
            return list(getattr(self, what))

    def release(self) -> None:
        self._release.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot_receiver():
    receiver = BotReceiver()
    yield receiver
    receiver.close()


def feishu_bot(url: str, **fields):
    """A Feishu ``BotWebhook`` row pointing at ``url`` (no signing secret)."""
    from closedloop.notifications.models import BotWebhook

    return BotWebhook.objects.create(
        name=fields.pop("name", "测试群"), channel="feishu", url=url, **fields
    )


def wait_until(predicate, timeout: float = 60, interval: float = 0.2, message: str = ""):
    """Poll ``predicate`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"condition not met in {timeout}s")
        time.sleep(interval)
