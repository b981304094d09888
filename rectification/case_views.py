"""Pages of the case library (案例库): the list with its filters (category, store tier,
text — the API's FilterSet), a case, and the case form of closure step 5 (经验总结) on
its project, which writes and edits the project's case through ``library.save_case``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedloop.errors import DomainError
from closedloop.web import gate

from . import library, policy
from .choices import Action
from .forms import CaseForm, CaseListFilterSet
from .models import Case, Project
from .views import _error_status, _forbidden, _project

PAGE_SIZE = 20


@login_required
@gate(policy.can_view_cases, gettext_lazy("案例库只对公司员工开放。"))
def case_list(request):
    queryset = (
        Case.objects.visible_to(request.user)
        .select_related("project__store")
        .order_by("-created_at", "-pk")
    )
    filterset = CaseListFilterSet(request.GET or None, queryset=queryset, request=request)
    # Unbound (no parameters: the plain page) lists every case; bad parameters none.
    valid = filterset.is_valid() or not filterset.is_bound
    rows = filterset.qs if valid else queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "rectification/case_list.html",
        {"filterset": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
@gate(policy.can_view_cases, gettext_lazy("案例库只对公司员工开放。"))
def case_detail(request, pk):
    case = get_object_or_404(
        Case.objects.visible_to(request.user).select_related("project__store", "created_by"),
        pk=pk,
    )
    # The case is shared with everybody; its project only with the project's people.
    project_visible = Project.objects.visible_to(request.user).filter(pk=case.project_id).exists()
    can_edit = project_visible and library.PROJECT_FLOW.allowed(
        case.project, Action.WRITE_CASE, request.user
    )
    return render(
        request,
        "rectification/case_detail.html",
        {"case": case, "project_visible": project_visible, "can_edit": can_edit},
    )


@login_required
def case_edit(request, number):
    """Closure step 5: write or edit the project's case (pre-filled from the project)."""
    project = _project(request, number)
    user = request.user
    if not policy.can(user, Action.WRITE_CASE, project):
        return _forbidden(request, _("只有项目的运营专家或服务质量负责人可以撰写案例。"))
    if library.PROJECT_FLOW.target(project, Action.WRITE_CASE) is None:
        return _forbidden(request, _("项目通过正式验收、进入待闭环后才能撰写案例。"), 409)
    case = Case.objects.filter(project=project).first()
    initial = library.case_data(case) if case else library.case_initial(project)
    if request.method == "POST":
        form = CaseForm(request.POST)
        if form.is_valid():
            try:
                case = library.save_case(project=project, actor=user, data=form.to_data())
            except DomainError as exc:
                code = _error_status(exc)
                if code != 200:
                    return _forbidden(request, exc.message, code)
                for path, errors in (exc.errors or {exc.field or "__all__": [exc.message]}).items():
                    field = path if path in form.fields else None
                    for error in errors:
                        form.add_error(field, str(error))
            else:
                messages.success(request, _("案例已保存到案例库。"))
                return redirect(case.get_absolute_url())
    else:
        form = CaseForm(initial=initial)
    return render(
        request,
        "rectification/case_form.html",
        {"project": project, "form": form, "case": case},
    )
