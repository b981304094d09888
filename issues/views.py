"""Pages of the issue tracker: submit, my store's issues, the triage queue, the one list
with its five working views, the detail page with its actions, attachments and export.

Views are thin: every queryset starts from ``Issue.objects.visible_to(request.user)``
(an invisible issue is a 404), every change goes through a service function, and a
refused change (``DomainError``) is shown on the page — nothing changes, never a 500."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Least
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import Role
from closedloop.org.models import Department

from . import exports, policy, selectors, services
from .choices import (
    OPEN_STATUSES,
    REOPEN_WINDOW_DAYS,
    TRANSITIONS,
    VOID_STATUSES,
    Action,
    EventKind,
    Priority,
    Status,
)
from .forms import (
    AskStoreForm,
    AssignForm,
    ChangePriorityForm,
    CommentForm,
    ConfirmForm,
    DuplicateForm,
    EmptyForm,
    IssueListFilterSet,
    IssueSubmitForm,
    RejectForm,
    ReopenForm,
    ResolveForm,
    StoreReplyForm,
    TriageForm,
    UploadForm,
)
from .models import Attachment, Issue, IssueEvent

PAGE_SIZE = 25
TRIAGE_PAGE_SIZE = 10
#: Roles that may open the submit form (store managers for their store, HQ for a store
#: they cover, transcribing from the chat groups or the meeting).
SUBMITTER_ROLES = frozenset({Role.STORE_MANAGER, Role.OPS_SPECIALIST, Role.QUALITY_LEAD})
FINISHED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)
STATUS_ORDER = list(Status.values)


def _forbidden(request, message):
    return render(request, "issues/forbidden.html", {"message": message}, status=403)


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _visible(request):
    return Issue.objects.visible_to(request.user)


# --- SLA presentation -----------------------------------------------------------------


@dataclass
class Clock:
    due: dt.datetime | None
    state: str  # "breached", "soon", "met", "running", "paused", "none"


def _clock(issue, due, done_at, breached, now) -> Clock:
    if due is None or issue.status in VOID_STATUSES:
        return Clock(due, "none")
    if breached:
        return Clock(due, "breached")
    if done_at is not None or issue.status in FINISHED_STATUSES:
        return Clock(due, "met")
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


def _attach_clocks(issues, now=None):
    """Give each issue its two clocks and ``alert``: "breached", "soon" or ""."""
    now = now or timezone.now()
    for issue in issues:
        issue.clocks = sla_clocks(issue, now)
        states = {clock.state for clock in issue.clocks.values()}
        issue.alert = next((s for s in ("breached", "soon") if s in states), "")
    return issues


# --- submit ---------------------------------------------------------------------------


def _can_submit(user) -> bool:
    return not user.is_read_only and (user.is_superuser or user.role in SUBMITTER_ROLES)


@login_required
def issue_submit(request):
    user = request.user
    if not _can_submit(user):
        return _forbidden(request, _("你的角色不能提交问题。"))
    if user.role == Role.STORE_MANAGER and user.store_id is None:
        return _forbidden(request, _("你的账号还没有绑定门店，请联系运营负责人。"))
    form = IssueSubmitForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            issue, _created = services.create_issue(
                submitted_by=user,
                files=request.FILES.getlist("attachments"),
                **form.service_kwargs(),
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("issues:submitted", number=issue.number)
    if request.method == "POST" and request.FILES and form.errors:
        messages.warning(request, _("为安全起见，请重新选择照片后再提交。"))
    return render(request, "issues/submit.html", {"form": form})


@login_required
def issue_submitted(request, number):
    issue = get_object_or_404(_visible(request).select_related("store"), number=number)
    return render(request, "issues/submitted.html", {"issue": issue})


def _form_errors(form, exc: DomainError) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    placed = False
    for field, errors in (exc.errors or {}).items():
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            form.add_error(field if field in form.fields else None, str(error))
            placed = True
    if not placed:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)


# --- my store's issues ----------------------------------------------------------------

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


@login_required
def my_store_issues(request):
    user = request.user
    base = _visible(request)
    base = base.filter(store_id=user.store_id) if user.store_id else base.filter(submitted_by=user)
    counts = base.aggregate(
        all=Count("pk"), **{key: Count("pk", filter=q) for key, _label, q in STORE_TABS if q}
    )
    tab = request.GET.get("tab")
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
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = counts[tab]  # already counted with the other tabs
    page = paginator.get_page(request.GET.get("page"))
    for issue in page:
        issue.latest_reply = issue.latest_replies[0] if issue.latest_replies else None
    return render(
        request,
        "issues/my_store.html",
        {
            "page": page,
            "tabs": [(key, label, counts[key]) for key, label, _q in STORE_TABS],
            "tab": tab,
            "store": user.store,
            "can_submit": _can_submit(user),
        },
    )


# --- the list with its five working views ---------------------------------------------


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
TAB_KEYS = [t.key for t in TABS]

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
#: The next due time that still matters: response until answered, then resolution.
NEXT_DUE = Case(
    When(
        first_response_at__isnull=True,
        then=Least("response_due_at", "resolution_due_at"),
    ),
    default=F("resolution_due_at"),
)


@dataclass
class Listing:
    tab: str
    filterset: IssueListFilterSet
    counts: dict
    rows: object  # the ordered queryset of the current tab
    group: str | None


def build_listing(request) -> Listing:
    """The rows of the list page for the request's tab, filters, search and sort, and the
    count of every tab under the same filters (one aggregate query). The export uses the
    same function, so it writes exactly what the page shows."""
    user = request.user
    tab = request.GET.get("view")
    if tab not in TAB_KEYS:
        tab = TAB_KEYS[0]
    filterset = IssueListFilterSet(request.GET or None, queryset=_visible(request), request=request)
    base = filterset.qs
    now = timezone.now()
    tab_filters = {"overdue": selectors.overdue_q(now), "mine": selectors.mine_q(user)}
    counts = base.aggregate(
        all=Count("pk"), **{key: Count("pk", filter=q) for key, q in tab_filters.items()}
    )
    counts.update(dict.fromkeys(("priority", "department", "status"), counts["all"]))
    rows = base.filter(tab_filters[tab]) if tab in tab_filters else base

    sort = filterset.form.cleaned_data.get("sort") if filterset.is_valid() else ""
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
        "mine": [PRIORITY_RANK, F("next_due").asc(nulls_last=True)],
    }.get(tab, ["-submitted_at"])
    order += [sort] if sort else default_sort
    rows = rows.annotate(next_due=NEXT_DUE).order_by(*order, "-pk")
    return Listing(tab=tab, filterset=filterset, counts=counts, rows=rows, group=group)


def _group_counts(listing: Listing) -> dict:
    if listing.group is None:
        return {}
    field = {"priority": "priority", "department": "department_id", "status": "status"}[
        listing.group
    ]
    return {
        row[field]: row["n"]
        for row in listing.rows.order_by().values(field).annotate(n=Count("pk"))
    }


@login_required
def issue_list(request):
    if request.user.role == Role.API_CLIENT:
        raise Http404
    listing = build_listing(request)
    rows = listing.rows.select_related("store", "department", "assignee")
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = listing.counts[listing.tab]  # already counted with the other tabs
    page = paginator.get_page(request.GET.get("page"))
    _attach_clocks(page.object_list)
    group_counts = _group_counts(listing)
    for issue in page.object_list:
        if listing.group == "priority":
            issue.group_key = issue.priority
            issue.group_label = issue.get_priority_display() or _("待分级")
        elif listing.group == "department":
            issue.group_key = issue.department_id
            issue.group_label = issue.department.name if issue.department else _("未分派部门")
        elif listing.group == "status":
            issue.group_key = issue.status
            issue.group_label = issue.get_status_display()
        if listing.group:
            issue.group_count = group_counts.get(issue.group_key, 0)
    open_statuses = "&".join(f"status={s}" for s in OPEN_STATUSES)
    context = {
        "listing": listing,
        "tabs": [(t, listing.counts[t.key]) for t in TABS],
        "page": page,
        "filterset": listing.filterset,
        "open_statuses_query": f"?view={listing.tab}&{open_statuses}",
        "can_submit": _can_submit(request.user),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "issues/_list_results.html", context)
    return render(request, "issues/list.html", context)


@login_required
def issue_export(request):
    if request.user.role == Role.API_CLIENT:
        raise Http404
    listing = build_listing(request)
    rows = listing.rows.select_related(
        "store__region", "department", "assignee", "submitted_by", "duplicate_of"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    handle = exports.write_issues(rows)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"问题列表-{stamp}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )


# --- triage queue ---------------------------------------------------------------------


def _is_triager(user) -> bool:
    return user.is_superuser or user.role in policy.TRIAGERS


@login_required
def triage_queue(request):
    user = request.user
    if not _is_triager(user):
        return _forbidden(request, _("分级队列只对运营专员和运营负责人开放。"))
    queue = (
        _visible(request)
        .filter(status=Status.SUBMITTED)
        .select_related("store__region", "suggested_department", "submitted_by")
        .prefetch_related("attachments")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(queue, TRIAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    similar = {issue.pk: selectors.similar_open_issues(issue) for issue in page.object_list}
    # Similar issues may belong to stores this person does not cover: show only visible ones.
    candidate_ids = {other.pk for others in similar.values() for other in others}
    visible_ids = set(_visible(request).filter(pk__in=candidate_ids).values_list("pk", flat=True))
    _attach_clocks(page.object_list)
    for issue in page.object_list:
        issue.similar = [other for other in similar[issue.pk] if other.pk in visible_ids]
    return render(
        request,
        "issues/triage.html",
        {
            "page": page,
            "next": request.get_full_path(),
            # One list for every item's override selects (a form per item would query
            # the departments once per item).
            "departments": list(Department.objects.visible_to(user).order_by("code")),
            "priorities": Priority.choices,
        },
    )


# --- detail and actions ---------------------------------------------------------------

#: action key -> (form class, Action for the allowed-transitions table or None)
ACTION_FORMS = {
    "triage": (TriageForm, Action.TRIAGE),
    "change_priority": (ChangePriorityForm, Action.CHANGE_PRIORITY),
    "accept": (EmptyForm, Action.ACCEPT),
    "assign": (AssignForm, Action.ASSIGN),
    "ask_store": (AskStoreForm, Action.ASK_STORE),
    "store_reply": (StoreReplyForm, Action.STORE_REPLY),
    "resolve": (ResolveForm, Action.RESOLVE),
    "confirm": (ConfirmForm, Action.CONFIRM),
    "reopen": (ReopenForm, Action.REOPEN),
    "reject": (RejectForm, Action.REJECT),
    "duplicate": (DuplicateForm, Action.MARK_DUPLICATE),
    "comment": (CommentForm, None),
    "upload": (UploadForm, None),
}

SUCCESS_MESSAGES = {
    "triage": gettext_lazy("已分级，问题已转给责任部门。"),
    "change_priority": gettext_lazy("优先级/责任部门已调整。"),
    "accept": gettext_lazy("已受理，问题进入处理中。"),
    "assign": gettext_lazy("已指派处理人。"),
    "ask_store": gettext_lazy("已请门店补充，计时暂停。"),
    "store_reply": gettext_lazy("补充已提交，部门会继续处理。"),
    "resolve": gettext_lazy("已标记为已解决，等待门店确认。"),
    "confirm": gettext_lazy("已确认关闭，感谢评价。"),
    "reopen": gettext_lazy("问题已重新打开。"),
    "reject": gettext_lazy("问题已驳回。"),
    "duplicate": gettext_lazy("已标记为重复问题。"),
    "comment": gettext_lazy("已发表。"),
    "upload": gettext_lazy("附件已上传。"),
}


def _make_form(key, issue, user, data=None, files=None):
    form_class, _action = ACTION_FORMS[key]
    kwargs = {"prefix": key}
    if key in ("triage", "change_priority", "assign"):
        kwargs["issue"] = issue
    if key == "comment":
        kwargs["allow_internal"] = policy.can_comment(user, issue, public=False)
    return form_class(data, files, **kwargs)


def available_actions(user, issue, now=None) -> list[str]:
    """The action forms to show: allowed by the transitions table from the current status
    and by the policy for this person. The services check both again on submit."""
    keys = []
    for key, (_form, action) in ACTION_FORMS.items():
        if action is not None:
            if issue.status in TRANSITIONS[action] and policy.can(user, action, issue):
                keys.append(key)
        elif key == "comment":
            if policy.can_comment(user, issue, public=True) or policy.can_comment(
                user, issue, public=False
            ):
                keys.append(key)
        elif key == "upload" and (
            not user.is_read_only
            and policy.can_comment(user, issue, public=True)
            and issue.status not in FINISHED_STATUSES
        ):
            keys.append(key)
    if "reopen" in keys and issue.resolved_at is not None:
        now = now or timezone.now()
        if now - issue.resolved_at > dt.timedelta(days=REOPEN_WINDOW_DAYS):
            keys.remove("reopen")
    return keys


def _detail_issue(request, number):
    return get_object_or_404(
        _visible(request).select_related(
            "store__region",
            "department",
            "suggested_department",
            "assignee",
            "submitted_by",
            "duplicate_of",
            "systemic_issue",
        ),
        number=number,
    )


EVENT_ICONS = {
    EventKind.TRANSITION: "bi-arrow-right-circle",
    EventKind.TRIAGE: "bi-flag",
    EventKind.PRIORITY: "bi-flag",
    EventKind.ASSIGN: "bi-person-check",
    EventKind.COMMENT: "bi-chat-left-text",
    EventKind.NOTE: "bi-lock",
    EventKind.ATTACHMENT: "bi-paperclip",
    EventKind.SYSTEMIC: "bi-diagram-3",
}


def _timeline(request, issue):
    events = issue.events.select_related("actor")
    if not policy.sees_internal_notes(request.user):
        events = events.filter(public=True)
    events = list(events)
    for event in events:
        if event.action in Action.values:
            event.label = Action(event.action).label
        else:
            event.label = EventKind(event.kind).label
        event.icon = EVENT_ICONS.get(event.kind, "bi-dot")
        event.from_label = Status(event.from_status).label if event.from_status else ""
        event.to_label = Status(event.to_status).label if event.to_status else ""
    return events


def _render_detail(request, issue, *, bound=None, status=200):
    user = request.user
    now = timezone.now()
    keys = available_actions(user, issue, now)
    forms = {key: _make_form(key, issue, user) for key in keys}
    if bound is not None:
        forms[bound[0]] = bound[1]
    attachments = list(issue.attachments.all())
    attachment_ids = {a.pk for a in attachments}
    reopen_expired = (
        issue.status in TRANSITIONS[Action.REOPEN]
        and policy.can(user, Action.REOPEN, issue)
        and "reopen" not in keys
    )
    return render(
        request,
        "issues/detail.html",
        {
            "issue": issue,
            "clocks": sla_clocks(issue, now),
            "attachments": attachments,
            "attachment_ids": attachment_ids,
            "events": _timeline(request, issue),
            "forms": forms,
            "open_form": bound[0] if bound else "",
            "sees_internal": policy.sees_internal_notes(user),
            "reopen_expired": reopen_expired,
            "reopen_window": REOPEN_WINDOW_DAYS,
        },
        status=status,
    )


@login_required
def issue_detail(request, number):
    issue = _detail_issue(request, number)
    return _render_detail(request, issue)


def _perform(key, issue, user, form, request):
    data = form.cleaned_data
    if key == "triage":
        return services.triage(
            issue=issue, actor=user, priority=data["priority"], department=data["department"]
        )
    if key == "change_priority":
        return services.change_priority(
            issue=issue,
            actor=user,
            priority=data["priority"],
            department=data["department"],
            reason=data.get("reason", ""),
        )
    if key == "accept":
        return services.accept(issue=issue, actor=user)
    if key == "assign":
        return services.assign(issue=issue, actor=user, assignee=data["assignee"])
    if key == "ask_store":
        return services.ask_store(issue=issue, actor=user, question=data["question"])
    if key == "store_reply":
        return services.store_reply(
            issue=issue,
            actor=user,
            body=data["body"],
            files=request.FILES.getlist(f"{key}-attachments"),
        )
    if key == "resolve":
        return services.resolve(issue=issue, actor=user, resolution=data["resolution"])
    if key == "confirm":
        return services.confirm(
            issue=issue, actor=user, rating=data["rating"], comment=data.get("comment", "")
        )
    if key == "reopen":
        return services.reopen(issue=issue, actor=user, reason=data["reason"])
    if key == "reject":
        return services.reject(issue=issue, actor=user, reason=data["reason"])
    if key == "duplicate":
        survivor = _visible(request).filter(number=data["duplicate_of"]).first()
        if survivor is None:
            raise DomainError(
                _("找不到编号为 %(n)s 的问题。") % {"n": data["duplicate_of"]},
                field="duplicate_of",
            )
        return services.mark_duplicate(issue=issue, actor=user, duplicate_of=survivor)
    if key == "comment":
        return services.comment(
            issue=issue, actor=user, body=data["body"], public=data["visibility"] == "public"
        )
    if key == "upload":
        return services.add_attachments(
            issue=issue, actor=user, files=request.FILES.getlist(f"{key}-attachments")
        )
    raise Http404  # pragma: no cover - ACTION_FORMS and this function list the same keys


#: DomainError subclasses and the HTTP status of the page that explains them.
ERROR_STATUS = ((PermissionDenied, 403), (InvalidTransition, 409))


@login_required
@require_POST
def issue_action(request, number, action):
    if action not in ACTION_FORMS:
        raise Http404
    issue = _detail_issue(request, number)
    user = request.user
    form = _make_form(action, issue, user, request.POST, request.FILES)
    target = _safe_next(request)
    error, status = None, 200
    if form.is_valid():
        try:
            _perform(action, issue, user, form, request)
        except DomainError as exc:
            status = next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 200)
            if status == 200:
                _form_errors(form, exc)
            error = exc.message
        else:
            messages.success(request, SUCCESS_MESSAGES[action])
            return redirect(target or issue.get_absolute_url())
    else:
        error = next(iter(form.errors.values()))[0] if form.errors else _("提交的内容无效。")
        if "__all__" not in form.errors and len(form.errors) == 1:
            field = next(iter(form.errors))
            label = form.fields[field].label if field in form.fields else ""
            error = f"{label}：{error}" if label else error
    messages.error(request, _("操作没有完成：%(e)s") % {"e": error})
    if target:
        # Posted from a list (the triage queue): go back there and say what went wrong.
        return redirect(target)
    issue = _detail_issue(request, number)  # fresh: nothing changed, show the real state
    if status != 200:
        return _render_detail(request, issue, status=status)
    return _render_detail(request, issue, bound=(action, form), status=200)


# --- attachments ----------------------------------------------------------------------

THUMBNAIL_SIZE = (480, 480)


@login_required
def attachment_file(request, number, pk):
    """Serve an attachment to those who may see its issue (never a public /media URL)."""
    issue = get_object_or_404(_visible(request).only("pk", "number"), number=number)
    attachment = get_object_or_404(Attachment, pk=pk, issue=issue)
    if request.GET.get("thumb") and attachment.is_image:
        thumb = _thumbnail(attachment)
        if thumb is not None:
            response = HttpResponse(thumb, content_type="image/jpeg")
            response["Cache-Control"] = "private, max-age=86400"
            return response
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=bool(request.GET.get("download")),
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _thumbnail(attachment) -> bytes | None:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with attachment.file.open("rb") as handle, Image.open(handle) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(THUMBNAIL_SIZE)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=78)
            return out.getvalue()
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
