"""Core services: the worker's heartbeat."""

from __future__ import annotations

from django.db.models import F

from .models import Heartbeat


def record_heartbeat(*, name: str, at) -> Heartbeat:
    """Upsert the named heartbeat, counting beats atomically."""
    beat, created = Heartbeat.objects.get_or_create(name=name, defaults={"seen_at": at, "count": 1})
    if not created:
        Heartbeat.objects.filter(pk=beat.pk).update(seen_at=at, count=F("count") + 1)
        beat.refresh_from_db()
    return beat
