"""Side effects of the quality lead's configuration changes.

Open issues store their due times and ladder moments, computed from the SLA policies,
the escalation ladder and the work calendar (节假日/调休). Whoever changes one of those
inputs — every admin that edits them — tells this module, which recomputes the open
issues in the worker after the change commits (``issues.recompute_sla`` →
``services.recompute_open_issues``): the change is visible to the recompute, and a
rolled-back change enqueues nothing. A broker outage never fails the save; the recompute
can then be run by hand (``recompute_sla``)."""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def policy_changed(*, priority: str) -> None:
    """The SLA policy of ``priority`` changed: recompute the open issues of that priority
    (and the untriaged ones it is suggested for)."""
    _recompute_after_commit(priority)


def ladder_changed() -> None:
    """A rung of the escalation ladder was added, changed or removed: every open issue."""
    _recompute_after_commit(None)


def calendar_changed() -> None:
    """A calendar year or day was entered, changed or removed: every open issue — those
    flagged for a year nobody maintained get their due times once the year is known, and
    working-hours clocks move with a new holiday or make-up day. (The calendar cache of
    each process is invalidated by the model signals in ``issues/sla.py``.)"""
    _recompute_after_commit(None)


def _recompute_after_commit(priority: str | None) -> None:
    from .tasks import recompute_sla

    def send():
        try:
            recompute_sla.delay(priority)
        except Exception:  # broker down: the recompute job/command can be run by hand
            logger.exception("could not enqueue SLA recompute")

    transaction.on_commit(send)
