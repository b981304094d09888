"""Reads about issues that more than one place needs: the SLA state of one issue, the
working views' conditions (超时预警, 我负责的), similar open issues, what is due to close.

Writes are in ``services``; visibility is ``Issue.objects.visible_to``."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from closedloop.org.choices import Role
from closedloop.org.models import User

from .choices import AUTO_CLOSE_DAYS, OPEN_STATUSES, REOPEN_WINDOW_DAYS, Status
from .models import Issue

#: An open clock due within this many hours shows as 即将超时.
DUE_SOON_HOURS = 4


def effective_now(issue: Issue, now: dt.datetime) -> dt.datetime:
    """The clock's "now": it stands still while the issue waits for the store."""
    return issue.sla_paused_at or now


def response_breached(issue: Issue, now: dt.datetime | None = None) -> bool:
    if issue.status in (Status.REJECTED, Status.DUPLICATE) or issue.response_due_at is None:
        return False
    answered = issue.first_response_at or effective_now(issue, now or timezone.now())
    return answered > issue.response_due_at


def resolution_breached(issue: Issue, now: dt.datetime | None = None) -> bool:
    if issue.status in (Status.REJECTED, Status.DUPLICATE) or issue.resolution_due_at is None:
        return False
    done = issue.resolved_at or effective_now(issue, now or timezone.now())
    return done > issue.resolution_due_at


def reopen_expired(issue: Issue, now: dt.datetime | None = None) -> bool:
    """Resolved longer ago than the reopening window: the store must submit a new issue."""
    return issue.resolved_at is not None and (now or timezone.now()) - issue.resolved_at > (
        dt.timedelta(days=REOPEN_WINDOW_DAYS)
    )


def overdue_q(now: dt.datetime, *, soon_hours: int = DUE_SOON_HOURS) -> Q:
    """Open issues whose response or resolution is past due or due within ``soon_hours``
    (the 超时预警 view). Issues waiting for the store are paused and left out."""
    horizon = now + dt.timedelta(hours=soon_hours)
    running = Q(status__in=[s for s in OPEN_STATUSES if s != Status.WAITING_FOR_STORE])
    return running & (
        Q(first_response_at__isnull=True, response_due_at__lte=horizon)
        | Q(resolution_due_at__lte=horizon)
    )


def mine_q(user: User, *, include_finished: bool = False) -> Q:
    """我负责的: the person's open work (with ``include_finished``, also what is done).

    A department head: every issue of the department; a department member: what is
    assigned to them and the department's unassigned issues; an ops specialist: the
    untriaged issues of their stores; everybody: what is assigned to them or what they
    submitted."""
    q = Q(assignee=user) | Q(submitted_by=user)
    if user.role == Role.DEPARTMENT_HEAD and user.department_id:
        q |= Q(department_id=user.department_id)
    elif user.role == Role.DEPARTMENT_MEMBER and user.department_id:
        q |= Q(department_id=user.department_id, assignee__isnull=True)
    if user.role == Role.OPS_SPECIALIST:
        q |= Q(store__in=user.stores.all(), status=Status.SUBMITTED)
    if not include_finished:
        q &= Q(status__in=OPEN_STATUSES)
    return q


_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")


def _terms(text: str) -> set[str]:
    """Latin words and Chinese character bigrams: enough to spot the same problem."""
    tokens = _WORD.findall(text.lower())
    words = {t for t in tokens if len(t) > 1}
    chars = [t for t in tokens if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
    words.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return words


def similar_open_issues(issue: Issue, *, limit: int = 5, pool: int = 300) -> list[Issue]:
    """Open issues of other stores in the same category that share words with this one."""
    return similar_open_issues_of([issue], limit=limit, pool=pool)[issue.pk]


def similar_open_issues_of(issues, *, limit: int = 5, pool: int = 300) -> dict[int, list[Issue]]:
    """``similar_open_issues`` of several issues at once (the triage queue's page): the
    newest open issues of each category are read once (two queries in all, not one per
    issue), each candidate's words extracted once. Each issue then scores the ``pool``
    newest of them from other stores than its own."""
    issues = list(issues)
    categories = sorted({issue.category for issue in issues})
    found: dict[int, list[Issue]] = {issue.pk: [] for issue in issues}
    if not categories:
        return found
    # Enough of each category that every issue still has ``pool`` after leaving out its
    # own store's and itself (a store rarely has more than a handful of open issues).
    take = pool + 100 + len(issues)
    parts, params = [], []
    for category in categories:
        sql, sub = (
            Issue.objects.open()
            .filter(category=category)
            .order_by("-submitted_at", "-pk")
            .values_list("pk", flat=True)[:take]
            .query.sql_with_params()
        )
        parts.append(f"ARRAY({sql})")
        params.extend(sub)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        ids = dict(zip(categories, cursor.fetchone(), strict=True))
    every = Issue.objects.select_related("store").in_bulk(
        [pk for pks in ids.values() for pk in pks]
    )
    terms = {pk: _terms(f"{other.title} {other.description}") for pk, other in every.items()}
    for issue in issues:
        mine = _terms(f"{issue.title} {issue.description}")
        if not mine:
            continue
        candidates = [
            every[pk]
            for pk in ids[issue.category]
            if pk in every and pk != issue.pk and every[pk].store_id != issue.store_id
        ][:pool]
        scored = []
        for other in candidates:
            overlap = len(mine & terms[other.pk])
            if overlap:
                scored.append((overlap / len(mine | terms[other.pk]), other))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        found[issue.pk] = [other for score, other in scored[:limit] if score >= 0.08]
    return found


def auto_close_due(now: dt.datetime):
    """Resolved issues the store left unanswered for 7 days (set-based selection)."""
    return Issue.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=AUTO_CLOSE_DAYS)
    )
