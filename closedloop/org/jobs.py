from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_noop

from closedloop.core.jobs import register

from .services import record_heartbeat


@register(
    "heartbeat",
    every=dt.timedelta(minutes=1),
    description=gettext_noop("Worker 心跳（每分钟）"),
)
def heartbeat(now: dt.datetime):
    """Record that the worker (or whoever runs it) is alive at ``now``."""
    beat = record_heartbeat(name="worker", at=now)
    return {"count": beat.count, "seen_at": beat.seen_at.isoformat()}
