"""Deliveries leave through the outbox: group bots (Feishu, WeCom, DingTalk) in their exact
formats and signatures, posted to a real HTTP server on 127.0.0.1; email through Django's
mail backend; failures retried with backoff and given up after MAX_ATTEMPTS; exactly once
per dedupe key; the daily digest once per day."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone

from closedloop.core import jobs
from closedloop.notifications import services
from closedloop.notifications.choices import MAX_ATTEMPTS, Channel, DeliveryStatus, Level
from closedloop.notifications.models import BotWebhook, Delivery, Notification, Preference
from closedloop.notifications.services import Message, notify

pytestmark = pytest.mark.django_db

SITE = "https://cl.example.com"
TITLE = "ISS-2025-00012 响应已超时"
BODY = "杭州XX 4S店 · 空调不制冷\n优先级 P1 · 责任部门 IT"
LINK = f"{SITE}/issues/ISS-2025-00012/"
OK_REPLY = {
    Channel.FEISHU: {"code": 0, "msg": "success", "data": {}},
    Channel.WECOM: {"errcode": 0, "errmsg": "ok"},
    Channel.DINGTALK: {"errcode": 0, "errmsg": "ok"},
}
KEYWORD_ERROR = {"errcode": 310000, "errmsg": "keywords not in content"}


# --- a real webhook receiver ------------------------------------------------------------


class Receiver:
    """A bot platform on 127.0.0.1: records every request; answers what ``script`` says
    (a queue of ``(status, json_body)``), else ``default`` (a 200 "ok" for the channel
    named by the path's first segment), after ``delay`` seconds."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: deque[tuple[int, dict]] = deque()
        self.default: tuple[int, dict] | None = None
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urllib.parse.urlsplit(self.path)
                receiver.requests.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "raw_query": url.query,
                        "query": urllib.parse.parse_qs(url.query),
                        "headers": dict(self.headers),
                        "raw": raw,
                        "json": json.loads(raw.decode("utf-8")),
                    }
                )
                if receiver.script:
                    status, body = receiver.script.popleft()
                elif receiver.default:
                    status, body = receiver.default
                else:
                    status, body = 200, OK_REPLY[url.path.strip("/").split("/")[0]]
                if receiver.delay:
                    time.sleep(receiver.delay)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def enqueued(monkeypatch):
    """What would be handed to Celery (the task is not published: no worker here)."""
    from closedloop.notifications import tasks

    calls: list[int] = []
    monkeypatch.setattr(tasks.deliver, "delay", calls.append)
    return calls


def message(key="sla:1:response:100", **overrides) -> Message:
    fields = {
        "kind": "sla_overdue",
        "level": Level.DANGER,
        "title": TITLE,
        "body": BODY,
        "object_type": "issue",
        "object_ref": "ISS-2025-00012",
        "url": "/issues/ISS-2025-00012/",
        "dedupe_key": key,
    }
    fields.update(overrides)
    return Message(**fields)


def make_bot(receiver, channel, path, secret="", **kwargs) -> BotWebhook:
    return BotWebhook.objects.create(
        name=f"{channel} 群", channel=channel, url=receiver.url(path), secret=secret, **kwargs
    )


def bot_delivery(bot) -> Delivery:
    return Delivery.objects.get(webhook=bot)


# --- formats and signatures -------------------------------------------------------------


def test_feishu_post_format_with_signature(receiver):
    secret = "feishu-秘钥-0001"
    bot = make_bot(receiver, Channel.FEISHU, "/feishu/open-apis/bot/v2/hook/abc", secret)
    notify(recipients=[], message=message(), bots_to=[bot])

    assert services.deliver(bot_delivery(bot).pk) == DeliveryStatus.SENT

    [req] = receiver.requests
    assert req["method"] == "POST"
    assert req["path"] == "/feishu/open-apis/bot/v2/hook/abc"
    assert req["headers"]["Content-Type"].startswith("application/json")
    body = req["json"]
    timestamp, sign = body.pop("timestamp"), body.pop("sign")
    assert body == {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": TITLE,
                    "content": [
                        [{"tag": "text", "text": BODY}],
                        [{"tag": "a", "text": "查看详情", "href": LINK}],
                    ],
                }
            }
        },
    }
    # Seconds since the epoch, and the signature Feishu computes for it.
    assert abs(int(timestamp) - time.time()) < 60
    key = f"{timestamp}\n{secret}".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert sign == expected
    assert bot_delivery(bot).status == DeliveryStatus.SENT


