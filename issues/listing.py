"""How issues are listed on the pages: the five working views of the list (tabs, their
counts, grouping and order), the store's own tabs, and the SLA clocks shown on each row.

``build_listing`` serves both the list page and its Excel export, so the export writes
exactly what the page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedloop.org.choices import Role
from closedloop.org.models import Department

from . import models, policy, selectors
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
#: Statuses the list shows by default: everything not finished. Said as ``status IN …``
#: (the condition of the list's partial indexes), never as "exclude the finished".
UNFINISHED_STATUSES = [s for s in Status.values if s not in FINISHED_STATUSES]
#: Stored columns of the issue (``Issue.priority_rank`` …), kept here for their readers.
PRIORITY_RANK = F("priority_rank")
STATUS_RANK = F("status_rank")
FINISHED_LAST = Case(
    When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
)
NEXT_DUE = models.NEXT_DUE
#: Counts above this show as "10000+" and leave the number of pages open.
COUNT_CAP = 10_000


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
    #: Each tab's count (None: a grouped tab) and, on a grouped tab, each group's, all
    #: in one pass (``one_pass_counts``); shown as "10000+" above COUNT_CAP.
    counts: dict
    rows: object  # the ordered queryset of the current tab
    group: str | None
    #: The tabs this person gets (我负责的 only for those with a work queue).
    tabs: list
    #: Finished issues are shown (the 含已结束 toggle, or a status filter asks for them).
    with_finished: bool
    #: The order of ``rows`` (expressions of ``order_by``).
    order: list
    #: The department tab: the visible rows before the tab's order, the departments in
    #: the order of their groups (None: no department last) and the order inside one.
    group_rows: object = None
    group_keys: list | None = None
    group_order: list | None = None
    group_counts: dict | None = None


def tabs_for(user) -> list[Tab]:
    return [t for t in TABS if t.key != "mine" or policy.has_work_queue(user)]


def one_pass_counts(queryset, conditions: dict) -> dict:
    """The number of rows of ``queryset`` meeting each condition, exactly, in one pass
    (``count(*) FILTER (WHERE …)`` per condition)."""
    names = {key: f"n{i}" for i, key in enumerate(conditions)}
    found = queryset.order_by().aggregate(
        **{names[key]: Count("pk", filter=q) if q else Count("pk") for key, q in conditions.items()}
    )
    return {key: found[name] for key, name in names.items()}


def show_count(n: int | None, cap: int = COUNT_CAP) -> str | None:
    """A count as shown: "10000+" once it is capped."""
    if n is None:
        return None
    return f"{cap}+" if n > cap else str(n)


def build_listing(request, *, tab: str | None = None) -> Listing:
    """The rows of the list page for the request's tab (or ``tab``), filters, search and
    sort, and the count of every tab and of every group of a grouped tab under the same
    filters (one pass, ``one_pass_counts``).

    Unless the person asks for them (含已结束, or a status filter), finished issues are
    left out; 我负责的 is the person's open work, the most urgent first. Every order has a
    partial index over the unfinished issues (``Issue.Meta.indexes``)."""
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
        base = base.filter(status__in=UNFINISHED_STATUSES)
    now = timezone.now()
    tab_filters = {"overdue": selectors.overdue_q(now)}
    if "mine" in keys:
        tab_filters["mine"] = selectors.mine_q(user, include_finished=with_finished)
    rows = base.filter(tab_filters[tab]) if tab in tab_filters else base

    sort_form = SortForm(request.GET)
    sort = sort_form.cleaned_data["sort"] if sort_form.is_valid() else ""
    group, order = None, []
    if tab == "priority":
        group, order = "priority", [PRIORITY_RANK]
    elif tab == "department":
        group = "department"
    elif tab == "status":
        group, order = "status", [STATUS_RANK]
    urgent = [F("next_due").asc(nulls_last=True), PRIORITY_RANK]
    default_sort = {
        "overdue": urgent,
        # Open work first (only with finished issues shown); among it the breached (due
        # longest ago), then the nearest due.
        "mine": [FINISHED_LAST, *urgent] if with_finished else urgent,
    }.get(tab, ["-submitted_at"])
    inner = ([sort] if sort else default_sort) + ["-pk"]

    # What to count: each tab, and each group of a grouped tab.
    conditions = {"all": Q(), **tab_filters}
    group_keys = None
    if group == "department":
        group_keys = [
            *Department.objects.order_by("name", "code").values_list("pk", flat=True),
            None,
        ]
        conditions.update({("group", key): Q(department_id=key) for key in group_keys})
    elif group is not None:
        values = Priority.values + [""] if group == "priority" else STATUS_ORDER
        if group == "status" and not with_finished:
            values = UNFINISHED_STATUSES
        conditions.update({("group", value): Q(**{group: value}) for value in values})
    # One pass over the visible rows: index-only without a search (``issue_open_scope``
    # carries every column these conditions read); with one, a single bitmap of the
    # matches. Cheaper than a capped count (LIMIT 10 001) per tab and group, which reads
    # to the end for every small group and builds the search's bitmap again each time.
    found = one_pass_counts(base, conditions)
    counts = {key: n for key, n in found.items() if not isinstance(key, tuple)}
    counts.update(dict.fromkeys(GROUPED_TABS, None))
    group_counts = {key[1]: n for key, n in found.items() if isinstance(key, tuple)}

    if group == "department":
        full_order = [F("department__name").asc(nulls_last=True), "department__code", *inner]
    else:
        full_order = order + inner
    return Listing(
        tab=tab,
        filterset=filterset,
        sort_form=sort_form,
        counts=counts,
        rows=rows.order_by(*full_order),
        group=group,
        tabs=tabs,
        with_finished=with_finished,
        order=full_order,
        group_rows=rows if group == "department" else None,
        group_keys=group_keys,
        group_order=inner if group == "department" else None,
        group_counts=group_counts,
    )


def page_rows(found: Listing, offset: int, limit: int, *related: str) -> list[Issue]:
    """Rows ``offset`` to ``offset + limit`` of the listing with their ``related`` rows, in
    one query: the page's ids are picked first, from the index that gives the tab's order
    (no join, no other column: a deep page is an index-only walk), and only those rows
    are joined.

    The department tab is grouped by the departments' names, which no index of the issue
    holds: each department's ids are read from its own index range (at most ``offset +
    limit`` of them, into an array that keeps their order), the groups that end before
    the page are skipped (their counts are known), and the page is cut from the
    concatenation of the arrays in the groups' order."""
    if found.group != "department":
        picked = found.rows.values("pk")[offset : offset + limit]
        rows = Issue.objects.filter(pk__in=picked)
    else:
        parts, params, skipped, covered = [], [], 0, 0
        for key in found.group_keys:
            size = found.group_counts.get(key, 0)
            if size == 0:
                continue
            if not parts and size <= COUNT_CAP and skipped + size <= offset:
                skipped += size  # the whole group lies before the page
                continue
            needed = offset - skipped + limit
            branch = (
                found.group_rows.filter(department_id=key)
                .order_by(*found.group_order)
                .values_list("pk", flat=True)[:needed]
            )
            sql, sub = branch.query.sql_with_params()
            parts.append(f"ARRAY({sql})")  # an array keeps the order of its sub-select
            params.extend(sub)
            covered += min(size, needed)  # a capped size is at least COUNT_CAP + 1
            if covered >= needed:
                break
        if not parts:
            return []
        first = offset - skipped + 1  # arrays count from 1
        ids = f"SELECT unnest(({' || '.join(parts)})[%s:%s])"
        rows = Issue.objects.filter(pk__in=RawSQL(ids, [*params, first, first + limit - 1]))
    return list(rows.select_related(*related).order_by(*found.order))


class ListPage:
    """One page of the list: its issues picked by id, then joined to their
    store, department and assignee (``page_rows``). The interface of a Django ``Page``
    the templates use; a capped count ("10000+") leaves the number of pages open and the
    next link is offered when one more row exists."""

    def __init__(self, found: Listing, number, per_page: int, *related: str):
        count = found.counts[found.tab]
        self.count = found.counts["all"] if count is None else count
        self.cap = COUNT_CAP
        self.capped = self.count > COUNT_CAP
        self.count_display = show_count(self.count)
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        self.num_pages = None if self.capped else max(1, -(-self.count // per_page))
        if self.num_pages is not None:
            number = min(number, self.num_pages)
        offset = (number - 1) * per_page
        rows = page_rows(found, offset, per_page + 1, *related)  # one more: a next page?
        self.number = number
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page
        self.paginator = self  # the templates read page.paginator.count / num_pages

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


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
    """Give each row of a grouped tab its group's key, label and size (counted with the
    tabs, capped: "10000+")."""
    if listing.group is None:
        return
    field, label = GROUPS[listing.group]
    for issue in issues:
        issue.group_key = getattr(issue, field)
        issue.group_label = label(issue)
        issue.group_count = show_count(listing.group_counts.get(issue.group_key, 0))
