"""Scheduled jobs of the integration (registered with ``closedloop.core.jobs.register``;
their beat rows are created after ``migrate``)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from .services import idempotency, webhooks


@register(
    "webhooks",
    every=dt.timedelta(minutes=1),
    description=gettext_noop("重发未送达的 Webhook（每分钟）"),
)
def webhooks_outbox(now):
    """Send webhook deliveries that are due and were not sent (broker down, a lost
    retry, a worker that died mid-send)."""
    return {"enqueued": webhooks.flush_outbox(now)}


@register(
    "idempotency_purge",
    every=dt.timedelta(hours=1),
    description=gettext_noop("清理 24 小时前的幂等键（每小时）"),
)
def idempotency_purge(now):
    """Forget Idempotency-Keys older than 24 h."""
    return {"deleted": idempotency.purge(now)}