def test_feishu_without_secret_sends_no_signature(receiver):
    bot = make_bot(receiver, Channel.FEISHU, "/feishu/hook/plain")
    notify(recipients=[], message=message(), bots_to=[bot])
    services.deliver(bot_delivery(bot).pk)
    [req] = receiver.requests
    assert "timestamp" not in req["json"] and "sign" not in req["json"]
    assert req["json"]["content"]["post"]["zh_cn"]["title"] == TITLE


def test_wecom_markdown_format(receiver):
    bot = make_bot(receiver, Channel.WECOM, "/wecom/cgi-bin/webhook/send?key=k-123")
    notify(recipients=[], message=message(), bots_to=[bot])

    assert services.deliver(bot_delivery(bot).pk) == DeliveryStatus.SENT

    [req] = receiver.requests
    assert req["method"] == "POST"
    assert req["path"] == "/wecom/cgi-bin/webhook/send"
    assert req["query"] == {"key": ["k-123"]}
    assert req["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": (
                f"**{TITLE}**\n"
                "> 杭州XX 4S店 · 空调不制冷\n"
                "> 优先级 P1 · 责任部门 IT\n"
                f"[查看详情]({LINK})"
            )
        },
    }


def test_dingtalk_markdown_format_with_signed_url(receiver):
    secret = "SEC0123456789abcdef"
    bot = make_bot(receiver, Channel.DINGTALK, "/dingtalk/robot/send?access_token=tok-1", secret)
    notify(recipients=[], message=message(), bots_to=[bot])

    before_ms = int(time.time() * 1000)
    assert services.deliver(bot_delivery(bot).pk) == DeliveryStatus.SENT

    [req] = receiver.requests
    assert req["method"] == "POST"
    assert req["path"] == "/dingtalk/robot/send"
    assert req["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": TITLE,
            "text": f"#### {TITLE}\n\n{BODY}\n\n[查看详情]({LINK})",
        },
    }
    query = req["query"]
    assert query["access_token"] == ["tok-1"]
    [timestamp] = query["timestamp"]
    assert abs(int(timestamp) - before_ms) < 60_000  # milliseconds
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    expected = base64.b64encode(digest.digest()).decode()
    assert query["sign"] == [expected]
    # On the wire the signature is URL-encoded (base64 has "+", "/" and "=").
    raw_sign = dict(p.split("=", 1) for p in req["raw_query"].split("&"))["sign"]
    assert raw_sign == urllib.parse.quote_plus(expected)


def test_chinese_text_arrives_intact_on_every_channel(receiver):
    bots = [
        make_bot(receiver, Channel.FEISHU, "/feishu/hook/zh"),
        make_bot(receiver, Channel.WECOM, "/wecom/send?key=zh"),
        make_bot(receiver, Channel.DINGTALK, "/dingtalk/send?access_token=zh"),
    ]
    notify(recipients=[], message=message(), bots_to=bots)
    for bot in bots:
        assert services.deliver(bot_delivery(bot).pk) == DeliveryStatus.SENT
    assert len(receiver.requests) == 3
    for req in receiver.requests:
        text = json.dumps(req["json"], ensure_ascii=False)  # the decoded UTF-8 body
        assert "响应已超时" in text and "空调不制冷" in text and "查看详情" in text


# --- failures, retries, giving up --------------------------------------------------------


