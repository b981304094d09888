"""Notify people: write inbox rows and the outbox in the caller's transaction, enqueue
the deliveries after commit, and deliver them with retries and a log."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from closedloop import redisguard
from closedloop.org.models import User

from . import bots
from .choices import BOT_CHANNELS, MAX_ATTEMPTS, Channel, DeliveryStatus, Level
from .models import BotWebhook, Delivery, Notification, Preference

logger = logging.getLogger(__name__)

LEVEL_ORDER = {Level.INFO: 0, Level.WARNING: 1, Level.DANGER: 2}
#: Deliveries the on-commit enqueue should already have handled are re-sent after this.
OUTBOX_GRACE = dt.timedelta(seconds=60)
BOT_TIMEOUT_SECONDS = 10
#: Backfilled notifications younger than this stay unread.
HISTORY_UNREAD = dt.timedelta(days=3)


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    level: str = Level.INFO
    object_type: str = ""
    object_ref: str = ""
    url: str = ""
    dedupe_key: str = ""

    @property
    def absolute_url(self) -> str:
        if self.url.startswith("http"):
            return self.url
        return settings.SITE_URL.rstrip("/") + self.url


def preference_for(user: User) -> Preference:
    pref = getattr(user, "_notification_preference_cache", None)
    if pref is None:
        pref, _ = Preference.objects.get_or_create(user=user)
    return pref


def bots_for(*, department_id=None, region_id=None, level: str = Level.INFO):
    """Active group bots of the department or region whose threshold the level meets."""
    from django.db.models import Q

    scope = Q(pk__in=[])
    if department_id:
        scope |= Q(department_id=department_id)
    if region_id:
        scope |= Q(region_id=region_id)
    candidates = BotWebhook.objects.filter(scope, active=True)
    return [b for b in candidates if LEVEL_ORDER[level] >= LEVEL_ORDER[b.min_level]]


_history = contextvars.ContextVar("notifications_history", default=False)


@contextlib.contextmanager
def recording_history():
    """Write past events into inboxes without sending anything (older than three days:
    already read): for backfills such as the demo's six months of issues, which nobody
    should be mailed about today."""
    token = _history.set(True)
    try:
        yield
    finally:
        _history.reset(token)


def notify(
    *,
    recipients: Iterable[User],
    message: Message,
    bots_to: Iterable[BotWebhook] = (),
    at: dt.datetime | None = None,
) -> list[Notification]:
    """Put ``message`` in each recipient's inbox (once per dedupe key), and queue an email
    (unless they chose the daily digest) and one message per group bot. Must run inside
    the caller's transaction; deliveries are enqueued after it commits."""
    at = at or timezone.now()
    history = _history.get()
    # Outbox scheduling follows the real clock even when a job runs "as if" at ``at``.
    send_from = timezone.now()
    people = {u.pk: u for u in recipients if u is not None and u.is_active}
    created: list[Notification] = []
    deliveries: list[Delivery] = []
    for user in people.values():
        with transaction.atomic():
            notification, new = Notification.objects.get_or_create(
                recipient=user,
                dedupe_key=message.dedupe_key or f"once:{uuid.uuid4()}",
                defaults={
                    "kind": message.kind,
                    "level": message.level,
                    "title": message.title[:200],
                    "body": message.body,
                    "object_type": message.object_type,
                    "object_ref": message.object_ref,
                    "url": message.url,
                    "created_at": at,
                    "read_at": at if history and at < send_from - HISTORY_UNREAD else None,
                },
            )
        if not new:
            continue
        created.append(notification)
        pref = preference_for(user)
        if pref.email and not pref.daily_digest and user.email:
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Channel.EMAIL,
                    target=user.email,
                    payload=_email_payload(user, message),
                    dedupe_key=f"n{notification.pk}:email",
                    next_attempt_at=send_from,
                )
            )
    bot_key = message.dedupe_key or f"once:{uuid.uuid4()}"
    for bot in bots_to:
        deliveries.append(
            Delivery(
                channel=bot.channel,
                target=bot.url,
                webhook=bot,
                payload={
                    "title": message.title,
                    "text": message.body,
                    "link": message.absolute_url,
                },
                dedupe_key=f"{bot_key}:bot{bot.pk}"[:200],
                next_attempt_at=send_from,
            )
        )
    if deliveries and not history:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        keys = [d.dedupe_key for d in deliveries]
        ids = list(
            Delivery.objects.filter(
                dedupe_key__in=keys, status=DeliveryStatus.PENDING, attempts=0
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return created


def _email_payload(user: User, message: Message) -> dict:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {"user": user, "message": message, "link": message.absolute_url}
        return {
            "subject": f"[closedloop] {message.title}",
            "text": render_to_string("notifications/email.txt", context),
            "html": render_to_string("notifications/email.html", context),
        }


def enqueue_deliveries(ids: Iterable[int]) -> int:
    """Hand deliveries to Celery. If the broker is down the rows stay pending and the
    ``outbox`` job sends them later: the request that caused them still succeeds.

    A request does not wait on a broker that failed moments ago (refused, or timed out
    without an answer): while its breaker is open the rows just stay in the outbox."""
    ids = list(ids)
    if ids and not redisguard.broker_breaker().allows():
        logger.warning(
            "broker unavailable, %d deliveries left in the outbox: %s", len(ids), ids[:20]
        )
        return 0
    return _publish(ids)


def _publish(ids: Iterable[int]) -> int:
    from .tasks import deliver

    breaker = redisguard.broker_breaker()
    sent = 0
    for pk in ids:
        try:
            deliver.delay(pk)
            sent += 1
        except Exception as exc:  # broker unreachable: the outbox keeps the work
            breaker.failed(exc)
            logger.warning("broker unavailable, delivery %s left in the outbox: %s", pk, exc)
            break
    if sent:
        breaker.succeeded()
    return sent


def due_deliveries(now: dt.datetime):
    """Outbox rows to (re)send: pending past the grace period, failed and due again, or
    left ``sending`` by a worker that died (lease expired)."""
    return Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENDING],
        next_attempt_at__lte=now - OUTBOX_GRACE,
    )


