"""The closure checklist page (闭环确认检查表, laptop): the seven steps with their items —
the ones read from the data shown locked — each step's state, the verdict and the closure
level as the source's ladder; save ticks, close the project, print it as PDF.

Thin: the page builds the body the API's PUT takes (every hand-filled item) and calls
``closure.update_closure`` / ``closure.close``; a refusal is shown on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError

from . import closure, pdf, policy
from .choices import Action, Status
from .views import _error_status, _project

#: Statuses in which the checklist is shown (filled in pending_closure, kept after).
SHOWN = (Status.OBSERVING, Status.PENDING_CLOSURE, Status.CLOSED)


def page_data(post) -> dict:
    """The PUT body from the page's fields: every hand-filled item, ticked or not."""
    steps = []
    for definition in closure.STEPS:
        items = []
        for item in definition.items:
            if item.auto:
                continue
            row = {"key": item.key}
            if item.kind == closure.YESNO:
                row["value"] = post.get(f"{item.key}-value", "")
            else:
                row["done"] = post.get(f"{item.key}-done") == "on"
                if item.kind != closure.CHECK:
                    row["value"] = post.get(f"{item.key}-value", "")
            items.append(row)
        steps.append({"step": definition.step, "items": items})
    return {"steps": steps, "note": post.get("note", "")}


def _render(request, project, result, *, errors=None, posted=None, status=200):
    user = request.user
    editable = closure.PROJECT_FLOW.allowed(project, Action.UPDATE_CLOSURE, user)
    if posted is not None:
        # Show what was typed, not what is stored, next to the errors.
        for step in result.steps:
            for item in step.items:
                if not item.auto:
                    item.value = posted.get(f"{item.key}-value", item.value)
                    if item.kind not in (closure.YESNO,):
                        item.done = posted.get(f"{item.key}-done") == "on"
    return render(
        request,
        "rectification/closure.html",
        {
            "project": project,
            "result": result,
            "editable": editable,
            "can_close": closure.PROJECT_FLOW.allowed(project, Action.CLOSE, user),
            "can_write_case": closure.PROJECT_FLOW.allowed(project, Action.WRITE_CASE, user),
            "errors": errors or {},
            "note": posted.get("note", "") if posted is not None else "",
        },
        status=status,
    )


@login_required
def closure_page(request, number):
    project = _project(request, number)
    if project.status not in SHOWN:
        return render(
            request,
            "rectification/refused.html",
            {"message": _("项目通过初次验收、进入观察期后才有闭环确认检查表。")},
            status=409,
        )
    if request.method == "POST":
        if not policy.can(request.user, Action.UPDATE_CLOSURE, project):
            return render(
                request,
                "rectification/refused.html",
                {"message": _("只有项目的运营专家或服务质量负责人可以填写闭环确认检查表。")},
                status=403,
            )
        try:
            closure.update_closure(
                project=project, actor=request.user, data=page_data(request.POST)
            )
        except DomainError as exc:
            code = _error_status(exc)
            messages.error(request, _("没有保存：%(e)s") % {"e": exc.message})
            return _render(
                request,
                project,
                closure.checklist(project),
                errors=exc.errors,
                posted=request.POST if code == 200 else None,
                status=code,
            )
        messages.success(request, _("闭环确认检查表已保存。"))
        return redirect("rectification:closure", number=project.number)
    return _render(request, project, closure.checklist(project))


@login_required
@require_POST
def closure_close(request, number):
    project = _project(request, number)
    try:
        closure.close(project=project, actor=request.user)
    except DomainError as exc:
        messages.error(request, _("不能闭环：%(e)s") % {"e": exc.message})
        fresh = _project(request, number)
        if fresh.status not in SHOWN:
            return render(
                request, "rectification/refused.html", {"message": exc.message}, status=409
            )
        return _render(request, fresh, closure.checklist(fresh), status=_error_status(exc))
    messages.success(request, _("项目已闭环。"))
    return redirect(project.get_absolute_url())


@login_required
def closure_pdf(request, number):
    project = _project(request, number)
    if project.status not in SHOWN:
        return render(
            request,
            "rectification/refused.html",
            {"message": _("项目通过初次验收、进入观察期后才有闭环确认检查表。")},
            status=409,
        )
    body = pdf.closure_pdf(project, closure.checklist(project))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{project.number}-closure.pdf"'
    return response