def test_failing_receiver_is_retried_with_backoff_until_it_recovers(receiver, enqueued, caplog):
    bot = make_bot(receiver, Channel.DINGTALK, "/dingtalk/robot/send?access_token=SECRET-TOKEN")
    notify(recipients=[], message=message(), bots_to=[bot])
    pk = bot_delivery(bot).pk
    receiver.script.extend([(500, {"error": "boom"}), (200, KEYWORD_ERROR)])
    grace = services.OUTBOX_GRACE

    # 1st attempt: HTTP 500.
    t1 = timezone.now()
    with caplog.at_level(logging.WARNING, logger="closedloop.notifications.services"):
        assert services.deliver(pk, now=t1) == DeliveryStatus.FAILED
    d = Delivery.objects.get(pk=pk)
    assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 1)
    assert "HTTP 500" in d.last_error
    assert d.next_attempt_at == t1 + services.backoff(1) == t1 + dt.timedelta(seconds=60)
    [record] = [r for r in caplog.records if r.name == "closedloop.notifications.services"]
    assert record.levelno == logging.WARNING
    assert "HTTP 500" in record.getMessage()
    assert "SECRET-TOKEN" not in record.getMessage()  # the bot's token stays out of logs

    # Not due before backoff + grace; due then, and the worker is handed it.
    assert services.flush_outbox(t1 + services.backoff(1) + grace - dt.timedelta(seconds=1)) == 0
    assert enqueued == []
    t2 = t1 + services.backoff(1) + grace
    assert services.flush_outbox(t2) == 1
    assert enqueued == [pk]

    # 2nd attempt (as the worker would): HTTP 200 with a platform error code.
    assert services.deliver(pk, now=t2) == DeliveryStatus.FAILED
    d.refresh_from_db()
    assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 2)
    assert "310000" in d.last_error and "keywords not in content" in d.last_error
    assert d.next_attempt_at == t2 + services.backoff(2) == t2 + dt.timedelta(seconds=120)

    # The receiver recovers.
    t3 = t2 + services.backoff(2) + grace
    assert services.flush_outbox(t3) == 1
    assert services.deliver(pk, now=t3) == DeliveryStatus.SENT
    d.refresh_from_db()
    assert (d.status, d.attempts, d.last_error) == (DeliveryStatus.SENT, 3, "")
    assert d.sent_at is not None and d.next_attempt_at is None
    assert len(receiver.requests) == 3
    # Sent is final: nothing due, and a stray task does not send it again.
    assert services.flush_outbox(t3 + dt.timedelta(days=1)) == 0
    assert services.deliver(pk, now=t3 + dt.timedelta(days=1)) == "skipped"
    assert len(receiver.requests) == 3


def test_gives_up_after_max_attempts_and_logs_an_error(receiver, enqueued, caplog):
    bot = make_bot(receiver, Channel.WECOM, "/wecom/send?key=k")
    notify(recipients=[], message=message(), bots_to=[bot])
    pk = bot_delivery(bot).pk
    receiver.default = (500, {"errcode": -1, "errmsg": "system busy"})

    now = timezone.now()
    with caplog.at_level(logging.WARNING, logger="closedloop.notifications.services"):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            status = services.deliver(pk, now=now)
            d = Delivery.objects.get(pk=pk)
            assert d.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert status == DeliveryStatus.FAILED
                assert d.next_attempt_at == now + services.backoff(attempt)
                now = d.next_attempt_at + services.OUTBOX_GRACE
                assert services.flush_outbox(now) == 1
    assert status == DeliveryStatus.DEAD
    assert (d.status, d.next_attempt_at) == (DeliveryStatus.DEAD, None)
    assert "HTTP 500" in d.last_error
    assert len(receiver.requests) == MAX_ATTEMPTS
    levels = [r.levelno for r in caplog.records if r.name == "closedloop.notifications.services"]
    assert levels == [logging.WARNING] * (MAX_ATTEMPTS - 1) + [logging.ERROR]
    # Dead stays dead: never due again, never sent again.
    assert services.flush_outbox(now + dt.timedelta(days=30)) == 0
    assert enqueued == [pk] * (MAX_ATTEMPTS - 1)
    assert services.deliver(pk, now=now + dt.timedelta(days=30)) == "skipped"
    assert len(receiver.requests) == MAX_ATTEMPTS


