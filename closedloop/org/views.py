"""Pages of the organisation: home, store directory, Excel import, language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.core.excel import template_response
from closedloop.errors import DomainError
from closedloop.web import gate, safe_next

from . import policy
from .filtersets import StoreFilterSet
from .forms import LanguageForm, OrgImportForm
from .models import Store, User
from .services import STORE_COLUMNS, USER_COLUMNS, import_org

stores_gate = gate(
    policy.can_view_stores, gettext_lazy("门店目录只对员工开放，接口客户端请使用 API。")
)
import_gate = gate(policy.can_import_org, gettext_lazy("只有服务质量负责人可以导入组织数据。"))


@login_required
def home(request):
    from django.apps import apps

    if apps.is_installed("dashboards"):
        # Each role's home page (my store's items, the triage queue, the board …).
        from dashboards.views import home as role_home

        return role_home(request)
    stores = Store.objects.visible_to(request.user)
    return render(
        request,
        "home.html",
        {"store_count": stores.count(), "my_store": request.user.store},
    )


@login_required
@stores_gate
def store_list(request):
    base = Store.objects.visible_to(request.user).select_related("region")
    filterset = StoreFilterSet(request.GET, queryset=base)
    stores = filterset.qs.order_by("region__code", "code")
    page = Paginator(stores, 50).get_page(request.GET.get("page"))
    return render(request, "org/store_list.html", {"page": page, "filterset": filterset})


@login_required
@stores_gate
def store_detail(request, code):
    store = get_object_or_404(
        Store.objects.visible_to(request.user).select_related("region"), code=code
    )
    staff = User.objects.visible_to(request.user).filter(store=store)
    return render(request, "org/store_detail.html", {"store": store, "staff": staff})


@login_required
@import_gate
def org_import(request):
    result = None
    if request.method == "POST":
        form = OrgImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                result = import_org(form.cleaned_data["file"], actor=request.user)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                if result.ok:
                    messages.success(
                        request,
                        _("导入成功：门店新增 %(sc)d、更新 %(su)d；用户新增 %(uc)d、更新 %(uu)d。")
                        % {
                            "sc": result.created["stores"],
                            "su": result.updated["stores"],
                            "uc": result.created["users"],
                            "uu": result.updated["users"],
                        },
                    )
                    return redirect("org:import")
    else:
        form = OrgImportForm()
    return render(request, "org/import.html", {"form": form, "result": result})


@login_required
@import_gate
def org_import_template(request):
    """An empty workbook with the expected sheets and column titles."""

    return template_response(
        [
            ("门店", [aliases[0] for aliases in STORE_COLUMNS.values()]),
            ("用户", [aliases[0] for aliases in USER_COLUMNS.values()]),
        ],
        "org-import-template.xlsx",
    )


@login_required
@require_POST
def set_language(request):
    form = LanguageForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
    return redirect(safe_next(request, default="/"))
