"""Reads about issues that more than one place needs: the SLA state of one issue, the
working views' conditions (超时预警, 我负责的), similar open issues, what is due to close.

Writes are in ``services``; visibility is ``Issue.objects.visible_to``."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from closedloop.core.queries import ids_of_each
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


@lru_cache(maxsize=8192)
def _terms(text: str) -> frozenset[str]:
    """Latin words and Chinese character bigrams: enough to spot the same problem.
    Remembered per text: the triage queue reads the same few hundred candidates on
    every page."""
    tokens = _WORD.findall(text.lower())
    words = {t for t in tokens if len(t) > 1}
    chars = [t for t in tokens if len(t) == 1 and "\u4e00" <= t <= "\u9fff"]
    words.update(a + b for a, b in zip(chars, chars[1:], strict=False))
    return frozenset(words)


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
    ids = ids_of_each(
        {
            category: Issue.objects.open()
            .filter(category=category)
            .order_by("-submitted_at", "-pk")
            .values_list("pk", flat=True)[:take]
            for category in categories
        }
    )
    # The candidates' words from four columns; only the winners are read whole.
    every = {
        pk: (store_id, _terms(f"{title} {description}"))
        for pk, store_id, title, description in Issue.objects.filter(
            pk__in=[pk for pks in ids.values() for pk in pks]
        ).values_list("pk", "store_id", "title", "description")
    }
    chosen: dict[int, list[int]] = {}
    for issue in issues:
        mine = _terms(f"{issue.title} {issue.description}")
        if not mine:
            continue
        candidates = [
            pk
            for pk in ids[issue.category]
            if pk in every and pk != issue.pk and every[pk][0] != issue.store_id
        ][:pool]
        scored = []
        for pk in candidates:
            theirs = every[pk][1]
            overlap = len(mine & theirs)
            if overlap:
                scored.append((overlap / len(mine | theirs), pk))
        scored.sort(key=lambda pair: pair[0], reverse=True)
        chosen[issue.pk] = [pk for score, pk in scored[:limit] if score >= 0.08]
    rows = Issue.objects.select_related("store").in_bulk(
        [pk for pks in chosen.values() for pk in pks]
    )
    for pk, pks in chosen.items():
        found[pk] = [rows[other] for other in pks if other in rows]
    return found


def auto_close_due(now: dt.datetime):
    """Resolved issues the store left unanswered for 7 days (set-based selection)."""
    return Issue.objects.filter(
        status=Status.RESOLVED, resolved_at__lte=now - dt.timedelta(days=AUTO_CLOSE_DAYS)
    )
