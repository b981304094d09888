"""What ``manage.py benchmark`` measures of the issue tracker (issue 9): the five working
views with their counts for each role, search, filters, a deep page, the issue page, the
triage queue, my store's issues, the API list (first and deep page), creates (page and
API), the ``sla_sweep`` job and an Excel export of 10 000 rows with its memory.

Run ``manage.py generate_load`` first (``make bench`` does both)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from closedloop.core.bench import Case, Context

from .choices import OPEN_STATUSES
from .models import Issue, SlaAlert, SlaMilestone

VIEWS = ["priority", "department", "status", "overdue", "mine"]
#: Who looks at the list: everything (lead), a region (director, ops), a department
#: (head, member), one store (manager).
LIST_ROLES = ["lead", "director", "ops", "head", "member", "manager"]
OPEN = "&".join(f"status={s}" for s in OPEN_STATUSES)
EXPORT_ROWS = 10_000
SWEEP_BUDGET_MS = 5000
API_PAGE_SIZE, API_DEEP_PAGE = 50, 2000


# --------------------------------------------------------------------------- facts


def _estimate(model) -> int:
    """The planner's row estimate (exact counts of the big tables take seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        return max(cursor.fetchone()[0], 0)


def facts(ctx: Context) -> dict:
    from .models import Attachment, IssueEvent

    return {
        "issues": Issue.objects.count(),
        "open_issues": Issue.objects.filter(status__in=OPEN_STATUSES).count(),
        "events_estimate": _estimate(IssueEvent),
        "attachments_estimate": _estimate(Attachment),
        "milestones_estimate": _estimate(SlaMilestone),
        "alerts_estimate": _estimate(SlaAlert),
    }


# --------------------------------------------------------------------------- targets


def _issue_page(role: str):
    """A busy issue the role may see: the latest closed one that was reopened (the
    longest timeline), else the latest."""

    def path(ctx: Context) -> str:
        def pick():
            visible = Issue.objects.visible_to(ctx.user(role)).order_by("-submitted_at")
            numbers = visible.values_list("number", flat=True)
            return numbers.filter(reopen_count__gt=0, status="closed").first() or numbers.first()

        return f"/issues/{ctx.memo(('issue', role), pick)}/"

    return path


def _api_issue(ctx: Context) -> str:
    return _issue_page("api")(ctx).replace("/issues/", "/api/v1/issues/", 1)


