"""Scheduled jobs of the integration (registered with ``closedloop.jobs.register``)."""

from __future__ import annotations

from closedloop.jobs import register

from .services import idempotency, webhooks


@register("webhooks")
def webhooks_outbox(now):
    """Send webhook deliveries that are due and were not sent (broker down, a lost
    retry, a worker that died mid-send)."""
    return {"enqueued": webhooks.flush_outbox(now)}


@register("idempotency_purge")
def idempotency_purge(now):
    """Forget Idempotency-Keys older than 24 h."""
    return {"deleted": idempotency.purge(now)}
