"""Outbound webhooks (API.md "webhooks").

Other apps call ``emit(event, data, store=...)``: it writes one outbox row per active
subscription that wants the event, in the caller's transaction, and hands the rows to
Celery after commit. Each delivery is a POST of ``{"event", "id", "created_at", "data"}``
with ``X-Event``, ``X-Delivery`` (the same on every attempt), ``X-Timestamp`` and
``X-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``. A non-2xx answer (or
no answer) is retried with exponential backoff; every attempt is logged; a subscription
whose attempts keep failing is switched off and the quality lead is told.

Issues emit ``issue.created`` and ``issue.status_changed`` through
``issue_event_recorded``, which ``issues.services`` calls for every status change."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import uuid
from functools import partial
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, PermissionDenied
from closedloop.org.choices import Role
from closedloop.org.models import User

from .. import policy
from ..choices import SENDABLE, DeliveryStatus, WebhookEvent
from ..models import WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

#: A claimed delivery is reserved this long for its worker (longer than any send).
CLAIM_LEASE = dt.timedelta(seconds=120)
#: The ``webhooks`` job re-sends what the on-commit enqueue should already have handled.
OUTBOX_GRACE = dt.timedelta(seconds=60)
MIN_SECRET_LENGTH = 16
USER_AGENT = "closedloop-webhooks/1"


# --- signing ---------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the subscription's secret over
    ``"<timestamp>.<body>"``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, tolerance=300) -> bool:
    """What a receiver does (docs/integrations.md): recompute and compare in constant
    time; refuse timestamps more than ``tolerance`` seconds away (replays)."""
    try:
        age = abs(time.time() - int(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- emitting --------------------------------------------------------------------------


def _within_bounds(subscription: WebhookSubscription, store) -> bool:
    store_ids = {s.pk for s in subscription.stores.all()}
    region_ids = {r.pk for r in subscription.regions.all()}
    if not (store_ids or region_ids):
        return True
    if store is None:
        return False
    return store.pk in store_ids or store.region_id in region_ids


def _body(event: str, event_id: uuid.UUID, at: dt.datetime, data: dict) -> str:
    envelope = {
        "event": event,
        "id": str(event_id),
        "created_at": timezone.localtime(at).isoformat(),
        "data": data,
    }
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def emit(event: str, data: dict, *, store=None, at: dt.datetime | None = None) -> list[int]:
    """Queue ``event`` for every active subscription to it. ``store`` (the object's
    store, if it has one) keeps the event from subscriptions bound to other stores.
    Call inside the transaction that made the change: nothing goes out if it rolls back.
    Returns the ids of the deliveries created."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    subscriptions = [
        s
        for s in WebhookSubscription.objects.filter(active=True, events__contains=[event])
        .prefetch_related("stores", "regions")
        .order_by("pk")
        if _within_bounds(s, store)
    ]
    if not subscriptions:
        return []
    at = at or timezone.now()
    event_id = uuid.uuid4()
    payload = _body(event, event_id, at, data)
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=s,
            event=event,
            event_id=event_id,
            payload=payload,
            next_attempt_at=timezone.now(),
            created_at=at,
        )
        for s in subscriptions
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: enqueue(ids))
    return ids


def enqueue(ids, *, manual: bool = False, countdown: float | None = None) -> int:
    """Hand deliveries to Celery; a broker outage leaves them to the ``webhooks`` job."""
    from ..tasks import deliver_webhook

    sent = 0
    for pk in ids:
        try:
            deliver_webhook.apply_async(args=[pk], kwargs={"manual": manual}, countdown=countdown)
            sent += 1
        except Exception as exc:  # broker unreachable: the outbox keeps the work
            logger.warning(
                "broker unavailable, webhook delivery %s left in the outbox: %s", pk, exc
            )
            break
    return sent


