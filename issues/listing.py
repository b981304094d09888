"""How issues are listed on the pages: the five working views of the list (tabs, their
counts, grouping and order), the store's own tabs, and the SLA clocks shown on each row.

``build_listing`` serves both the list page and its Excel export, so the export writes
exactly what the page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedloop.org.choices import Role

from . import policy, selectors
from .choices import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    VOID_STATUSES,
    Action,
    EventKind,
    Priority,
    Status,
)
from .filtersets import IssueFilterSet
from .forms import SortForm
from .models import Issue, IssueEvent

# --- SLA clocks on a row ---------------------------------------------------------------


@dataclass
class Clock:
    due: dt.datetime | None
    #: A running clock: "breached", "soon", "running" or "paused"; a stopped one (its
    #: moment happened, or the issue is finished): "met" or "missed" (shown quietly);
    #: "none" without a clock.
    state: str


def _clock(issue, due, done_at, breached, now) -> Clock:
    if issue.status in VOID_STATUSES:
        return Clock(due, "none")
    if due is None:
        # Waiting for the store, the due times are recomputed on its answer: say paused.
        running = done_at is None and issue.status not in FINISHED_STATUSES
        return Clock(due, "paused" if running and issue.sla_paused_at else "none")
    if done_at is not None or issue.status in FINISHED_STATUSES:
        return Clock(due, "missed" if breached else "met")
    if breached:
        return Clock(due, "breached")
    if issue.sla_paused_at:
        return Clock(due, "paused")
    if due - selectors.effective_now(issue, now) <= dt.timedelta(hours=selectors.DUE_SOON_HOURS):
        return Clock(due, "soon")
    return Clock(due, "running")


def sla_clocks(issue, now=None) -> dict[str, Clock]:
    now = now or timezone.now()
    return {
        "response": _clock(
            issue,
            issue.response_due_at,
            issue.first_response_at,
            selectors.response_breached(issue, now),
            now,
        ),
        "resolution": _clock(
            issue,
            issue.resolution_due_at,
            issue.resolved_at,
            selectors.resolution_breached(issue, now),
            now,
        ),
    }


def attach_clocks(issues, now=None):
    """Give each issue its two clocks and ``alert``: "breached", "soon" or "" — from the
    running clocks only (a finished issue or an answered response never alerts)."""
    now = now or timezone.now()
    for issue in issues:
        issue.clocks = sla_clocks(issue, now)
        issue.clock_rows = [
            (_("响应"), issue.clocks["response"]),
            (_("解决"), issue.clocks["resolution"]),
        ]
        states = {clock.state for clock in issue.clocks.values()}
        issue.alert = next((s for s in ("breached", "soon") if s in states), "")
    return issues


# --- my store's issues -----------------------------------------------------------------

#: The public things a department says to the store.
DEPARTMENT_SAYS = Q(kind=EventKind.COMMENT) | Q(
    kind=EventKind.TRANSITION,
    action__in=[Action.ASK_STORE, Action.RESOLVE, Action.REJECT, Action.MARK_DUPLICATE],
)

STORE_TABS = [
    ("all", gettext_lazy("全部"), None),
    ("todo", gettext_lazy("待我处理"), Q(status__in=[Status.WAITING_FOR_STORE, Status.RESOLVED])),
    (
        "open",
        gettext_lazy("处理中"),
        Q(status__in=[Status.SUBMITTED, Status.TRIAGED, Status.IN_PROGRESS]),
    ),
    ("done", gettext_lazy("已结束"), Q(status__in=FINISHED_STATUSES)),
]


def latest_department_reply():
    """Prefetch the latest public word of headquarters on each issue (one query)."""
    return Prefetch(
        "events",
        queryset=IssueEvent.objects.filter(DEPARTMENT_SAYS, public=True, actor__isnull=False)
        .exclude(body="")
        .exclude(actor__role__in=[Role.STORE_MANAGER, Role.API_CLIENT])
        .select_related("actor")
        .order_by("-at", "-pk")[:1],
        to_attr="latest_replies",
    )


@dataclass
class StoreListing:
    tab: str
    counts: dict
    rows: object  # the ordered queryset of the current tab, things to do first


def build_store_listing(user, tab: str | None) -> StoreListing:
    """The issues of the person's store under ``tab``, and the count of every tab (one
    aggregate query)."""
    base = Issue.objects.visible_to(user).filter(store_id=user.store_id)
    counts = base.aggregate(
        all=Count("pk"), **{key: Count("pk", filter=q) for key, _label, q in STORE_TABS if q}
    )
    tabs = {key: q for key, _label, q in STORE_TABS}
    if tab not in tabs:
        tab = "all"
    rows = base.filter(tabs[tab]) if tabs[tab] is not None else base
    rows = (
        rows.select_related("store", "department")
        .prefetch_related(latest_department_reply())
        .annotate(
            todo=Case(
                When(status__in=[Status.WAITING_FOR_STORE, Status.RESOLVED], then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("todo", "-submitted_at", "-pk")
    )
    return StoreListing(tab=tab, counts=counts, rows=rows)


# --- the list with its five working views ----------------------------------------------


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    icon: str


TABS = [
    Tab("priority", gettext_lazy("按优先级"), "bi-flag"),
    Tab("department", gettext_lazy("按部门"), "bi-diagram-3"),
    Tab("status", gettext_lazy("按状态"), "bi-kanban"),
    Tab("overdue", gettext_lazy("超时预警"), "bi-alarm"),
    Tab("mine", gettext_lazy("我负责的"), "bi-person-check"),
]

STATUS_ORDER = list(Status.values)
PRIORITY_RANK = Case(
    *[When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)],
    default=Value(len(Priority.values)),
    output_field=IntegerField(),
)
STATUS_RANK = Case(
    *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
    default=Value(len(STATUS_ORDER)),
    output_field=IntegerField(),
)
FINISHED_LAST = Case(
    When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
)
#: The next due time that still matters: response until answered, then resolution.
NEXT_DUE = Case(
    When(
        first_response_at__isnull=True,
        then=Least("response_due_at", "resolution_due_at"),
    ),
    default=F("resolution_due_at"),
)


#: Filters of the issue FilterSet the list page leaves out: its tabs decide ``overdue``
#: and ``mine``, its sort (``SortForm``) the order; it offers no impact scope filter.
LIST_OMITS = ("ordering", "overdue", "mine", "impact_scope")
#: Tabs that group the same rows: they show no count of their own.
GROUPED_TABS = ("priority", "department", "status")


@dataclass
class Listing:
    tab: str
    filterset: IssueFilterSet
    sort_form: SortForm
    counts: dict
    rows: object  # the ordered queryset of the current tab
    group: str | None
    #: The tabs this person gets (我负责的 only for those with a work queue).
    tabs: list
    #: Finished issues are shown (the 含已结束 toggle, or a status filter asks for them).
    with_finished: bool


def tabs_for(user) -> list[Tab]:
    return [t for t in TABS if t.key != "mine" or policy.has_work_queue(user)]


def build_listing(request, *, tab: str | None = None) -> Listing:
    """The rows of the list page for the request's tab (or ``tab``), filters, search and
    sort, and the count of every tab under the same filters (one aggregate query).

    Unless the person asks for them (含已结束, or a status filter), finished issues are
    left out; 我负责的 is the person's open work, the most urgent first."""
    user = request.user
    tabs = tabs_for(user)
    keys = [t.key for t in tabs]
    tab = tab or request.GET.get("view")
    if tab not in keys:
        tab = keys[0]
    filterset = IssueFilterSet(
        request.GET or None,
        queryset=Issue.objects.visible_to(user),
        request=request,
        omit=LIST_OMITS,
    )
    base = filterset.qs
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    with_finished = bool(data.get("finished") or data.get("status"))
    if not with_finished:
        base = base.exclude(status__in=FINISHED_STATUSES)
    now = timezone.now()
    tab_filters = {"overdue": selectors.overdue_q(now)}
    if "mine" in keys:
        tab_filters["mine"] = selectors.mine_q(user, include_finished=with_finished)
    counts = base.aggregate(
        all=Count("pk"), **{key: Count("pk", filter=q) for key, q in tab_filters.items()}
    )
    counts.update(dict.fromkeys(GROUPED_TABS, None))
    rows = base.filter(tab_filters[tab]) if tab in tab_filters else base

    sort_form = SortForm(request.GET)
    sort = sort_form.cleaned_data["sort"] if sort_form.is_valid() else ""
    group, order = None, []
    if tab == "priority":
        group, order = "priority", [PRIORITY_RANK]
    elif tab == "department":
        group = "department"
        order = [F("department__name").asc(nulls_last=True), "department__code"]
    elif tab == "status":
        group, order = "status", [STATUS_RANK]
    default_sort = {
        "overdue": [F("next_due").asc(nulls_last=True)],
        # Open work first; among it the breached (due longest ago), then the nearest due.
        "mine": [FINISHED_LAST, F("next_due").asc(nulls_last=True), PRIORITY_RANK],
    }.get(tab, ["-submitted_at"])
    order += [sort] if sort else default_sort
    rows = rows.annotate(next_due=NEXT_DUE).order_by(*order, "-pk")
    return Listing(
        tab=tab,
        filterset=filterset,
        sort_form=sort_form,
        counts=counts,
        rows=rows,
        group=group,
        tabs=tabs,
        with_finished=with_finished,
    )


#: The grouped tabs: the field an issue is grouped by, and its label on the group header.
GROUPS = {
    "priority": ("priority", lambda issue: issue.get_priority_display() or _("待分级")),
    "department": (
        "department_id",
        lambda issue: issue.department.name if issue.department else _("未分派部门"),
    ),
    "status": ("status", lambda issue: issue.get_status_display()),
}


def label_groups(listing: Listing, issues) -> None:
    """Give each row of a grouped tab its group's key, label and size (one query for all
    the sizes under the current filters)."""
    if listing.group is None:
        return
    field, label = GROUPS[listing.group]
    sizes = {
        row[field]: row["n"]
        for row in listing.rows.order_by().values(field).annotate(n=Count("pk"))
    }
    for issue in issues:
        issue.group_key = getattr(issue, field)
        issue.group_label = label(issue)
        issue.group_count = sizes.get(issue.group_key, 0)
