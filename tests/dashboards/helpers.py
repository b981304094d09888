"""Hand-built issues for the KPI tests: rows written straight with the timestamps a test
needs (the services stamp "now"), so every expected figure can be worked out by hand."""

from __future__ import annotations

import datetime as dt
import itertools

from issues.models import Issue

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_numbers = itertools.count(1)


def bj(*args) -> dt.datetime:
    """An aware datetime in Beijing time: bj(2026, 11, 1, 0, 30)."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


def make_issue(
    cast,
    *,
    submitted_at,
    store=None,
    status="in_progress",
    priority="P2",
    suggested_priority="",
    department=...,
    category="system",
    resolved_at=None,
    closed_at=None,
    response_due_at=None,
    first_response_at=None,
    resolution_due_at=None,
    submitted_by=None,
    title="测试问题",
    **extra,
) -> Issue:
    number = next(_numbers)
    return Issue.objects.create(
        number=f"ISS-2099-{number:05d}",
        store=store or cast.org.hangzhou,
        category=category,
        title=title,
        description="由测试直接写入",
        impact_scope="store",
        status=status,
        priority=priority,
        suggested_priority=suggested_priority or priority,
        department=cast.org.it if department is ... else department,
        submitted_by=submitted_by or cast.manager,
        submitted_at=submitted_at,
        resolved_at=resolved_at,
        closed_at=closed_at,
        response_due_at=response_due_at,
        first_response_at=first_response_at,
        resolution_due_at=resolution_due_at,
        **extra,
    )


def bulk_issues(cast, count, **fields) -> None:
    """``count`` identical issues in one statement (for the large-figure checks)."""
    start = next(_numbers)
    for _ in range(count):
        next(_numbers)
    Issue.objects.bulk_create(
        Issue(
            number=f"ISS-2099-{start + i:05d}",
            store=fields.get("store") or cast.org.hangzhou,
            category=fields.get("category", "system"),
            title="批量问题",
            description="由测试直接写入",
            impact_scope="store",
            status=fields.get("status", "in_progress"),
            priority=fields.get("priority", "P2"),
            suggested_priority=fields.get("priority", "P2"),
            department=fields.get("department", cast.org.it),
            submitted_by=cast.manager,
            submitted_at=fields["submitted_at"],
            resolved_at=fields.get("resolved_at"),
            closed_at=fields.get("closed_at"),
            response_due_at=fields.get("response_due_at"),
            first_response_at=fields.get("first_response_at"),
        )
        for i in range(count)
    )
