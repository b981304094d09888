"""系统性问题: one named problem grouping the issues of many stores, with its own status.

Thin views over ``services.create_systemic_issue`` / ``group_into_systemic`` /
``set_systemic_status``; visibility from ``SystemicIssue.objects.visible_to`` and, for
the grouped issues, ``Issue.objects.visible_to``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError
from closedloop.org.models import Department
from closedloop.web import forbidden

from . import policy, services
from .choices import OPEN_STATUSES, SystemicAction, SystemicStatus
from .filtersets import SystemicIssueFilterSet
from .forms import add_service_error
from .models import Issue, SystemicIssue
from .workflow import SYSTEMIC_FLOW


def _numbers(text: str) -> list[str]:
    cleaned = (text or "").replace("，", ",").replace("、", ",").replace("\n", ",")
    return [part.strip().upper() for part in cleaned.replace(" ", ",").split(",") if part.strip()]


def _visible_issues(user, numbers: list[str]):
    found = list(Issue.objects.visible_to(user).filter(number__in=numbers))
    missing = sorted(set(numbers) - {issue.number for issue in found})
    if missing:
        raise DomainError(
            _("找不到这些问题（或不在你的范围内）：%(n)s") % {"n": ", ".join(missing)},
            field="issues",
        )
    return found


class SystemicForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("责任部门"), queryset=Department.objects.all(), required=False
    )
    issues = forms.CharField(
        label=gettext_lazy("包含的问题编号"),
        required=False,
        help_text=gettext_lazy("多个编号用逗号或换行分隔，例如 ISS-2026-00012, ISS-2026-00031"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AddIssuesForm(forms.Form):
    issues = forms.CharField(label=gettext_lazy("问题编号"), max_length=2000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=SystemicStatus.choices)


@login_required
def systemic_list(request):
    if not policy.can_view_systemic(request.user):
        raise Http404
    # The counts are of the issues this person can see, as on the detail page.
    seen = Q(issues__in=Issue.objects.visible_to(request.user).values("pk"))
    rows = (
        SystemicIssue.objects.visible_to(request.user)
        .select_related("department", "owner")
        .annotate(
            issue_count=Count("issues", filter=seen, distinct=True),
            store_count=Count("issues__store", filter=seen, distinct=True),
            open_count=Count(
                "issues", filter=seen & Q(issues__status__in=OPEN_STATUSES), distinct=True
            ),
        )
        .order_by("status", "-created_at")
    )
    filterset = SystemicIssueFilterSet(request.GET or None, queryset=rows, request=request)
    status = filterset.form.cleaned_data.get("status", "") if filterset.is_valid() else ""
    return render(
        request,
        "issues/systemic_list.html",
        {
            "rows": filterset.qs,
            "status": status,
            "statuses": SystemicStatus.choices,
            "can_edit": policy.can_edit_systemic(request.user),
        },
    )


@login_required
def systemic_new(request):
    if not policy.can_edit_systemic(request.user):
        return forbidden(request, _("只有运营人员可以创建系统性问题。"))
    form = SystemicForm(request.POST or None, initial={"issues": request.GET.get("issues", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grouped = _visible_issues(request.user, _numbers(data["issues"]))
            systemic = services.create_systemic_issue(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                department=data["department"],
                issues=grouped,
            )
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("已创建系统性问题“%(t)s”。") % {"t": systemic.title})
            return redirect("issues:systemic_detail", pk=systemic.pk)
    return render(request, "issues/systemic_form.html", {"form": form})


@login_required
def systemic_detail(request, pk):
    systemic = get_object_or_404(
        SystemicIssue.objects.visible_to(request.user).select_related("department", "owner"),
        pk=pk,
    )
    issues = (
        Issue.objects.visible_to(request.user)
        .filter(systemic_issue=systemic)
        .select_related("store__region", "department")
        .order_by("store__region__code", "store__code", "-submitted_at")
    )
    stores = {issue.store_id for issue in issues}
    history = list(systemic.history.select_related("actor"))
    for event in history:
        event.label = SystemicAction(event.action).label
        event.from_label = SystemicStatus(event.from_status).label if event.from_status else ""
        event.to_label = SystemicStatus(event.to_status).label if event.to_status else ""
    return render(
        request,
        "issues/systemic_detail.html",
        {
            "systemic": systemic,
            "issues": issues,
            "store_count": len(stores),
            "can_edit": policy.can_edit_systemic(request.user),
            "add_form": AddIssuesForm(),
            "status_form": StatusForm(initial={"status": systemic.status}),
            "next_statuses": [
                SYSTEMIC_FLOW.target(systemic, action)
                for action in SYSTEMIC_FLOW.available(systemic, request.user)
            ],
            "history": history,
        },
    )


def _change(request, pk, form_class, invalid: str, perform):
    """A change posted from the detail page: validate, call ``perform(systemic, data)``
    (a service; returns the success message), say what happened, go back to the page."""
    systemic = get_object_or_404(SystemicIssue.objects.visible_to(request.user), pk=pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(invalid, field=next(iter(form.fields)))
        done = perform(systemic, form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("issues:systemic_detail", pk=systemic.pk)


@login_required
@require_POST
def systemic_add(request, pk):
    def group(systemic, data):
        numbers = list(dict.fromkeys(_numbers(data["issues"])))
        found = {
            issue.number: issue
            for issue in Issue.objects.visible_to(request.user).filter(number__in=numbers)
        }
        if not found:
            raise DomainError(
                _("找不到这些问题（或不在你的范围内）：%(n)s") % {"n": ", ".join(numbers)},
                field="issues",
            )
        already = [n for n in numbers if n in found and found[n].systemic_issue_id == systemic.pk]
        unknown = [n for n in numbers if n not in found]
        count = services.group_into_systemic(
            systemic=systemic, issues=list(found.values()), actor=request.user
        )
        # Say why a number was not added: already in it, or not found (invisible issues
        # read as not found: their existence does not leak).
        parts = [_("已归入 %(n)d 个问题。") % {"n": count}]
        if already:
            parts.append(_("已在本系统性问题中：%(n)s。") % {"n": ", ".join(already)})
        if unknown:
            parts.append(_("找不到或不在你的范围内：%(n)s。") % {"n": ", ".join(unknown)})
        return "".join(parts)

    return _change(request, pk, AddIssuesForm, _("请填写问题编号。"), group)


@login_required
@require_POST
def systemic_status(request, pk):
    def move(systemic, data):
        services.set_systemic_status(systemic=systemic, actor=request.user, status=data["status"])
        return _("状态已更新。")

    return _change(request, pk, StatusForm, _("请选择状态。"), move)
