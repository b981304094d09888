"""Core models: the worker's heartbeat and the per-year business number counters.

Both were created by the ``org`` app's first migrations; they moved here by a state-only
migration and keep their tables (``org_heartbeat``, ``org_numbersequence``), so the rows
of an existing database stay where they are."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """Written by the Celery worker on a beat schedule: proof the async pipeline turns."""

    name = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "org_heartbeat"
        verbose_name = _("心跳")
        verbose_name_plural = _("心跳")

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class NumberSequence(models.Model):
    """Per-year, gap-free business numbers (ISS-…, REF-…), race-safe by an upsert
    (:mod:`closedloop.core.numbering`)."""

    name = models.CharField(max_length=16)
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "org_numbersequence"
        constraints = [models.UniqueConstraint(fields=["name", "year"], name="number_seq_unique")]

    def __str__(self):
        return f"{self.name}-{self.year}: {self.last_value}"