def flush_outbox(now: dt.datetime, *, limit: int = 500) -> int:
    """The ``outbox`` job: no request waits for it, so it always tries the broker."""
    ids = list(due_deliveries(now).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return _publish(ids)


def claim_lease() -> dt.timedelta:
    """How long a claimed delivery is reserved for the worker that claimed it
    (``NOTIFICATION_CLAIM_LEASE_SECONDS``). Longer than any send may take, so a live
    claimer is never doubled; once it has run out the claimer is presumed dead (killed
    mid-send) and the delivery may be claimed again — by the broker's redelivery of the
    same task or by the ``outbox`` job."""
    return dt.timedelta(seconds=getattr(settings, "NOTIFICATION_CLAIM_LEASE_SECONDS", 300))


def _claim(pk: int, now: dt.datetime) -> bool:
    """Reserve a delivery for this worker (status ``sending`` for the lease); False when
    another worker holds it or it is done. A ``sending`` row whose lease ran out belonged
    to a worker that died mid-send: it may be claimed again."""
    return bool(
        Delivery.objects.filter(
            pk=pk,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.SENDING],
            next_attempt_at__lte=now,
        ).update(
            status=DeliveryStatus.SENDING,
            next_attempt_at=now + claim_lease(),
            attempts=F("attempts") + 1,
        )
    )


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> str:
    """Send one delivery. Returns its new status. Failures are recorded (attempts, last
    error) and scheduled again with exponential backoff; the outbox job re-sends them."""
    now = now or timezone.now()
    # Claim by a direct comparison with the lease: a fresh row's next_attempt_at is its
    # creation time, so the first attempt may claim at once.
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    try:
        if delivery.channel == Channel.EMAIL:
            _send_email(delivery)
        elif delivery.channel in BOT_CHANNELS:
            _send_bot(delivery, now)
        else:
            raise ValueError(f"unknown channel {delivery.channel}")
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        dead = delivery.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED,
            last_error=error,
            next_attempt_at=None if dead else now + backoff(delivery.attempts),
        )
        log = logger.error if dead else logger.warning
        log(
            "delivery %s (%s → %s) attempt %s failed: %s",
            delivery.pk,
            delivery.channel,
            # A bot's URL carries its access token: log the webhook's id, not the URL.
            f"bot {delivery.webhook_id}" if delivery.webhook_id else delivery.target,
            delivery.attempts,
            error,
        )
        return DeliveryStatus.DEAD if dead else DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return DeliveryStatus.SENT


def _send_email(delivery: Delivery) -> None:
    payload = delivery.payload
    email = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["text"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.target],
    )
    if payload.get("html"):
        email.attach_alternative(payload["html"], "text/html")
    email.send(fail_silently=False)


def _send_bot(delivery: Delivery, now: dt.datetime) -> None:
    bot = delivery.webhook
    secret = bot.secret if bot else ""
    url, body = bots.FORMATTERS[delivery.channel](
        # The webhook's current URL: a retry after an admin fixed or rotated it must not
        # post to the stale copy in ``target``.
        url=bot.url if bot else delivery.target,
        secret=secret,
        title=delivery.payload["title"],
        text=delivery.payload["text"],
        link=delivery.payload["link"],
        now=now.timestamp(),
    )
    response = requests.post(url, json=body, timeout=BOT_TIMEOUT_SECONDS)
    try:
        data = response.json()
    except ValueError:
        data = None
    ok, reason = bots.accepted(delivery.channel, response.status_code, data)
    if not ok:
        raise RuntimeError(reason)


@transaction.atomic
def mark_read(*, user: User, ids: Iterable[int] | None = None, at=None) -> int:
    at = at or timezone.now()
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=at)


def send_daily_digests(now: dt.datetime) -> int:
    """One email per person who chose the digest, with yesterday's undigested inbox."""
    users = User.objects.filter(
        is_active=True,
        notification_preference__daily_digest=True,
        notification_preference__email=True,
    ).exclude(email="")
    sent = 0
    for user in users:
        with transaction.atomic():
            items = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(recipient=user, digested_at__isnull=True, created_at__lte=now)
                .order_by("created_at")
            )
            if not items:
                continue
            day = timezone.localdate(now)
            with translation.override(user.language or settings.LANGUAGE_CODE):
                context = {
                    "user": user,
                    "items": items,
                    "day": day,
                    "site": settings.SITE_URL.rstrip("/"),
                }
                payload = {
                    "subject": render_to_string(
                        "notifications/digest_subject.txt", context
                    ).strip(),
                    "text": render_to_string("notifications/digest.txt", context),
                    "html": render_to_string("notifications/digest.html", context),
                }
            delivery, created = Delivery.objects.get_or_create(
                dedupe_key=f"digest:{user.pk}:{day.isoformat()}",
                defaults={
                    "channel": Channel.EMAIL,
                    "target": user.email,
                    "payload": payload,
                    # Outbox scheduling follows the real clock, as in ``notify``.
                    "next_attempt_at": timezone.now(),
                },
            )
            if created:
                # Only what this email carries is digested; items arriving after today's
                # digest went out wait for tomorrow's instead of being dropped.
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(digested_at=now)
                transaction.on_commit(lambda pk=delivery.pk: enqueue_deliveries([pk]))
                sent += 1
    return sent