def _api_deep_page(ctx: Context) -> str:
    """Page 2000 of the API list (rows 100 000 on), or its last page on smaller data."""
    last = ctx.memo("api_pages", lambda: max(1, -(-Issue.objects.count() // API_PAGE_SIZE)))
    return f"/api/v1/issues/?page={min(API_DEEP_PAGE, last)}"


def _number_search(ctx: Context) -> str:
    number = ctx.memo(
        "some_number",
        lambda: Issue.objects.order_by("-submitted_at").values_list("number", flat=True)[5000],
    )
    return f"/issues/?search={number}"


def _export(rows: int):
    """The status view from the day that makes about ``rows`` rows (as the lead sees it)."""

    def path(ctx: Context) -> str:
        def day():
            moment = Issue.objects.order_by("-submitted_at").values_list("submitted_at", flat=True)
            return timezone.localdate(moment[rows - 1])

        return f"/issues/export.xlsx?view=status&submitted_after={ctx.memo(('export', rows), day)}"

    return path


def _export_rows(rows: int):
    def describe(ctx: Context) -> dict:
        path = _export(rows)(ctx)
        day = dt.date.fromisoformat(path.rsplit("=", 1)[1])
        since = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        visible = Issue.objects.visible_to(ctx.user("lead"))
        return {"rows": visible.filter(submitted_at__gte=since).count()}

    return describe


_serial = itertools.count(1)


def _web_issue(ctx: Context) -> dict:
    return {
        "category": "supply_chain",
        "title": f"压测：机滤缺货 {next(_serial)}",
        "description": "压测提交：机滤连续两周缺货，保养客户只能改约。",
        "impact_scope": "store",
    }


def _api_issue_body(ctx: Context) -> dict:
    store = ctx.memo(
        "api_store", lambda: Issue.objects.order_by("-pk").values_list("store__code", flat=True)[0]
    )
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S%f")
    return {
        "store": store,
        "category": "system",
        "title": "压测：DMS 工单系统卡顿",
        "description": "压测提交：高峰期开单页面卡顿，客户等待时间超过 30 分钟。",
        "impact_scope": "store",
        "external_ref": f"BENCH-{stamp}-{next(_serial)}",
    }


def sla_sweep(ctx: Context) -> dict:
    """The sweep at the next beat tick after the last one the data remembers (rolled back
    by the harness, so every run finds the same work)."""
    from closedloop.core import jobs

    def moment():
        last = SlaAlert.objects.aggregate(at=Max("created_at"))["at"] or timezone.now()
        return last + dt.timedelta(minutes=2)

    result = jobs.run("sla_sweep", ctx.memo("sweep_at", moment))
    return {**result, "open_issues": ctx.memo("open", Issue.objects.open().count)}


# --------------------------------------------------------------------------- cases

CASES: list[Case] = [
    Case(f"issues.list.{view}", role=role, path=f"/issues/?view={view}")
    for role in LIST_ROLES
    for view in VIEWS
]
CASES += [
    Case(
        "issues.list.open_by_priority_due",
        path=f"/issues/?view=priority&{OPEN}&sort=resolution_due_at",
    ),
    Case("issues.search.2char", path="/issues/?search=缺货"),
    Case("issues.search.2char", role="ops", path="/issues/?search=缺货"),
    Case("issues.search.2char", role="manager", path="/issues/?search=缺货"),
    Case("issues.search.1char", path="/issues/?search=卡"),
    Case("issues.search.number", path=_number_search),
    Case(
        "issues.filter.status",
        path="/issues/?view=status&status=in_progress&status=waiting_for_store",
    ),
    Case(
        "issues.filter.mixed",
        path="/issues/?view=department&category=system&priority=P1&region=EAST",
    ),
    Case("issues.page.1000", path="/issues/?view=priority&page=1000"),
    Case("issues.page.1000.default", path="/issues/?page=1000"),
    Case("issues.page.1000", role="ops", path="/issues/?view=status&page=1000"),
    Case("issues.detail", path=_issue_page("lead")),
    Case("issues.detail", role="manager", path=_issue_page("manager")),
    Case("issues.detail", role="head", path=_issue_page("head")),
    Case("issues.triage", role="ops", path="/issues/triage/"),
    Case("issues.triage", path="/issues/triage/"),
    Case("issues.my_store", role="manager", path="/issues/store/"),
    Case("issues.api.list", role="api", path="/api/v1/issues/"),
    Case("issues.api.list.deep", role="api", path=_api_deep_page),
    Case("issues.api.list", role="ops", path="/api/v1/issues/"),
    Case("issues.api.detail", role="api", path=_api_issue),
    Case(
        "issues.create.page",
        role="manager",
        method="POST",
        path="/issues/new/",
        prime="/issues/new/",
        data=_web_issue,
        expect=302,
        budget_ms=None,
        note="committed: each run adds an issue",
    ),
    Case(
        "issues.create.api",
        role="api",
        method="POST",
        path="/api/v1/issues/",
        data=_api_issue_body,
        json=True,
        expect=201,
        budget_ms=None,
        note="committed: each run adds an issue",
    ),
    Case("issues.sla_sweep", run=sla_sweep, budget_ms=SWEEP_BUDGET_MS, runs=3),
    *(
        Case(
            f"issues.export.{rows}",
            path=_export(rows),
            describe=_export_rows(rows),
            budget_ms=None,
            ratio=False,
            memory=True,
            runs=3,
        )
        for rows in (1000, EXPORT_ROWS)
    ),
]
