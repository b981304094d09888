"""Pages of the issue tracker: submit, my store's issues, the triage queue, the one list
with its five working views, the detail page with its actions, attachments and export.

Views are thin: every queryset starts from ``Issue.objects.visible_to(request.user)``
(an invisible issue is a 404), every change goes through a service function, and a
refused change (``DomainError``) is shown on the page — nothing changes, never a 500.
How the lists are built is ``listing``; what may be done is ``policy`` and the workflow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import Role
from closedloop.org.models import Department
from closedloop.web import forbidden, gate, safe_next
from rectification.selectors import triage_hints

from . import attachments, exports, listing, policy, selectors, services
from .choices import (
    FINISHED_STATUSES,
    REOPEN_WINDOW_DAYS,
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
    IssueSubmitForm,
    RejectForm,
    ReopenForm,
    ResolveForm,
    ResumeForm,
    StoreReplyForm,
    TriageForm,
    UploadForm,
    add_service_error,
)
from .models import Attachment, Issue
from .workflow import ISSUE_FLOW

PAGE_SIZE = 25
TRIAGE_PAGE_SIZE = 10


def _visible(request):
    return Issue.objects.visible_to(request.user)


# --- submit ---------------------------------------------------------------------------


@login_required
def issue_submit(request):
    user = request.user
    if not policy.can_submit(user):
        return forbidden(request, _("你的角色不能提交问题。"))
    if user.role == Role.STORE_MANAGER and user.store_id is None:
        return forbidden(request, _("你的账号还没有绑定门店，请联系服务质量负责人。"))
    form = IssueSubmitForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            issue, _created = services.create_issue(
                submitted_by=user,
                files=request.FILES.getlist("attachments"),
                **form.service_kwargs(),
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            return redirect("issues:submitted", number=issue.number)
    if request.method == "POST" and request.FILES and form.errors:
        messages.warning(request, _("为安全起见，请重新选择照片后再提交。"))
    return render(request, "issues/submit.html", {"form": form})


@login_required
def issue_submitted(request, number):
    issue = get_object_or_404(_visible(request).select_related("store"), number=number)
    return render(request, "issues/submitted.html", {"issue": issue})


# --- my store's issues ----------------------------------------------------------------


@login_required
@gate(policy.has_own_store, gettext_lazy("“我的门店问题”只对有门店的店长开放。"))
def my_store_issues(request):
    user = request.user
    store_listing = listing.build_store_listing(user, request.GET.get("tab"))
    paginator = Paginator(store_listing.rows, PAGE_SIZE)
    paginator.count = store_listing.counts[store_listing.tab]  # counted with the other tabs
    page = paginator.get_page(request.GET.get("page"))
    for issue in page:
        issue.latest_reply = issue.latest_replies[0] if issue.latest_replies else None
    return render(
        request,
        "issues/my_store.html",
        {
            "page": page,
            "tabs": [
                (key, label, store_listing.counts[key]) for key, label, _q in listing.STORE_TABS
            ],
            "tab": store_listing.tab,
            "store": user.store,
            "can_submit": policy.can_submit(user),
        },
    )


# --- the list with its five working views ---------------------------------------------


def _list_page(request, *, tab=None):
    found = listing.build_listing(request, tab=tab)
    page = listing.ListPage(
        found, request.GET.get("page"), PAGE_SIZE, "store", "department", "assignee"
    )
    listing.attach_clocks(page.object_list)
    listing.label_groups(found, page.object_list)
    context = {
        "listing": found,
        "tabs": [(t, found.counts[t.key]) for t in found.tabs],
        "page": page,
        "filterset": found.filterset,
        "can_submit": policy.can_submit(request.user),
        "my_work": tab == "mine",
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "issues/_list_results.html", context)
    return render(request, "issues/list.html", context)


@login_required
def issue_list(request):
    if not policy.can_view_issue_list(request.user):
        raise Http404
    return _list_page(request)


@login_required
@gate(policy.has_work_queue, gettext_lazy("“我负责的”是部门和运营专员的待办，你的角色没有。"))
def my_work(request):
    """我负责的: the person's open work, the most urgent first (the list's mine view)."""
    return _list_page(request, tab="mine")


@login_required
def issue_export(request):
    if not policy.can_view_issue_list(request.user):
        raise Http404
    rows = listing.build_listing(request).rows.select_related(
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


@login_required
def triage_queue(request):
    user = request.user
    if not policy.can_triage_queue(user):
        return forbidden(request, _("分级队列只对运营专员和服务质量负责人开放。"))
    queue = (
        _visible(request)
        .filter(status=Status.SUBMITTED)
        .select_related("store__region", "suggested_department", "submitted_by")
        .prefetch_related("attachments")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(queue, TRIAGE_PAGE_SIZE).get_page(request.GET.get("page"))
    similar = selectors.similar_open_issues_of(page.object_list)
    # Similar issues may belong to stores this person does not cover: show only visible ones.
    candidate_ids = {other.pk for others in similar.values() for other in others}
    visible_ids = set(_visible(request).filter(pk__in=candidate_ids).values_list("pk", flat=True))
    listing.attach_clocks(page.object_list)
    # Recurrence of a rectification project (疑似复发) and the case library's suggestions
    # come from the rectification app, read through its selectors (as the API's number).
    hints = triage_hints(user, page.object_list)
    for issue in page.object_list:
        issue.similar = [other for other in similar[issue.pk] if other.pk in visible_ids]
        issue.recurrence_of = hints[issue.pk]["recurrences"]
        issue.suggested_cases = hints[issue.pk]["cases"]
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


def _survivor(request, data) -> Issue:
    number = data["duplicate_of"]
    survivor = _visible(request).filter(number=number).first()
    if survivor is None:
        raise DomainError(_("找不到编号为 %(n)s 的问题。") % {"n": number}, field="duplicate_of")
    return survivor


def _with_issue(issue, user) -> dict:
    return {"issue": issue}


@dataclass(frozen=True)
class ActionSpec:
    """One action of the detail page: its form, the service it calls, what it says on
    success, and how its panel looks. ``action`` is its name in the workflow's table (the
    kit decides whether it is offered); actions outside the table say so with ``offered``.
    """

    form: type[forms.Form]
    service: Callable
    #: ``arguments(request, cleaned_data) -> dict``: the service's keyword arguments
    #: besides ``issue`` and ``actor``.
    arguments: Callable[..., dict]
    success: str
    label: str
    icon: str
    action: str | None = None
    #: ``offered(user, issue, now) -> bool``: an extra condition on top of the workflow
    #: (or, without ``action``, the whole condition).
    offered: Callable[..., bool] | None = None
    form_kwargs: Callable[..., dict] = field(default=lambda issue, user: {})
    template: str = "issues/includes/action_form.html"
    style: str = "btn-outline-primary"
    submit_style: str = "btn-primary"
    submit_label: str = ""
    confirm: str = ""
    multipart: bool = False
    #: The label when the person may also write internal notes.
    internal_label: str = ""

    def is_offered(self, user, issue, now, workflow_offers) -> bool:
        if self.action is not None and self.action not in workflow_offers:
            return False
        return self.offered is None or self.offered(user, issue, now)


#: The detail page's actions, in the order their panels are shown.
ACTIONS: dict[str, ActionSpec] = {
    "confirm": ActionSpec(
        form=ConfirmForm,
        service=services.confirm,
        arguments=lambda request, data: {"rating": data["rating"], "comment": data["comment"]},
        success=gettext_lazy("已确认关闭，感谢评价。"),
        label=gettext_lazy("确认解决并评分"),
        icon="bi-check2-square",
        action=Action.CONFIRM,
        template="issues/includes/action_confirm.html",
    ),
    "store_reply": ActionSpec(
        form=StoreReplyForm,
        service=services.store_reply,
        arguments=lambda request, data: {"body": data["body"], "files": data["attachments"]},
        success=gettext_lazy("补充已提交，部门会继续处理。"),
        label=gettext_lazy("补充信息"),
        icon="bi-reply",
        action=Action.STORE_REPLY,
        style="btn-warning",
        multipart=True,
    ),
    "accept": ActionSpec(
        form=EmptyForm,
        service=services.accept,
        arguments=lambda request, data: {},
        success=gettext_lazy("已受理，问题进入处理中。"),
        label=gettext_lazy("受理"),
        icon="bi-hand-thumbs-up",
        action=Action.ACCEPT,
        template="issues/includes/action_button.html",
    ),
    "triage": ActionSpec(
        form=TriageForm,
        service=services.triage,
        arguments=lambda request, data: {
            "priority": data["priority"],
            "department": data["department"],
        },
        success=gettext_lazy("已分级，问题已转给责任部门。"),
        label=gettext_lazy("分级"),
        icon="bi-flag",
        action=Action.TRIAGE,
        form_kwargs=_with_issue,
        style="btn-primary",
    ),
    "resolve": ActionSpec(
        form=ResolveForm,
        service=services.resolve,
        arguments=lambda request, data: {"resolution": data["resolution"]},
        success=gettext_lazy("已标记为已解决，等待门店确认。"),
        label=gettext_lazy("解决"),
        icon="bi-check-circle",
        action=Action.RESOLVE,
        style="btn-success",
        submit_style="btn-success",
    ),
    "ask_store": ActionSpec(
        form=AskStoreForm,
        service=services.ask_store,
        arguments=lambda request, data: {"question": data["question"]},
        success=gettext_lazy("已请门店补充，计时暂停。"),
        label=gettext_lazy("请门店补充"),
        icon="bi-question-circle",
        action=Action.ASK_STORE,
    ),
    "resume": ActionSpec(
        form=ResumeForm,
        service=services.resume,
        arguments=lambda request, data: {"reason": data["reason"]},
        success=gettext_lazy("已恢复处理，计时继续。"),
        label=gettext_lazy("不等门店，恢复处理"),
        icon="bi-play-circle",
        action=Action.RESUME,
        style="btn-outline-secondary",
    ),
    "assign": ActionSpec(
        form=AssignForm,
        service=services.assign,
        arguments=lambda request, data: {"assignee": data["assignee"]},
        success=gettext_lazy("已指派处理人。"),
        label=gettext_lazy("指派处理人"),
        icon="bi-person-check",
        action=Action.ASSIGN,
        form_kwargs=_with_issue,
    ),
    "reopen": ActionSpec(
        form=ReopenForm,
        service=services.reopen,
        arguments=lambda request, data: {"reason": data["reason"]},
        success=gettext_lazy("问题已重新打开。"),
        label=gettext_lazy("重新打开"),
        icon="bi-arrow-counterclockwise",
        action=Action.REOPEN,
        offered=lambda user, issue, now: not selectors.reopen_expired(issue, now),
        style="btn-outline-danger",
        submit_style="btn-danger",
    ),
    "change_priority": ActionSpec(
        form=ChangePriorityForm,
        service=services.change_priority,
        arguments=lambda request, data: {
            "priority": data["priority"],
            "department": data["department"],
            "reason": data["reason"],
        },
        success=gettext_lazy("优先级/责任部门已调整。"),
        label=gettext_lazy("调整优先级/部门"),
        icon="bi-sliders",
        action=Action.CHANGE_PRIORITY,
        form_kwargs=_with_issue,
        style="btn-outline-secondary",
    ),
    "reject": ActionSpec(
        form=RejectForm,
        service=services.reject,
        arguments=lambda request, data: {"reason": data["reason"]},
        success=gettext_lazy("问题已驳回。"),
        label=gettext_lazy("驳回"),
        icon="bi-x-circle",
        action=Action.REJECT,
        style="btn-outline-danger",
        submit_style="btn-danger",
        confirm=gettext_lazy("确定驳回这个问题吗？"),
    ),
    "duplicate": ActionSpec(
        form=DuplicateForm,
        service=services.mark_duplicate,
        arguments=lambda request, data: {"duplicate_of": _survivor(request, data)},
        success=gettext_lazy("已标记为重复问题。"),
        label=gettext_lazy("标记重复"),
        icon="bi-files",
        action=Action.MARK_DUPLICATE,
        style="btn-outline-secondary",
    ),
    "comment": ActionSpec(
        form=CommentForm,
        service=services.comment,
        arguments=lambda request, data: {
            "body": data["body"],
            "public": data["visibility"] == "public",
        },
        success=gettext_lazy("已发表。"),
        label=gettext_lazy("回复"),
        internal_label=gettext_lazy("回复 / 内部备注"),
        icon="bi-chat-left-text",
        offered=lambda user, issue, now: (
            policy.can_comment(user, issue, public=True)
            or policy.can_comment(user, issue, public=False)
        ),
        form_kwargs=lambda issue, user: {
            "allow_internal": policy.can_comment(user, issue, public=False)
        },
        submit_label=gettext_lazy("发表"),
    ),
    "upload": ActionSpec(
        form=UploadForm,
        service=services.add_attachments,
        arguments=lambda request, data: {"files": data["attachments"]},
        success=gettext_lazy("附件已上传。"),
        label=gettext_lazy("上传照片/PDF"),
        icon="bi-camera",
        offered=lambda user, issue, now: (
            policy.can_upload(user, issue) and issue.status not in FINISHED_STATUSES
        ),
        style="btn-outline-secondary",
        multipart=True,
    ),
}


def _make_form(key, issue, user, data=None, files=None):
    spec = ACTIONS[key]
    return spec.form(data, files, prefix=key, **spec.form_kwargs(issue, user))


def available_actions(user, issue, now=None) -> list[str]:
    """The actions to offer: those the workflow allows from the current status for this
    person, and those outside it whose own condition holds. The services check again."""
    now = now or timezone.now()
    workflow_offers = set(
        ISSUE_FLOW.available(issue, user, [s.action for s in ACTIONS.values() if s.action])
    )
    return [
        key for key, spec in ACTIONS.items() if spec.is_offered(user, issue, now, workflow_offers)
    ]


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
    # History rows keep department codes; people read names (one small query).
    names = dict(Department.objects.values_list("code", "name"))
    for event in events:
        data = event.data or {}
        if event.action == Action.TRIAGE:
            event.department_name = names.get(data.get("department"), data.get("department"))
        elif event.kind == EventKind.PRIORITY:
            old, new = data.get("old") or {}, data.get("new") or {}
            event.old_department = names.get(old.get("department"), old.get("department"))
            event.new_department = names.get(new.get("department"), new.get("department"))
        if event.action in Action.values:
            event.label = Action(event.action).label
        else:
            event.label = EventKind(event.kind).label
        event.icon = EVENT_ICONS.get(event.kind, "bi-dot")
        event.from_label = Status(event.from_status).label if event.from_status else ""
        event.to_label = Status(event.to_status).label if event.to_status else ""
    return events


@dataclass
class Panel:
    """An offered action on the page: its key, spec, form and label for this person."""

    key: str
    spec: ActionSpec
    form: forms.Form
    label: str


def _render_detail(request, issue, *, bound=None, status=200):
    user = request.user
    now = timezone.now()
    sees_internal = policy.sees_internal_notes(user)
    forms_by_key = {
        key: _make_form(key, issue, user) for key in available_actions(user, issue, now)
    }
    if bound is not None:
        forms_by_key[bound[0]] = bound[1]
    panels = [
        Panel(key, spec, forms_by_key[key], (sees_internal and spec.internal_label) or spec.label)
        for key, spec in ACTIONS.items()
        if key in forms_by_key
    ]
    events = _timeline(request, issue)
    # While the issue waits for the store, its open question (and, for the store, the
    # answer form) leads the page: on a phone it would sit far below otherwise.
    question = None
    if issue.status == Status.WAITING_FOR_STORE:
        question = next((e for e in reversed(events) if e.action == Action.ASK_STORE), None)
    answer_panel = next((p for p in panels if p.key == "store_reply"), None)
    if question is not None and answer_panel is not None:
        panels.remove(answer_panel)
    else:
        answer_panel = None
    attachments = list(issue.attachments.all())
    reopen_expired = ISSUE_FLOW.allowed(issue, Action.REOPEN, user) and "reopen" not in forms_by_key
    return render(
        request,
        "issues/detail.html",
        {
            "issue": issue,
            "clocks": listing.sla_clocks(issue, now),
            "attachments": attachments,
            "attachment_ids": {a.pk for a in attachments},
            "events": events,
            "question": question,
            "answer_panel": answer_panel,
            "forms": forms_by_key,
            "panels": panels,
            "open_form": bound[0] if bound else "",
            "reopen_expired": reopen_expired,
            "reopen_window": REOPEN_WINDOW_DAYS,
        },
        status=status,
    )


@login_required
def issue_detail(request, number):
    issue = _detail_issue(request, number)
    return _render_detail(request, issue)


#: DomainError subclasses and the HTTP status of the page that explains them.
ERROR_STATUS = ((PermissionDenied, 403), (InvalidTransition, 409))


@login_required
@require_POST
def issue_action(request, number, action):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    issue = _detail_issue(request, number)
    user = request.user
    form = _make_form(action, issue, user, request.POST, request.FILES)
    target = safe_next(request)
    error, status = None, 200
    if form.is_valid():
        try:
            spec.service(issue=issue, actor=user, **spec.arguments(request, form.cleaned_data))
        except DomainError as exc:
            status = next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 200)
            if status == 200:
                add_service_error(form, exc)
            error = exc.message
        else:
            messages.success(request, spec.success)
            return redirect(target or issue.get_absolute_url())
    else:
        error = next(iter(form.errors.values()))[0] if form.errors else _("提交的内容无效。")
        if "__all__" not in form.errors and len(form.errors) == 1:
            field_name = next(iter(form.errors))
            label = form.fields[field_name].label if field_name in form.fields else ""
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


@login_required
def attachment_file(request, number, pk):
    """Serve an attachment to those who may see its issue (never a public /media URL)."""
    issue = get_object_or_404(_visible(request).only("pk", "number"), number=number)
    attachment = get_object_or_404(Attachment, pk=pk, issue=issue)
    if request.GET.get("thumb") and attachment.is_image:
        return attachments.thumbnail_response(attachment)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=bool(request.GET.get("download")),
        filename=attachments.download_name(attachment),
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
