"""Report pages: the list (filtered by kind, period and region), the printable page, the
Excel and PDF downloads, and the quality lead's edit, publish and regenerate. A report
the person may not see is a 404 on every one of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.models import Region
from closedloop.web import forbidden, gate

from . import excel, pdf, policy, services
from . import render as rendering
from .choices import REVIEWED_KINDS, Status
from .filtersets import ReportFilterSet
from .forms import ProseForm
from .models import Report

PAGE_SIZE = 30


def _report(request, pk) -> Report:
    return get_object_or_404(
        Report.objects.visible_to(request.user).select_related("region", "published_by"), pk=pk
    )


def filename(report: Report, ext: str) -> str:
    where = report.region.code if report.region_id else "national"
    return f"report-{report.kind}-{report.period}-{where}.{ext}"


@login_required
@gate(policy.can_view_reports, gettext_lazy("报告只对运营负责人、高管和区域总监开放。"))
def report_list(request):
    filterset = ReportFilterSet(
        request.GET, queryset=Report.objects.visible_to(request.user).select_related("region")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/list.html",
        {
            "filter": filterset,
            "page": page,
            "regions": Region.objects.order_by("code").values_list("code", "name"),
            "can_edit": policy.can_edit(request.user),
        },
    )


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "sections": rendering.sections(report),
            "links": services.links(report),
            "can_edit": policy.can_edit(request.user),
            "editable": report.kind in REVIEWED_KINDS and report.status == Status.DRAFT,
        },
    )


@login_required
def report_xlsx(request, pk):
    report = _report(request, pk)
    response = HttpResponse(excel.workbook(report), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(report, "xlsx")}"'
    return response


@login_required
def report_pdf(request, pk):
    report = _report(request, pk)
    response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename(report, "pdf")}"'
    return response


@login_required
def report_edit(request, pk):
    report = _report(request, pk)
    if not policy.can_edit(request.user):
        return forbidden(request, _("只有运营负责人可以编辑报告。"))
    if report.kind not in REVIEWED_KINDS or report.status != Status.DRAFT:
        # Nothing to edit here (a report without prose, or one already published): 409.
        reason = (
            _("该报告没有可编辑的文字部分。")
            if report.kind not in REVIEWED_KINDS
            else _("只有草稿状态的报告可以编辑。")
        )
        return render(
            request, "reports/edit.html", {"report": report, "reason": reason}, status=409
        )
    status = 200
    if request.method == "POST":
        form = ProseForm(request.POST)
        if form.is_valid():
            try:
                services.edit_prose(actor=request.user, report=report, prose=form.cleaned_data)
            except DomainError as exc:
                status = 409 if isinstance(exc, InvalidTransition) else 400
                for field, errors in (exc.errors or {}).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
                if not exc.errors:
                    form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("报告文字已保存。"))
                return redirect(report)
        else:
            status = 400
    else:
        form = ProseForm(initial=report.prose)
    return render(request, "reports/edit.html", {"report": report, "form": form}, status=status)


def _act(request, pk, action):
    report = _report(request, pk)
    try:
        action(actor=request.user, report=report)
    except PermissionDenied as exc:
        return forbidden(request, str(exc.message))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(report)


@login_required
@require_POST
def report_publish(request, pk):
    response = _act(request, pk, services.publish)
    if response.status_code == 302:
        messages.success(request, _("报告已发布，订阅人已收到通知。"))
    return response


@login_required
@require_POST
def report_regenerate(request, pk):
    return _act(request, pk, services.regenerate)
