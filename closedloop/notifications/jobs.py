from closedloop.jobs import register

from . import services


@register("outbox")
def outbox(now):
    """Re-send deliveries left pending (broker was down) or failed and due again."""
    return {"enqueued": services.flush_outbox(now)}


@register("daily_digest")
def daily_digest(now):
    return {"sent": services.send_daily_digests(now)}