@pytest.mark.parametrize(
    ("channel", "path", "reply"),
    [
        (Channel.FEISHU, "/feishu/hook/x", KEYWORD_ERROR),
        (Channel.FEISHU, "/feishu/hook/x", {"code": 19021, "msg": "sign match fail"}),
        (Channel.FEISHU, "/feishu/hook/x", {}),
        (Channel.WECOM, "/wecom/send?key=x", {"errcode": 93000, "errmsg": "invalid webhook url"}),
        (Channel.DINGTALK, "/dingtalk/send?access_token=x", KEYWORD_ERROR),
    ],
)
def test_platform_error_code_in_a_200_reply_is_a_failure(receiver, channel, path, reply):
    bot = make_bot(receiver, channel, path)
    receiver.default = (200, reply)
    notify(recipients=[], message=message(), bots_to=[bot])
    assert services.deliver(bot_delivery(bot).pk) == DeliveryStatus.FAILED
    d = bot_delivery(bot)
    assert (d.status, d.attempts) == (DeliveryStatus.FAILED, 1)
    assert d.last_error


def test_retry_posts_to_the_webhooks_current_url(receiver):
    """An admin fixes (or rotates) a bot's URL after failures: the retry uses the new one."""
    bot = make_bot(receiver, Channel.WECOM, "/wecom/send?key=old")
    notify(recipients=[], message=message(), bots_to=[bot])
    pk = bot_delivery(bot).pk
    receiver.script.append((200, {"errcode": 93000, "errmsg": "invalid webhook url"}))
    now = timezone.now()
    assert services.deliver(pk, now=now) == DeliveryStatus.FAILED

    bot.url = receiver.url("/wecom/send?key=new")
    bot.save()
    later = now + services.backoff(1)
    assert services.deliver(pk, now=later) == DeliveryStatus.SENT
    assert [r["query"]["key"] for r in receiver.requests] == [["old"], ["new"]]


def test_slow_receiver_never_blocks_notify_and_times_out_in_the_worker(
    receiver, enqueued, monkeypatch, django_capture_on_commit_callbacks
):
    receiver.delay = 3.0
    bot = make_bot(receiver, Channel.FEISHU, "/feishu/hook/slow")

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[], message=message(), bots_to=[bot])
    assert time.monotonic() - started < 1.0
    assert receiver.requests == []  # notify() makes no HTTP call
    pk = bot_delivery(bot).pk
    assert bot_delivery(bot).status == DeliveryStatus.PENDING

    # After commit the delivery is only handed to the worker.
    [callback] = callbacks
    callback()
    assert enqueued == [pk]
    assert receiver.requests == []

    # The worker's request is bounded by the timeout: a slow bot is a failed attempt.
    monkeypatch.setattr(services, "BOT_TIMEOUT_SECONDS", 0.5)
    started = time.monotonic()
    assert services.deliver(pk) == DeliveryStatus.FAILED
    assert time.monotonic() - started < 2.5
    assert len(receiver.requests) == 1
    d = bot_delivery(bot)
    assert "Timeout" in d.last_error
    assert d.next_attempt_at is not None


# --- exactly once ------------------------------------------------------------------------


def test_same_dedupe_key_twice_is_one_notification_per_recipient_and_one_delivery_per_channel(
    cast, receiver, django_capture_on_commit_callbacks
):
    bots = [
        make_bot(receiver, Channel.FEISHU, "/feishu/hook/once"),
        make_bot(receiver, Channel.DINGTALK, "/dingtalk/send?access_token=once"),
    ]
    people = [cast.head, cast.ops]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = notify(recipients=people, message=message("sla:9:response:100"), bots_to=bots)
        second = notify(recipients=people, message=message("sla:9:response:100"), bots_to=bots)
    assert len(first) == 2 and second == []
    assert Notification.objects.filter(dedupe_key="sla:9:response:100").count() == 2
    assert Notification.objects.filter(recipient=cast.head).count() == 1
    deliveries = Delivery.objects.all()
    assert sorted(d.channel for d in deliveries) == ["dingtalk", "email", "email", "feishu"]
    assert {d.target for d in deliveries if d.channel == Channel.EMAIL} == {
        cast.head.email,
        cast.ops.email,
    }
    # Both calls enqueue after commit; the claim makes the duplicate task a no-op.
    assert len(callbacks) == 2
    feishu = deliveries.get(channel=Channel.FEISHU)
    assert services.deliver(feishu.pk) == DeliveryStatus.SENT
    assert services.deliver(feishu.pk) == "skipped"
    assert len(receiver.requests) == 1


