"""Pages of the integration, for the quality lead: API tokens, webhooks with their delivery
log, the migration import, and the store metric definitions. Thin: the services decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from closedloop.core.excel import template_response
from closedloop.errors import DomainError

from . import policy
from .choices import DeliveryStatus, ImportStatus
from .filtersets import ApiTokenFilterSet, WebhookDeliveryFilterSet
from .forms import ImportMappingForm, ImportUploadForm, TokenForm, WebhookForm
from .models import (
    ApiToken,
    IssueImport,
    MetricAlert,
    MetricDefinition,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
    is_integration_admin,
)
from .services import imports, tokens, webhooks

PAGE_SIZE = 50


def _require_admin(user) -> None:
    if not is_integration_admin(user):
        raise PermissionDenied


def _form_errors(form, exc: DomainError) -> None:
    """Put a service's field errors on the form fields (others on the form)."""
    for field, problems in (exc.errors or {exc.field or None: [exc.message]}).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, str(problem))


# --- tokens ------------------------------------------------------------------------------


@login_required
def token_list(request):
    _require_admin(request.user)
    new_key = None
    form = TokenForm()
    status = 200
    if request.method == "POST":
        if not policy.can_manage_tokens(request.user):
            raise PermissionDenied
        form = TokenForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                token, new_key = tokens.issue_token(
                    user=data["user"],
                    scopes=data["scopes"],
                    stores=data["stores"],
                    regions=[r.code for r in data["regions"]],
                    days=data["days"],
                    name=data["name"],
                    throttle_rate=data["throttle_rate"],
                    actor=request.user,
                )
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(c)s 创建令牌 %(p)s…，请立即复制，关闭页面后无法再查看。")
                    % {"c": token.user, "p": token.prefix},
                )
                form = TokenForm()
        if new_key is None:
            status = 400
    base = (
        ApiToken.objects.visible_to(request.user)
        .select_related("user", "created_by")
        .prefetch_related("stores", "regions")
        .order_by("-created_at", "-pk")
    )
    filterset = ApiTokenFilterSet(request.GET, queryset=base)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/tokens.html",
        {
            "tab": "tokens",
            "form": form,
            "new_key": new_key,
            "page": page,
            "filterset": filterset,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, pk):
    _require_admin(request.user)
    token = get_object_or_404(ApiToken.objects.visible_to(request.user), pk=pk)
    try:
        tokens.revoke_token(token=token, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("令牌 %(p)s… 已吊销。") % {"p": token.prefix})
    return redirect("integrations:tokens")


# --- webhooks ----------------------------------------------------------------------------


@login_required
def webhook_list(request):
    _require_admin(request.user)
    created = None
    form = WebhookForm()
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                created = webhooks.create_subscription(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                form = WebhookForm()
        if created is None:
            status = 400
    subscriptions = (
        WebhookSubscription.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            waiting=Count(
                "deliveries",
                filter=Q(deliveries__status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]),
            ),
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(subscriptions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhooks.html",
        {"tab": "webhooks", "form": form, "created": created, "page": page},
        status=status,
    )


def _subscription(request, pk) -> WebhookSubscription:
    _require_admin(request.user)
    return get_object_or_404(
        WebhookSubscription.objects.visible_to(request.user).select_related("owner"), pk=pk
    )


@login_required
def webhook_detail(request, pk):
    subscription = _subscription(request, pk)
    deliveries = WebhookDelivery.objects.filter(subscription=subscription).prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "pk"))
    )
    filterset = WebhookDeliveryFilterSet(
        request.GET, queryset=deliveries.order_by("-created_at", "-pk")
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "tab": "webhooks",
            "subscription": subscription,
            "page": page,
            "filterset": filterset,
            "statuses": DeliveryStatus.choices,
        },
    )


@login_required
@require_POST
def webhook_toggle(request, pk):
    subscription = _subscription(request, pk)
    try:
        webhooks.update_subscription(
            subscription=subscription, actor=request.user, active=not subscription.active
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("订阅已停用。") if subscription.active else _("订阅已启用，失败次数已清零。")
        )
    return redirect("integrations:webhook_detail", pk=subscription.pk)


@login_required
@require_POST
def webhook_delete(request, pk):
    subscription = _subscription(request, pk)
    try:
        webhooks.delete_subscription(subscription=subscription, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("integrations:webhook_detail", pk=subscription.pk)
    messages.success(request, _("订阅已删除。"))
    return redirect("integrations:webhooks")


@login_required
@require_POST
def webhook_redeliver(request, pk, delivery_id):
    subscription = _subscription(request, pk)
    delivery = subscription.deliveries.filter(delivery_id=delivery_id).first()
    if delivery is None:
        raise Http404
    try:
        webhooks.redeliver(delivery=delivery, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已重新发送，结果见投递记录。"))
    return redirect("integrations:webhook_detail", pk=subscription.pk)


# --- import ------------------------------------------------------------------------------


@login_required
def import_list(request):
    _require_admin(request.user)
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                record = imports.upload(actor=request.user, file=form.cleaned_data["file"])
            except DomainError as exc:
                _form_errors(form, exc)
            else:
                return redirect("integrations:import_detail", pk=record.pk)
    records = IssueImport.objects.visible_to(request.user).select_related("uploaded_by")
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/imports.html",
        {"tab": "imports", "form": form, "page": page, "columns": imports.COLUMNS},
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, pk):
    _require_admin(request.user)
    record = get_object_or_404(IssueImport.objects.visible_to(request.user), pk=pk)
    form = ImportMappingForm(
        request.POST or None, headers=record.headers, initial_mapping=record.mapping
    )
    report = None
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        if record.status == ImportStatus.IMPORTED and not dry_run:
            messages.info(request, _("这份文件已导入；再次导入会按问题编号更新。"))
        try:
            report = imports.process(
                record=record, actor=request.user, mapping=form.mapping(), dry_run=dry_run
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            if report.ok and not dry_run:
                messages.success(
                    request,
                    _("导入完成：新增 %(c)d 个问题，更新 %(u)d 个。")
                    % {"c": report.created, "u": report.updated},
                )
                return redirect("integrations:import_detail", pk=record.pk)
    return render(
        request,
        "integrations/import_detail.html",
        {
            "tab": "imports",
            "record": record,
            "form": form,
            "report": report,
            "errors": report.errors if report else record.errors,
        },
        status=400 if report is not None and not report.ok else 200,
    )


@login_required
def import_template(request):
    """An empty workbook with the columns of the import."""
    _require_admin(request.user)

    headers = [titles[0] for titles in imports.COLUMNS.values()]
    return template_response([("问题", headers)], "issue-import-template.xlsx")


# --- metrics -----------------------------------------------------------------------------


@login_required
def metric_list(request):
    _require_admin(request.user)
    definitions = MetricDefinition.objects.all()
    alerts = MetricAlert.objects.select_related("store", "metric", "issue").order_by(
        "-opened_at", "-pk"
    )
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/metrics.html",
        {"tab": "metrics", "definitions": definitions, "page": page},
    )