def flush_outbox(now: dt.datetime, *, limit: int = 500) -> int:
    """Enqueue deliveries that are due and were not sent (broker down, lost countdown,
    or a worker that died mid-send: its lease ran out)."""
    ids = list(
        WebhookDelivery.objects.filter(
            status__in=SENDABLE,
            next_attempt_at__lte=now - OUTBOX_GRACE,
            subscription__active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(ids)


# --- issue events ----------------------------------------------------------------------


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def issue_data(issue) -> dict:
    """An issue as the API names its fields (API.md "Issue fields returned")."""
    site = settings.SITE_URL.rstrip("/")
    return {
        "number": issue.number,
        "store": issue.store.code,
        "region": issue.store.region.code,
        "category": issue.category,
        "title": issue.title,
        "description": issue.description,
        "impact_scope": issue.impact_scope,
        "expected_resolution_date": (
            issue.expected_resolution_date.isoformat() if issue.expected_resolution_date else None
        ),
        "channel": issue.channel,
        "external_ref": issue.external_ref,
        "status": issue.status,
        "priority": issue.priority,
        "suggested_priority": issue.suggested_priority,
        "department": issue.department.code if issue.department else None,
        "assignee": issue.assignee.username if issue.assignee else None,
        "submitted_by": issue.submitted_by.username,
        "submitted_at": _iso(issue.submitted_at),
        "triaged_at": _iso(issue.triaged_at),
        "first_response_at": _iso(issue.first_response_at),
        "resolved_at": _iso(issue.resolved_at),
        "closed_at": _iso(issue.closed_at),
        "response_due_at": _iso(issue.response_due_at),
        "resolution_due_at": _iso(issue.resolution_due_at),
        "rating": issue.rating,
        "reopen_count": issue.reopen_count,
        "url": site + reverse("api:issue-detail", args=[issue.number]),
    }


def issue_event_recorded(event) -> None:
    """Called by ``issues.services`` for each timeline entry it writes: a status change
    (or the submission) becomes a webhook once the transaction has committed, built from
    the issue as committed. A failure here never undoes the committed change."""
    if event.kind != "transition":
        return
    transaction.on_commit(partial(_emit_issue_event, event.pk), robust=True)


def _emit_issue_event(event_pk: int) -> None:
    from issues.models import Issue, IssueEvent

    # Whether anybody subscribes before anything is loaded: most transitions have no
    # subscriber, and the event with its issue and their six relations in one query cost
    # 7 ms of planning alone on every issue action.
    action = IssueEvent.objects.filter(pk=event_pk).values_list("action", flat=True).first()
    if action is None:
        return
    name = WebhookEvent.ISSUE_CREATED if action == "submit" else WebhookEvent.ISSUE_STATUS_CHANGED
    if not WebhookSubscription.objects.filter(active=True, events__contains=[name]).exists():
        return
    event = IssueEvent.objects.select_related("actor").get(pk=event_pk)
    issue = Issue.objects.select_related(
        "store__region", "department", "assignee", "submitted_by"
    ).get(pk=event.issue_id)
    data = {"issue": issue_data(issue)}
    if name == WebhookEvent.ISSUE_STATUS_CHANGED:
        data.update(
            {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "action": event.action,
                "actor": event.actor.username if event.actor else None,
                "at": _iso(event.at),
            }
        )
    with transaction.atomic():
        emit(name, data, store=issue.store, at=timezone.now())


# --- delivering ------------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: base · 2^(n-1), capped."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(delay, settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS))


def _claim(pk: int, now: dt.datetime) -> bool:
    """Reserve a due delivery for this worker; False when another one holds it or it is
    not due (done, waiting for its retry time)."""
    return bool(
        WebhookDelivery.objects.filter(pk=pk, status__in=SENDABLE, next_attempt_at__lte=now).update(
            status=DeliveryStatus.SENDING,
            next_attempt_at=now + CLAIM_LEASE,
            attempts=F("attempts") + 1,
        )
    )


def headers_for(delivery: WebhookDelivery, timestamp: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Event": delivery.event,
        "X-Delivery": str(delivery.delivery_id),
        "X-Timestamp": timestamp,
        "X-Signature": sign(
            delivery.subscription.secret, timestamp, delivery.payload.encode("utf-8")
        ),
    }


def deliver(delivery_pk: int, *, manual: bool = False, now: dt.datetime | None = None) -> str:
    """Send one delivery (one attempt) and log it. Returns the delivery's new status, or
    ``"skipped"`` when it is not due or another worker holds it."""
    now = now or timezone.now()
    if not _claim(delivery_pk, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_pk)
    subscription = delivery.subscription
    if not subscription.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error=_subscription_off_message(),
            attempts=F("attempts") - 1,  # nothing was sent
        )
        return DeliveryStatus.FAILED
    timestamp = str(int(time.time()))
    started = time.monotonic()
    status_code, error, answer = None, "", ""
    try:
        response = requests.post(
            subscription.url,
            data=delivery.payload.encode("utf-8"),
            headers=headers_for(delivery, timestamp),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
        status_code = response.status_code
        answer = response.text[:2000]
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    duration = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=now,
        status_code=status_code,
        error=error,
        response_body=answer,
        duration_ms=duration,
        manual=manual,
    )
    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SUCCEEDED,
            delivered_at=timezone.now(),
            next_attempt_at=None,
            last_status_code=status_code,
            last_error="",
        )
        WebhookSubscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
            consecutive_failures=0
        )
        return DeliveryStatus.SUCCEEDED
    final = manual or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    retry_at = None if final else now + backoff(delivery.attempts)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING,
        next_attempt_at=retry_at,
        last_status_code=status_code,
        last_error=error,
    )
    logger.warning(
        "webhook delivery %s (subscription %s) attempt %s failed: %s",
        delivery.delivery_id,
        subscription.pk,
        delivery.attempts,
        error,
    )
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = (
        WebhookSubscription.objects.filter(pk=subscription.pk)
        .values_list("consecutive_failures", flat=True)
        .first()
    )
    if failures is not None and failures >= settings.WEBHOOK_DISABLE_AFTER:
        disable(subscription=subscription, failures=failures, last_error=error, now=now)
        return DeliveryStatus.FAILED
    if retry_at is not None:
        enqueue([delivery.pk], countdown=max((retry_at - timezone.now()).total_seconds(), 0))
    return DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING


def _subscription_off_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("订阅已停用，未发送。")


@transaction.atomic
def disable(*, subscription: WebhookSubscription, failures: int, last_error: str, now) -> bool:
    """Switch a failing subscription off (once) and tell the quality leads."""
    from closedloop.notifications.choices import Level
    from closedloop.notifications.services import Message, notify

    with translation.override(settings.LANGUAGE_CODE):
        reason = _("连续 %(n)d 次投递失败，最近一次：%(e)s") % {"n": failures, "e": last_error}
        switched = WebhookSubscription.objects.filter(pk=subscription.pk, active=True).update(
            active=False, disabled_at=now, disabled_reason=reason[:500]
        )
        if not switched:
            return False
        WebhookDelivery.objects.filter(
            subscription=subscription, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
        ).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error=_subscription_off_message(),
        )
        host = urlsplit(subscription.url).netloc or subscription.url
        leads = User.objects.filter(is_active=True, role=Role.QUALITY_LEAD)
        notify(
            recipients=leads,
            message=Message(
                kind="webhook_disabled",
                level=Level.DANGER,
                title=_("Webhook 订阅已自动停用：%(h)s") % {"h": host},
                body=reason,
                object_type="webhook",
                object_ref=str(subscription.pk),
                url=reverse("integrations:webhook_detail", args=[subscription.pk]),
                dedupe_key=f"webhook_disabled:{subscription.pk}:{int(now.timestamp())}",
            ),
            at=now,
        )
    return True


# --- managing subscriptions ------------------------------------------------------------


def _check_url(url: str, errors: dict) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.setdefault("url", []).append(_("请填写 http:// 或 https:// 开头的地址。"))
    elif len(url) > 500:
        errors.setdefault("url", []).append(_("地址最长 500 个字符。"))
    return url


def _check_events(actor, events, errors: dict) -> list[str]:
    events = list(dict.fromkeys(events or []))
    if not events:
        errors.setdefault("events", []).append(_("请至少选择一个事件。"))
        return []
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        errors.setdefault("events", []).append(
            _("未知的事件：%(e)s。") % {"e": ", ".join(map(str, unknown))}
        )
        return []
    refused = [e for e in events if not policy.may_receive(actor, e)]
    if refused:
        errors.setdefault("events", []).append(
            _("你的令牌无权读取这些事件的对象：%(e)s。") % {"e": ", ".join(refused)}
        )
    return events


def _check_secret(secret, errors: dict) -> str:
    secret = (secret or "").strip()
    if secret and not MIN_SECRET_LENGTH <= len(secret) <= 128:
        errors.setdefault("secret", []).append(
            _("密钥长度应为 %(a)d–128 个字符。") % {"a": MIN_SECRET_LENGTH}
        )
    return secret


def _raise_if(errors: dict) -> None:
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)


def _require_manager(actor) -> None:
    if not policy.can_manage_webhooks(actor):
        raise PermissionDenied(_("你无权管理 Webhook 订阅。"))


@transaction.atomic
def create_subscription(
    *, actor, url: str, events, secret: str = "", description: str = "", active: bool = True
) -> WebhookSubscription:
    """A new subscription owned by ``actor``; a token bound to certain stores binds the
    subscription to them too. Without ``secret`` one is generated."""
    _require_manager(actor)
    errors: dict[str, list] = {}
    url = _check_url(url, errors)
    events = _check_events(actor, events, errors)
    secret = _check_secret(secret, errors)
    _raise_if(errors)
    subscription = WebhookSubscription(
        url=url,
        events=events,
        description=(description or "").strip()[:200],
        active=bool(active),
        owner=actor,
    )
    if secret:
        subscription.secret = secret
    subscription.save()
    limits = getattr(actor, "token_limits", None)
    if limits is not None and limits.bound:
        subscription.stores.set(limits.store_ids)
        subscription.regions.set(limits.region_ids)
    return subscription


@transaction.atomic
def update_subscription(*, subscription: WebhookSubscription, actor, **fields):
    """Change url, events, secret, description or active; switching a subscription back
    on clears its failure count."""
    _require_manager(actor)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    errors: dict[str, list] = {}
    if "url" in fields:
        subscription.url = _check_url(fields["url"], errors)
    if "events" in fields:
        subscription.events = _check_events(actor, fields["events"], errors)
    if fields.get("secret"):
        subscription.secret = _check_secret(fields["secret"], errors)
    if "description" in fields:
        subscription.description = (fields["description"] or "").strip()[:200]
    _raise_if(errors)
    if "active" in fields:
        active = bool(fields["active"])
        if active and not subscription.active:
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.disabled_reason = ""
        subscription.active = active
    subscription.save()
    return subscription


@transaction.atomic
def delete_subscription(*, subscription: WebhookSubscription, actor) -> None:
    _require_manager(actor)
    subscription.delete()


@transaction.atomic
def redeliver(*, delivery: WebhookDelivery, actor, now=None) -> WebhookDelivery:
    """Send a delivery again now, with the same ``X-Delivery``; a failure is logged and
    not retried automatically."""
    _require_manager(actor)
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_for_update()
        .select_related("subscription")
        .get(pk=delivery.pk)
    )
    if not delivery.subscription.active:
        raise DomainError(_("订阅已停用，请先启用再重发。"))
    if delivery.status == DeliveryStatus.SENDING and delivery.next_attempt_at > now:
        raise DomainError(_("这次投递正在发送中。"))
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.save(update_fields=["status", "next_attempt_at"])
    pk = delivery.pk
    transaction.on_commit(lambda: enqueue([pk], manual=True))
    return delivery


def on_issue_event_recorded(sender, row, obj, **kwargs) -> None:
    """Receiver of ``closedloop.core.workflow.recorded`` for the issue's history."""
    issue_event_recorded(row)