def test_without_a_dedupe_key_every_call_is_a_new_message(cast):
    notify(recipients=[cast.head], message=message(key=""))
    notify(recipients=[cast.head], message=message(key=""))
    assert Notification.objects.filter(recipient=cast.head).count() == 2
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 2


def test_deliveries_are_enqueued_only_after_commit(
    cast, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipients=[cast.head], message=message("k:commit"))
        assert enqueued == []
    assert enqueued == []
    [callback] = callbacks
    callback()
    assert enqueued == [Delivery.objects.get(target=cast.head.email).pk]


# --- email ---------------------------------------------------------------------------------


def test_email_is_sent_with_a_chinese_text_body_and_an_html_alternative(cast):
    notify(recipients=[cast.head], message=message("k:email"))
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.target == cast.head.email
    assert mail.outbox == []  # nothing is sent inside notify()

    assert services.deliver(delivery.pk) == DeliveryStatus.SENT

    [email] = mail.outbox
    assert email.to == [cast.head.email]
    assert email.subject == f"[closedloop] {TITLE}"
    assert TITLE in email.body and "空调不制冷" in email.body
    assert f"查看详情: {LINK}" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert TITLE in html and f'href="{LINK}"' in html
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


def test_no_email_without_an_address_or_when_switched_off(cast):
    cast.member.email = ""
    cast.member.save()
    Preference.objects.create(user=cast.ops, email=False)
    notify(recipients=[cast.member, cast.ops, cast.head], message=message("k:noemail"))
    assert Notification.objects.filter(dedupe_key="k:noemail").count() == 3
    assert list(Delivery.objects.values_list("target", flat=True)) == [cast.head.email]


def test_daily_digest_replaces_immediate_email_and_is_sent_once(cast):
    Preference.objects.create(user=cast.head, daily_digest=True)
    morning = timezone.now()
    for i, title in enumerate(["新问题待分级：ISS-2025-00001", "问题已指派给你：ISS-2025-00002"]):
        notify(
            recipients=[cast.head, cast.ops],
            message=message(f"k:digest:{i}", title=title),
            at=morning - dt.timedelta(hours=5 - i),
        )
    # The digest reader gets no immediate email; the other person does.
    assert list(Delivery.objects.values_list("target", flat=True).order_by("pk")) == [
        cast.ops.email,
        cast.ops.email,
    ]

    assert jobs.run("daily_digest", morning) == {"sent": 1}
    digest = Delivery.objects.get(target=cast.head.email)
    assert services.deliver(digest.pk) == DeliveryStatus.SENT
    [email] = mail.outbox
    assert email.to == [cast.head.email]
    assert "通知摘要（2 条）" in email.subject
    assert "新问题待分级：ISS-2025-00001" in email.body
    assert "问题已指派给你：ISS-2025-00002" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html" and "问题已指派给你：ISS-2025-00002" in html
    assert not Notification.objects.filter(recipient=cast.head, digested_at__isnull=True).exists()

    # Running the job again sends nothing more.
    assert jobs.run("daily_digest", morning + dt.timedelta(minutes=5)) == {"sent": 0}
    for pk in Delivery.objects.filter(target=cast.head.email).values_list("pk", flat=True):
        services.deliver(pk)
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(target=cast.head.email).count() == 1


def test_notifications_after_todays_digest_wait_for_tomorrows(cast):
    Preference.objects.create(user=cast.head, daily_digest=True)
    now = timezone.now()
    notify(recipients=[cast.head], message=message("k:d1", title="第一条"), at=now)
    assert jobs.run("daily_digest", now) == {"sent": 1}

    notify(recipients=[cast.head], message=message("k:d2", title="第二条"), at=now)
    assert jobs.run("daily_digest", now + dt.timedelta(minutes=1)) == {"sent": 0}
    late = Notification.objects.get(dedupe_key="k:d2")
    assert late.digested_at is None  # not swallowed by today's (already sent) digest

    assert jobs.run("daily_digest", now + dt.timedelta(days=1)) == {"sent": 1}
    tomorrow = Delivery.objects.filter(target=cast.head.email).latest("pk")
    services.deliver(tomorrow.pk)
    assert "第二条" in mail.outbox[-1].body and "第一条" not in mail.outbox[-1].body


