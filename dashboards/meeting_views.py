"""Pages of the weekly service quality meeting (服务质量周会): the list of meetings, a
meeting's record (attendance, agenda, decisions), meeting mode on the projector with live
capture of decisions (htmx), and the action items tracked to done."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.web import forbidden
from issues.models import Issue

from . import meetings, policy, rectification, services
from .board import build_board
from .choices import (
    DEFAULT_MEETING_WEEKDAY,
    ActionItemAction,
    ActionStatus,
    MeetingAction,
    MeetingStatus,
)
from .forms import DecisionForm, MeetingEditForm, MeetingForm, ReasonForm, hq_people
from .models import ActionItem, Decision, Meeting
from .periods import local_date, month
from .workflow import ACTION_ITEM_FLOW, MEETING_FLOW

PAGE_SIZE = 20
ERROR_STATUS = ((PermissionDenied, 403), (InvalidTransition, 409))


def _status_for(exc) -> int:
    return next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 400)


def _form_error(form, exc: DomainError) -> None:
    placed = False
    for field, errors in (exc.errors or {}).items():
        for error in errors:
            form.add_error(field if field in form.fields else None, str(error))
            placed = True
    if not placed:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _meeting(request, pk) -> Meeting:
    if not policy.can_view_meetings(request.user):
        raise Http404
    return get_object_or_404(Meeting.objects.visible_to(request.user).select_related("host"), pk=pk)


# --- list and record ------------------------------------------------------------------------


@login_required
def meeting_list(request):
    user = request.user
    if not policy.can_view_meetings(user):
        return forbidden(request, _("周会记录只对总部人员开放。"))
    now = timezone.now()
    rows = meetings.meetings_with_counts(
        Meeting.objects.visible_to(user).select_related("host").order_by("-date")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    this_month = month(local_date(now))
    (measures,) = meetings.measures([this_month], now=now)
    return render(
        request,
        "dashboards/meeting_list.html",
        {
            "page": page,
            "measures": measures,
            "month": this_month,
            "upcoming": meetings.upcoming(now),
            "can_run": policy.can_run_meeting(user),
        },
    )


@login_required
def meeting_new(request):
    user = request.user
    if not policy.can_run_meeting(user):
        return forbidden(request, _("只有运营负责人可以组织周会。"))
    today = local_date(timezone.now())
    days = (DEFAULT_MEETING_WEEKDAY - today.weekday()) % 7
    next_wednesday = today + dt.timedelta(days=days)
    form = MeetingForm(
        request.POST or None,
        initial={"date": next_wednesday, "invited": services.default_invitees()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                actor=user,
                date=data["date"],
                start=data["start"],
                minutes=data["minutes"],
                invited=list(data["invited"]),
                topic=data["topic"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("周会已创建。"))
            return redirect(meeting)
    return render(request, "dashboards/meeting_form.html", {"form": form})


def _record_context(request, meeting, *, edit_form=None):
    user = request.user
    attendances = list(meeting.attendances.select_related("user").order_by("user__username"))
    decisions = list(
        meeting.decisions.select_related("owner", "issue", "action_item").order_by(
            "created_at", "pk"
        )
    )
    blocks = list(meeting.blocks.all())
    present = sum(1 for a in attendances if a.attended)
    clear = sum(1 for d in decisions if d.is_clear)
    can_run = policy.can_run_meeting(user)
    return {
        "meeting": meeting,
        "attendances": attendances,
        "present": present,
        "decisions": decisions,
        "clear": clear,
        "blocks": blocks,
        "total_minutes": sum(b.planned_minutes for b in blocks),
        "can_run": can_run,
        "actions": MEETING_FLOW.available(meeting, user) if can_run else [],
        "edit_form": edit_form
        or MeetingEditForm(
            initial={"topic": meeting.topic, "topic_notes": meeting.topic_notes}, blocks=blocks
        ),
        "people": list(hq_people()) if can_run else [],
        "events": list(meeting.events.select_related("actor")),
        "editable": meeting.status != MeetingStatus.FINISHED,
    }


@login_required
def meeting_detail(request, pk):
    meeting = _meeting(request, pk)
    return render(request, "dashboards/meeting_detail.html", _record_context(request, meeting))


@login_required
@require_POST
def meeting_edit(request, pk):
    meeting = _meeting(request, pk)
    form = MeetingEditForm(request.POST, blocks=list(meeting.blocks.all()))
    status = 200
    if form.is_valid():
        try:
            services.update_meeting(
                actor=request.user,
                meeting=meeting,
                topic=form.cleaned_data["topic"],
                topic_notes=form.cleaned_data["topic_notes"],
                agenda=form.agenda(),
            )
        except DomainError as exc:
            status = _status_for(exc)
            _form_error(form, exc)
        else:
            messages.success(request, _("专题和议程已保存。"))
            return redirect(meeting)
    messages.error(request, _("没有保存，请检查标出的内容。"))
    context = _record_context(request, meeting, edit_form=form)
    return render(request, "dashboards/meeting_detail.html", context, status=status)


@login_required
@require_POST
def meeting_attendance(request, pk):
    meeting = _meeting(request, pk)
    people = {str(u.pk): u for u in hq_people()}
    attended = [people[i] for i in request.POST.getlist("attended") if i in people]
    invite = [people[i] for i in request.POST.getlist("invite") if i in people]
    try:
        services.record_attendance(
            actor=request.user, meeting=meeting, attended=attended, invite=invite
        )
    except DomainError as exc:
        messages.error(request, _("出席没有保存：%(e)s") % {"e": exc.message})
        context = _record_context(request, meeting)
        return render(request, "dashboards/meeting_detail.html", context, status=_status_for(exc))
    messages.success(request, _("出席情况已保存。"))
    return redirect(meeting)


@login_required
@require_POST
def meeting_action(request, pk, action):
    meeting = _meeting(request, pk)
    if action not in MeetingAction.values:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    user = request.user
    try:
        if action == MeetingAction.START:
            services.start_meeting(actor=user, meeting=meeting)
        elif action == MeetingAction.FINISH:
            services.finish_meeting(actor=user, meeting=meeting)
        else:
            services.reopen_meeting(
                actor=user, meeting=meeting, reason=form.cleaned_data.get("reason", "")
            )
    except DomainError as exc:
        messages.error(request, _("操作没有完成：%(e)s") % {"e": exc.message})
        context = _record_context(request, meeting)
        return render(request, "dashboards/meeting_detail.html", context, status=_status_for(exc))
    if request.POST.get("next") == "mode":
        # Meeting mode shows the new status in its bar; no banner over the projector.
        return redirect("dashboards:meeting_mode", pk=meeting.pk)
    messages.success(request, str(MeetingAction(action).label))
    return redirect(meeting)


# --- meeting mode (the projector) ---------------------------------------------------------


@login_required
def meeting_mode(request, pk):
    meeting = _meeting(request, pk)
    user = request.user
    now = timezone.now()
    data = meetings.meeting_board(meeting, user, now=now)
    review = build_board(user, data.review_period, now=now, departments=False)
    try:
        current = max(0, min(int(request.GET.get("block", 0)), len(data.blocks) - 1))
    except ValueError:
        current = 0
    can_run = policy.can_run_meeting(user)
    today = local_date(now)
    for item in data.actions_due:
        item.available = ACTION_ITEM_FLOW.available(item, user)
        item.overdue = item.due_on < today
    return render(
        request,
        "dashboards/meeting_mode.html",
        {
            "meeting": meeting,
            "data": data,
            "review": review,
            "current": current,
            "can_capture": can_run and meeting.status == MeetingStatus.IN_PROGRESS,
            "can_run": can_run,
            "people": list(hq_people()) if can_run else [],
            "now": now,
            "rectification_enabled": rectification.available(),
            "next_date": data.next_date,
        },
    )


def _panel_context(request, meeting, *, block, issue=None, project="", form=None):
    decisions = list(
        Decision.objects.filter(
            meeting=meeting, block=block, issue=issue, project_number=project or ""
        )
        .select_related("owner", "action_item")
        .order_by("created_at", "pk")
    )
    return {
        "meeting": meeting,
        "block": block,
        "issue": issue,
        "project": project,
        "decisions": decisions,
        "form": form,
        "can_capture": policy.can_run_meeting(request.user)
        and meeting.status == MeetingStatus.IN_PROGRESS,
        "people": list(hq_people()),
    }


@login_required
@require_POST
def decision_capture(request, pk):
    """Capture a decision on one item; htmx swaps the item's decision panel."""
    meeting = _meeting(request, pk)
    form = DecisionForm(request.POST)
    issue = None
    number = (request.POST.get("issue") or "").strip()
    if number:
        issue = Issue.objects.visible_to(request.user).filter(number=number).first()
        if issue is None:
            raise Http404
    block = request.POST.get("block", "")
    project = (request.POST.get("project") or "").strip()
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.capture_decision(
                actor=request.user,
                meeting=meeting,
                block=data["block"],
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
                issue=issue,
                project_number=data["project"],
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                return forbidden(request, exc.message)
            _form_error(form, exc)
        else:
            form = None
    if not request.htmx:
        if form is None:
            messages.success(request, _("决策已记录。"))
        else:
            messages.error(request, _("决策没有记录：%(e)s") % {"e": _first_error(form)})
        return redirect(_mode_url(meeting, request.POST.get("position")))
    context = _panel_context(request, meeting, block=block, issue=issue, project=project, form=form)
    # htmx swaps only successful answers: a refused capture is a 200 with its errors.
    response = render(request, "dashboards/includes/decision_panel.html", context)
    if form is None:
        # The "next week" block lists the meeting's decisions: it refreshes on this event.
        response["HX-Trigger"] = "decision-captured"
    return response


def _first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("提交的内容无效。")


def _mode_url(meeting, position) -> str:
    url = reverse("dashboards:meeting_mode", args=[meeting.pk])
    try:
        return f"{url}?block={int(position)}"
    except (TypeError, ValueError):
        return url


@login_required
@require_POST
def decision_update(request, pk):
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    meeting = decision.meeting
    form = DecisionForm(
        {**request.POST.dict(), "block": decision.block},
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_decision(
                actor=request.user,
                decision=decision,
                text=data["text"],
                owner=data["owner"],
                due_on=data["due_on"],
            )
        except PermissionDenied as exc:
            return forbidden(request, exc.message)
        except DomainError as exc:
            messages.error(request, _("决策没有保存：%(e)s") % {"e": exc.message})
        else:
            messages.success(request, _("决策已保存。"))
    else:
        messages.error(request, _("决策没有保存：%(e)s") % {"e": _first_error(form)})
    return redirect(meeting)


# --- action items -------------------------------------------------------------------------

ACTION_TABS = [
    ("open", ActionStatus.OPEN),
    ("done", ActionStatus.DONE),
    ("cancelled", ActionStatus.CANCELLED),
    ("all", None),
]


@login_required
def action_list(request):
    user = request.user
    if not policy.can_view_meetings(user):
        return forbidden(request, _("行动项只对总部人员开放。"))
    tab = request.GET.get("status", "open")
    statuses = dict(ACTION_TABS)
    if tab not in statuses:
        tab = "open"
    mine = request.GET.get("mine") == "1"
    items = ActionItem.objects.visible_to(user).select_related(
        "owner", "issue", "meeting", "decision"
    )
    if statuses[tab]:
        items = items.filter(status=statuses[tab])
    if mine:
        items = items.filter(owner=user)
    page = Paginator(items.order_by("due_on", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    today = local_date(timezone.now())
    for item in page.object_list:
        item.available = ACTION_ITEM_FLOW.available(item, user)
        item.overdue = item.status == ActionStatus.OPEN and item.due_on < today
    return render(
        request,
        "dashboards/action_list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": [(key, _label_for(key)) for key, _s in ACTION_TABS],
            "mine": mine,
        },
    )


def _label_for(key):
    if key == "all":
        return _("全部")
    return ActionStatus(key).label


@login_required
@require_POST
def action_item_action(request, pk, action):
    user = request.user
    item = get_object_or_404(
        ActionItem.objects.visible_to(user).select_related("owner", "issue", "meeting"), pk=pk
    )
    if action not in ActionItemAction.values:
        raise Http404
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    status, error = 200, None
    try:
        if action == ActionItemAction.COMPLETE:
            item = services.complete_action_item(actor=user, item=item, note=reason)
        elif action == ActionItemAction.REOPEN:
            item = services.reopen_action_item(actor=user, item=item, reason=reason)
        else:
            item = services.cancel_action_item(actor=user, item=item, reason=reason)
    except DomainError as exc:
        status, error = _status_for(exc), exc.message
    if request.htmx:
        item = ActionItem.objects.select_related("owner", "issue", "meeting").get(pk=item.pk)
        item.available = ACTION_ITEM_FLOW.available(item, user)
        item.overdue = item.status == ActionStatus.OPEN and item.due_on < local_date(timezone.now())
        # A refused reason (400) is shown in the row; 403/409 also tell htmx it failed.
        return render(
            request,
            "dashboards/includes/action_row.html",
            {"item": item, "error": error, "compact": request.POST.get("compact") == "1"},
            status=200 if status == 400 else status,
        )
    if status == 403:
        return forbidden(request, error)
    if error:
        messages.error(request, _("操作没有完成：%(e)s") % {"e": error})
    else:
        messages.success(request, _("行动项已更新。"))
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("dashboards:action_list")
