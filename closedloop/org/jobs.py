from __future__ import annotations

import datetime as dt

from closedloop.jobs import register

from .services import record_heartbeat


@register("heartbeat")
def heartbeat(now: dt.datetime):
    """Record that the worker (or whoever runs it) is alive at ``now``."""
    beat = record_heartbeat(name="worker", at=now)
    return {"count": beat.count, "seen_at": beat.seen_at.isoformat()}