# --- admin: the delivery log -------------------------------------------------------------


@pytest.fixture
def admin_client_(client, db):
    from closedloop.org.models import User

    admin = User.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client.force_login(admin)
    return client


def test_admin_retry_now_makes_a_dead_delivery_due_and_enqueues_it_after_commit(
    receiver, enqueued, admin_client_, django_capture_on_commit_callbacks
):
    bot = make_bot(receiver, Channel.WECOM, "/wecom/send?key=k")
    notify(recipients=[], message=message(), bots_to=[bot])
    dead = bot_delivery(bot)
    Delivery.objects.filter(pk=dead.pk).update(
        status=DeliveryStatus.DEAD, attempts=MAX_ATTEMPTS, next_attempt_at=None
    )
    notify(recipients=[], message=message("k:sent"), bots_to=[bot])
    sent = Delivery.objects.exclude(pk=dead.pk).get()
    assert services.deliver(sent.pk) == DeliveryStatus.SENT

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/admin/notifications/delivery/",
            {"action": "retry_now", "_selected_action": [dead.pk, sent.pk]},
        )
    assert response.status_code == 302
    assert enqueued == [dead.pk]  # the sent one is left alone
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.FAILED
    assert dead.next_attempt_at <= timezone.now()
    assert services.flush_outbox(timezone.now()) == 1  # the outbox job would pick it too
    assert services.deliver(dead.pk) == DeliveryStatus.SENT
    assert len(receiver.requests) == 2


def test_admin_retry_leaves_a_delivery_being_sent_alone(
    receiver, enqueued, admin_client_, django_capture_on_commit_callbacks
):
    """A worker holds the row (status sending, lease running): "retry now" must not make
    it due again, or a second worker would send the same message twice."""
    bot = make_bot(receiver, Channel.WECOM, "/wecom/send?key=k")
    notify(recipients=[], message=message("k:busy"), bots_to=[bot])
    busy = bot_delivery(bot)
    assert services._claim(busy.pk, timezone.now())
    busy.refresh_from_db()
    assert busy.status == DeliveryStatus.SENDING
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(
            "/admin/notifications/delivery/",
            {"action": "retry_now", "_selected_action": [busy.pk]},
        )
    assert enqueued == []
    assert not services._claim(busy.pk, timezone.now())  # still the first worker's
    # Once the lease ran out the sender is presumed dead and the outbox re-sends it.
    later = timezone.now() + services.claim_lease() + services.OUTBOX_GRACE
    assert services.flush_outbox(later) == 1
    assert services.deliver(busy.pk, now=later) == DeliveryStatus.SENT


def test_admin_pages_render_and_the_log_is_read_only(receiver, admin_client_, cast):
    bot = make_bot(receiver, Channel.DINGTALK, "/dingtalk/send?access_token=TOKEN-XYZ")
    notify(recipients=[cast.head], message=message(), bots_to=[bot])
    Preference.objects.get_or_create(user=cast.head)
    delivery = bot_delivery(bot)
    for url in (
        "/admin/notifications/botwebhook/",
        f"/admin/notifications/botwebhook/{bot.pk}/change/",
        "/admin/notifications/delivery/?status__exact=pending&channel__exact=dingtalk",
        f"/admin/notifications/delivery/{delivery.pk}/change/",
        "/admin/notifications/notification/?read=no",
        "/admin/notifications/preference/",
    ):
        assert admin_client_.get(url).status_code == 200, url
    # The log names the bot, not its tokenised URL; it cannot be edited or added to.
    listing = admin_client_.get("/admin/notifications/delivery/").content.decode()
    assert '<td class="field-recipient">钉钉 · dingtalk 群</td>' in listing
    assert admin_client_.get("/admin/notifications/delivery/add/").status_code == 403
    admin_client_.post(f"/admin/notifications/delivery/{delivery.pk}/change/", {"status": "sent"})
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
