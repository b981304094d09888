import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from . import services


@register(
    "outbox",
    every=dt.timedelta(minutes=1),
    description=gettext_noop("重发未送达的通知（每分钟）"),
)
def outbox(now):
    """Re-send deliveries left pending (broker was down) or failed and due again."""
    return {"enqueued": services.flush_outbox(now)}


@register(
    "daily_digest",
    crontab=("0", "8"),
    description=gettext_noop("每日通知摘要（08:00）"),
)
def daily_digest(now):
    return {"sent": services.send_daily_digests(now)}
