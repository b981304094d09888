"""Hand-built data for the report tests: issues written with their timestamps
(tests/dashboards/helpers.py), rectification projects made through the rectification
services and then given the case's plan dates, their closure recorded in the status
history (what the dashboards' hook reads)."""

from __future__ import annotations

import datetime as dt

from closedloop.org.models import Store
from dashboards import periods
from rectification.choices import Status
from rectification.models import Project, ProjectEvent
from tests.dashboards.helpers import bj, make_issue  # noqa: F401 (re-exported)
from tests.rectification.helpers import kicked_off

NOVEMBER = periods.month(dt.date(2026, 11, 1))
#: Monday 2026-11-16 … Sunday 2026-11-22; its report is made on Wednesday the 25th.
WEEK = periods.week(dt.date(2026, 11, 16))
AFTER_NOVEMBER = bj(2026, 12, 1, 8)
AFTER_WEEK = bj(2026, 11, 25, 8)


def project(cast, *, store="HZ001", level="A", closure_on, kicked_off_at=None, **fields):
    """A kicked-off project (made at Hangzhou through the services, then moved to
    ``store``) planned to close on ``closure_on``; ``fields`` (status, health, issue …)
    set afterwards."""
    made = kicked_off(cast, level=level)
    Project.objects.filter(pk=made.pk).update(
        store=Store.objects.get(code=store),
        closure_on=closure_on,
        kicked_off_at=kicked_off_at or made.kicked_off_at,
        **fields,
    )
    made.refresh_from_db()
    return made


def close(made, when):
    ProjectEvent.objects.create(
        project=made,
        at=when,
        action="close",
        from_status=Status.PENDING_CLOSURE,
        to_status=Status.CLOSED,
    )
    Project.objects.filter(pk=made.pk).update(status=Status.CLOSED)
    made.refresh_from_db()
    return made
