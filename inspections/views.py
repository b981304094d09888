"""Pages of inspections: the list (a store manager's reports), starting and performing an
inspection on a tablet, the inspection's follow-up page with its actions, the report
(page and PDF), guarded photos, and the improvement board with its Excel export.

Views are thin: every queryset starts from ``Inspection.objects.visible_to`` (an
invisible inspection is a 404), every change goes through a service function, and a
refused change (``DomainError``) is shown on its field — nothing changes, never a 500."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.core.queries import ids_first_page
from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.web import forbidden

from . import board, exports, policy, reports, services
from .choices import ACTION_STATUSES, Action, FindingStatus, Priority, Status, StepKind
from .filtersets import InspectionFilterSet
from .forms import (
    BoardPageFilterSet,
    ClosureForm,
    EmptyForm,
    ExperienceForm,
    FindingForm,
    IssueForm,
    LogForm,
    MetricForm,
    PerformForm,
    PlanForm,
    ReinspectForm,
    ResourceForm,
    ResourceStatusForm,
    SpotCheckForm,
    StartForm,
    StepForm,
    place_errors,
)
from .models import Finding, Inspection, Photo, ResourceRequest
from .workflow import INSPECTION_FLOW

PAGE_SIZE = 25
BOARD_PAGE_SIZE = 50
ERROR_STATUS = ((PermissionDenied, 403), (InvalidTransition, 409))


def _visible(request):
    return Inspection.objects.visible_to(request.user)


def _inspection(request, pk):
    return get_object_or_404(
        _visible(request).select_related("store__region", "template", "inspector"), pk=pk
    )


# --- the list ------------------------------------------------------------------------------


@login_required
def inspection_list(request):
    if not policy.can_view_inspections(request.user):
        raise Http404
    filterset = InspectionFilterSet(request.GET or None, queryset=_visible(request))
    # The page's ids from ``inspection_newest_first``, the findings counted for those only.
    page = ids_first_page(
        filterset.qs.order_by("-inspected_on", "-pk"),
        request.GET.get("page"),
        PAGE_SIZE,
        lambda rows: rows.select_related("store__region", "inspector", "template").annotate(
            findings_n=Count("findings"),
            solved_n=Count("findings", filter=Q(findings__status=FindingStatus.SOLVED)),
        ),
    )
    return render(
        request,
        "inspections/list.html",
        {
            "page": page,
            "can_inspect": policy.can_inspect(request.user),
            "can_board": policy.can_view_board(request.user),
            "statuses": Status.choices,
            "status": request.GET.get("status", ""),
        },
    )


# --- starting and performing ---------------------------------------------------------------


@login_required
def inspection_new(request):
    user = request.user
    if not policy.can_inspect(user):
        return forbidden(request, _("只有运营专员和运营负责人可以开展巡检。"))
    services.ensure_default_template()
    form = StartForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.start_inspection(
                actor=user,
                store=form.cleaned_data["store"],
                template=form.cleaned_data["template"],
                inspected_on=form.cleaned_data["inspected_on"],
            )
        except DomainError as exc:
            place_errors(form, exc, lambda key: "inspected_on" if key == "date" else key)
        else:
            return redirect("inspections:perform", pk=inspection.pk)
    return render(request, "inspections/new.html", {"form": form})


def _perform_form(inspection, data=None, files=None):
    items = list(inspection.template.items.all())
    results = {r.item_id: r for r in inspection.results.all()}
    photos = defaultdict(list)
    for photo in inspection.photos.filter(reinspection=False):
        photos[photo.item_id].append(photo)
    findings = list(inspection.findings.select_related("item"))
    form = PerformForm(
        data,
        files,
        inspection=inspection,
        items=items,
        results=results,
        photos=photos,
        findings=findings,
    )
    return form


@login_required
def inspection_perform(request, pk):
    inspection = _inspection(request, pk)
    user = request.user
    if inspection.status != Status.DRAFT:
        return redirect(inspection.get_absolute_url())
    if not policy.can_edit_draft(user, inspection):
        return forbidden(request, _("你无权修改该巡检。"))
    form = _perform_form(inspection, request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kwargs = form.service_kwargs(request.FILES)
            issue = "issue" in request.POST
            try:
                _perform_and_issue(inspection, user, kwargs, issue)
            except DomainError as exc:
                status = next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 200)
                place_errors(form, exc, form.field_for)
            else:
                if issue:
                    messages.success(request, _("报告已出具，已通知店长；跟进计划已生成。"))
                    return redirect("inspections:report", pk=inspection.pk)
                messages.success(request, _("已保存。"))
                return redirect("inspections:perform", pk=inspection.pk)
        if request.FILES and form.errors:
            messages.warning(request, _("为安全起见，请重新选择照片后再提交。"))
    score = services.score_of(inspection, items=form.items, results=form.results)
    return render(
        request,
        "inspections/perform.html",
        {"inspection": inspection, "form": form, "score": score},
        status=status,
    )


def _perform_and_issue(inspection, user, kwargs, issue: bool) -> None:
    """Save the checklist and, when asked, issue the report — together or not at all."""
    from django.db import transaction

    with transaction.atomic():
        services.record_results(inspection=inspection, actor=user, **kwargs)
        if issue:
            services.issue_report(inspection=inspection, actor=user)


# --- the inspection's page ----------------------------------------------------------------


def _detail_data(inspection):
    findings = list(inspection.findings.select_related("item", "metric", "issue").order_by("seq"))
    metrics = list(inspection.metrics.all())
    steps = list(inspection.follow_up.select_related("done_by").order_by("due_on", "seq"))
    items = list(inspection.template.items.all())
    results = {r.item_id: r for r in inspection.results.all()}
    return findings, metrics, steps, items, results


#: Every action of the inspection page (POST ``do/<action>/``; the last three name a row).
ACTIONS = (
    "issue_report",
    "record_step",
    "log",
    "spot_check",
    "add_finding",
    "add_metric",
    "reinspect",
    "resource",
    "experience",
    "closure",
    "close",
    "plan",
    "to_issue",
    "resource_status",
)

SUCCESS = {
    "issue_report": gettext_lazy("报告已出具，已通知店长；跟进计划已生成。"),
    "record_step": gettext_lazy("已记录。"),
    "log": gettext_lazy("跟进日志已保存。"),
    "spot_check": gettext_lazy("抽查已记录。"),
    "add_finding": gettext_lazy("已添加发现问题。"),
    "add_metric": gettext_lazy("已添加核心指标。"),
    "reinspect": gettext_lazy("验收复检已记录。"),
    "resource": gettext_lazy("资源协调已提交。"),
    "experience": gettext_lazy("经验已沉淀。"),
    "closure": gettext_lazy("闭环条件已更新。"),
    "close": gettext_lazy("巡检已闭环。"),
    "plan": gettext_lazy("行动计划已更新。"),
    "to_issue": gettext_lazy("已转为问题。"),
    "resource_status": gettext_lazy("资源协调状态已更新。"),
}


def _make_form(key, inspection, context, data=None, files=None, target=None):
    prefix = key if target is None else f"{key}-{getattr(target, 'pk', target)}"
    kwargs = {"prefix": prefix}
    if key == "add_finding":
        return FindingForm(data, files, items=context["items"], **kwargs)
    if key == "reinspect":
        return ReinspectForm(
            data, files, failed=context["failed"], metrics=context["metrics"], **kwargs
        )
    if key == "closure":
        return ClosureForm(data, files, check=getattr(inspection, "closure_check", None), **kwargs)
    if key == "plan":
        return PlanForm(data, files, finding=target, **kwargs)
    if key == "to_issue":
        return IssueForm(data, files, prefill=services.issue_prefill(target), **kwargs)
    form_class = {
        "issue_report": EmptyForm,
        "record_step": StepForm,
        "log": LogForm,
        "spot_check": SpotCheckForm,
        "add_metric": MetricForm,
        "resource": ResourceForm,
        "experience": ExperienceForm,
        "close": EmptyForm,
        "resource_status": ResourceStatusForm,
    }[key]
    return form_class(data, files, **kwargs)


#: Page actions that are transitions of the workflow (offered by ``INSPECTION_FLOW``).
TRANSITION_ACTIONS = {"issue_report": Action.ISSUE_REPORT, "close": Action.CLOSE}
#: Who may do the other actions (default: the follow-up people).
ACTION_PERMISSIONS = {
    "plan": policy.can_update_plan,
    "resource": policy.can_request_resource,
}


def _allowed(key, user, inspection, target=None) -> bool:
    """Whether the page offers ``key``: from the same tables the services enforce (the
    workflow's transitions, ``ACTION_STATUSES``) and the policy's predicates."""
    if key in TRANSITION_ACTIONS:
        return INSPECTION_FLOW.allowed(inspection, TRANSITION_ACTIONS[key], user)
    if key == "resource_status":
        return target is not None and policy.can_update_resource(user, target)
    if inspection.status not in ACTION_STATUSES[key]:
        return False
    if key == "to_issue" and (target is None or target.issue_id is not None):
        return False
    return ACTION_PERMISSIONS.get(key, policy.can_follow_up)(user, inspection)


def _context(request, inspection):
    user = request.user
    findings, metrics, steps, items, results = _detail_data(inspection)
    requests_ = list(
        inspection.resource_requests.select_related("department", "requested_by", "inspection")
    )
    failed = services.failed_items(inspection, items=items, results=results)
    today = timezone.localdate()
    for step in steps:
        step.overdue = step.done_on is None and step.due_on < today
    context = {
        "inspection": inspection,
        "findings": findings,
        "metrics": metrics,
        "steps": steps,
        "items": items,
        "failed": failed,
        "logs": list(inspection.logs.select_related("recorded_by")),
        "spot_checks": list(inspection.spot_checks.all()),
        "reinspections": list(inspection.reinspections.select_related("inspector")),
        "resource_requests": requests_,
        "experience": getattr(inspection, "experience", None),
        "acceptance": services.acceptance_verdict(inspection, findings=findings, metrics=metrics),
        "closure": services.closure_verdict(inspection, findings=findings, metrics=metrics),
        "events": list(inspection.events.select_related("actor")),
        "counts": {s: sum(1 for f in findings if f.status == s) for s in FindingStatus.values},
        "priorities": {p: [f for f in findings if f.priority == p] for p in Priority.values},
    }
    forms = {}
    for key in ACTIONS:
        if key in ("plan", "to_issue", "resource_status", "record_step"):
            continue
        if _allowed(key, user, inspection):
            forms[key] = _make_form(key, inspection, context)
    step_forms = {}
    if _allowed("record_step", user, inspection):
        for step in steps:
            if step.kind in (StepKind.CALL, StepKind.KICKOFF) and step.done_on is None:
                step_forms[step.kind] = _make_form(
                    "record_step", inspection, context, target=step.kind
                )
    for finding in findings:
        finding.plan_form = (
            _make_form("plan", inspection, context, target=finding)
            if _allowed("plan", user, inspection, finding)
            else None
        )
        finding.issue_form = (
            _make_form("to_issue", inspection, context, target=finding)
            if _allowed("to_issue", user, inspection, finding)
            else None
        )
    for req in requests_:
        req.status_form = (
            _make_form("resource_status", inspection, context, target=req)
            if _allowed("resource_status", user, inspection, req)
            else None
        )
    context.update(forms=forms, step_forms=step_forms)
    return context


def _render_detail(request, inspection, *, bound=None, status=200):
    context = _context(request, inspection)
    if bound is not None:
        key, target, form = bound
        if key == "plan" or key == "to_issue":
            for finding in context["findings"]:
                if finding.pk == target.pk:
                    setattr(finding, "plan_form" if key == "plan" else "issue_form", form)
        elif key == "resource_status":
            for req in context["resource_requests"]:
                if req.pk == target.pk:
                    req.status_form = form
        elif key == "record_step":
            context["step_forms"][target] = form
        else:
            context["forms"][key] = form
        context["open_form"] = form.prefix
    return render(request, "inspections/detail.html", context, status=status)


@login_required
def inspection_detail(request, pk):
    return _render_detail(request, _inspection(request, pk))


def _perform(key, inspection, user, form, request, target):
    data = form.cleaned_data
    if key == "issue_report":
        return services.issue_report(inspection=inspection, actor=user)
    if key == "record_step":
        return services.record_step(
            inspection=inspection, actor=user, kind=target, done_on=data["date"], note=data["note"]
        )
    if key == "log":
        return services.add_follow_up_log(inspection=inspection, actor=user, **data)
    if key == "spot_check":
        return services.record_spot_check(inspection=inspection, actor=user, **data)
    if key == "add_finding":
        return services.add_finding(inspection=inspection, actor=user, **data)
    if key == "add_metric":
        return services.add_metric(inspection=inspection, actor=user, **data)
    if key == "reinspect":
        return services.reinspect(
            inspection=inspection, actor=user, **form.service_kwargs(request.FILES)
        )
    if key == "resource":
        return services.request_resource(inspection=inspection, actor=user, **data)
    if key == "experience":
        return services.capture_experience(inspection=inspection, actor=user, **data)
    if key == "closure":
        return services.update_closure_check(inspection=inspection, actor=user, **data)
    if key == "close":
        return services.close_inspection(inspection=inspection, actor=user)
    if key == "plan":
        return services.update_finding(finding=target, actor=user, **data)
    if key == "to_issue":
        return services.finding_to_issue(finding=target, actor=user, **data)
    if key == "resource_status":
        return services.update_resource(request=target, actor=user, **data)
    raise Http404  # pragma: no cover - ACTIONS and this function list the same keys


def _target(inspection, key, target_id):
    if key in ("plan", "to_issue", "resource_status") and not (
        target_id and target_id.isdigit() and len(target_id) <= 18
    ):
        raise Http404
    if key not in ("plan", "to_issue", "resource_status", "record_step"):
        if target_id is not None:
            raise Http404
        return None
    if key in ("plan", "to_issue"):
        return get_object_or_404(
            Finding.objects.select_related("item"), pk=target_id, inspection=inspection
        )
    if key == "resource_status":
        return get_object_or_404(
            ResourceRequest.objects.select_related("inspection"),
            pk=target_id,
            inspection=inspection,
        )
    if key == "record_step":
        if target_id not in (StepKind.CALL, StepKind.KICKOFF):
            raise Http404
        return target_id
    return None


def _field_mapper(key, form):
    """The form field a service error names (the services call some fields otherwise)."""
    if key == "reinspect":
        return form.field_for
    aliases = {"done_on": "date"}
    return lambda name: name if name in form.fields else aliases.get(name, name)


@login_required
@require_POST
def inspection_action(request, pk, action, target=None):
    if action not in ACTIONS:
        raise Http404
    inspection = _inspection(request, pk)
    user = request.user
    target_obj = _target(inspection, action, target)
    context = {
        "items": list(inspection.template.items.all()),
        "metrics": list(inspection.metrics.all()),
        "failed": services.failed_items(inspection),
    }
    form = _make_form(action, inspection, context, request.POST, request.FILES, target=target_obj)
    status = 200
    if form.is_valid():
        try:
            result = _perform(action, inspection, user, form, request, target_obj)
        except DomainError as exc:
            status = next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 200)
            place_errors(form, exc, _field_mapper(action, form))
            error = exc.message
        else:
            messages.success(request, SUCCESS[action])
            if action == "to_issue":
                return redirect(result.get_absolute_url())
            if action == "issue_report":
                return redirect("inspections:report", pk=inspection.pk)
            return redirect(f"{inspection.get_absolute_url()}#{action}")
    else:
        error = next(iter(form.errors.values()))[0] if form.errors else _("提交的内容无效。")
    messages.error(request, _("操作没有完成：%(e)s") % {"e": error})
    inspection = _inspection(request, pk)  # fresh: nothing changed
    return _render_detail(request, inspection, bound=(action, target_obj, form), status=status)


# --- report, PDF and photos -----------------------------------------------------------------


@login_required
def inspection_report(request, pk):
    inspection = _inspection(request, pk)
    context = reports.report_context(inspection)
    context["can_follow_up"] = policy.can_follow_up(request.user, inspection)
    return render(request, "inspections/report.html", context)


@login_required
def inspection_report_pdf(request, pk):
    inspection = _inspection(request, pk)
    pdf = reports.render_pdf(inspection)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"inspection-{inspection.store.code}-{inspection.inspected_on:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def photo_file(request, pk, photo_pk):
    """Serve a photo to those who may see its inspection (never a public /media URL)."""
    inspection = get_object_or_404(_visible(request).only("pk"), pk=pk)
    photo = get_object_or_404(Photo, pk=photo_pk, inspection=inspection)
    if request.GET.get("thumb"):
        thumb = reports.thumbnail(photo)
        if thumb is not None:
            response = HttpResponse(thumb, content_type="image/jpeg")
            response["Cache-Control"] = "private, max-age=86400"
            return response
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, filename=photo.original_name, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- the improvement board -----------------------------------------------------------------


BOARD_ONLY = gettext_lazy("改进仪表盘只对运营专员、区域总监、运营负责人和高管开放。")


def _board(request):
    visible = _visible(request)
    filterset = BoardPageFilterSet(
        request.GET or None, queryset=board.board_queryset(visible), request=request
    )
    return visible, filterset


@login_required
def improvement_board(request):
    if not policy.can_view_board(request.user):
        return forbidden(request, BOARD_ONLY)
    visible, filterset = _board(request)
    page = Paginator(filterset.qs, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    trends = board.store_trends(visible, page.object_list)
    rows = []
    for index, inspection in enumerate(page.object_list, start=page.start_index()):
        row = board.as_row(inspection, rank=index)
        row["trend"] = trends.get(inspection.store_id)
        row["url"] = inspection.get_absolute_url()
        rows.append(row)
    # One small row per store (its risk): counted here, not grouped again in SQL, since
    # the risk is itself computed over aggregates.
    counts = Counter({"red": 0, "yellow": 0, "green": 0})
    counts.update(filterset.qs.values_list("risk", flat=True))
    return render(
        request,
        "inspections/board.html",
        {
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "counts": counts,
            "today": timezone.localdate(),
        },
    )


@login_required
def board_export(request):
    if not policy.can_view_board(request.user):
        return forbidden(request, BOARD_ONLY)
    _visible_qs, filterset = _board(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    handle = exports.write_board(filterset.qs)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"改进仪表盘-{stamp}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )
