"""Pages of the dashboards: the role home pages, the KPI board, the process metrics, their
Excel export, KPI targets and the rollout view. Thin: every figure comes from ``board``,
``metrics``, ``meetings`` and ``rollout``, scoped by ``visible_to``; every change goes
through ``services``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext as _

from closedloop.errors import DomainError
from closedloop.org.models import Store
from closedloop.web import forbidden
from issues.choices import OPEN_STATUSES, Status
from issues.models import Issue
from issues.selectors import mine_q, overdue_q

from . import exports, meetings, metrics, policy, rectification, rollout, services, tables
from .board import build_board, build_process
from .choices import METRIC_INFO, Metric, PeriodKind, Unit
from .forms import BoardFilterForm, KpiTargetForm
from .models import ActionItem, KpiTarget
from .periods import Period, local_date, month, week

HOME_LIST = 8


def _query(period: Period, slices=None, **extra) -> str:
    params = dict(period.query())
    if period.kind == PeriodKind.WEEK:
        params["kind"] = PeriodKind.WEEK
    elif period.kind == PeriodKind.RANGE:
        params["kind"] = PeriodKind.RANGE
    if slices is not None:
        params.update(slices.query())
    params.update({k: v for k, v in extra.items() if v})
    return "?" + urlencode(params)


def _filters(request, now):
    form = BoardFilterForm(request.GET or None, now=now)
    if form.is_bound:
        form.is_valid()
    period, slices = form.result()
    return form, period, slices


def _period_nav(period: Period, slices) -> dict:
    kinds = []
    for kind, label in PeriodKind.choices:
        if kind == PeriodKind.RANGE:
            target = period if period.kind == PeriodKind.RANGE else None
            query = (
                _query(target, slices)
                if target
                else "?" + urlencode({"kind": kind, **slices.query()})
            )
        elif kind == PeriodKind.WEEK:
            query = _query(week(period.last_day), slices)
        else:
            query = _query(month(period.last_day), slices)
        kinds.append({"kind": kind, "label": label, "query": query, "active": kind == period.kind})
    return {
        "previous": _query(period.previous(), slices),
        "following": _query(period.following(), slices),
        "kinds": kinds,
    }


# --- the KPI board ------------------------------------------------------------------------


@login_required
def board(request):
    user = request.user
    if not policy.can_view_board(user):
        return forbidden(request, _("KPI 看板只对总部人员开放。"))
    now = timezone.now()
    form, period, slices = _filters(request, now)
    result = build_board(user, period, slices, now=now)
    return render(
        request,
        "dashboards/board.html",
        {
            "board": result,
            "form": form,
            "nav": _period_nav(period, slices),
            "query": _query(period, slices),
            "can_set_targets": policy.can_set_targets(user),
            "meeting_table": tables.meeting_table(result),
            "response_table": tables.response_table(result),
        },
    )


@login_required
def process(request):
    user = request.user
    if not policy.can_view_board(user):
        return forbidden(request, _("过程指标只对总部人员开放。"))
    now = timezone.now()
    form, period, slices = _filters(request, now)
    result = build_process(user, period, slices, now=now)
    return render(
        request,
        "dashboards/process.html",
        {
            "process": result,
            "board": result.board,
            "tables": tables.process_tables(result),
            "form": form,
            "nav": _period_nav(period, slices),
            "query": _query(period, slices),
            "rectification_enabled": result.board.rectification is not None,
            "store_metrics_enabled": result.store_series is not None,
        },
    )


@login_required
def export(request):
    """The tables of the board or the process page as an Excel workbook (``?table=``
    for one of them)."""
    user = request.user
    if not policy.can_view_board(user):
        return forbidden(request, _("KPI 看板只对总部人员开放。"))
    now = timezone.now()
    form, period, slices = _filters(request, now)
    page = request.GET.get("page", "board")
    if page == "process":
        result = build_process(user, period, slices, now=now)
        wanted = tables.process_tables(result)
        name = _("过程指标")
    else:
        result = build_board(user, period, slices, now=now)
        wanted = [
            tables.board_table(result),
            tables.response_table(result),
            tables.department_table(result),
            tables.meeting_table(result),
        ]
        name = _("KPI看板")
    key = request.GET.get("table")
    if key:
        wanted = [t for t in wanted if t.key == key] or wanted
    subtitle = period.label
    if slices.active:
        subtitle += " · " + " ".join(f"{k}={v}" for k, v in slices.query().items())
    response = HttpResponse(
        exports.write_tables(wanted, subtitle=subtitle), content_type=exports.XLSX_CONTENT_TYPE
    )
    filename = f"{name}-{period.code.replace('..', '_')}{'-' + key if key else ''}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


# --- KPI targets ----------------------------------------------------------------------------


def _target_rows(targets):
    rows = []
    for target in targets:
        unit = METRIC_INFO[target.metric][0]
        rows.append({"target": target, "unit": unit})
    return rows


@login_required
def targets(request):
    user = request.user
    if not policy.can_view_targets(user):
        return forbidden(request, _("KPI 目标只对总部人员开放。"))
    can_edit = policy.can_set_targets(user)
    form = KpiTargetForm(
        request.POST or None,
        initial={"valid_from": local_date(timezone.now()).replace(day=1)},
    )
    if request.method == "POST":
        if not can_edit:
            return forbidden(request, _("只有运营负责人可以设置 KPI 目标。"))
        if form.is_valid():
            try:
                target, created = services.set_kpi_target(actor=user, **form.service_kwargs())
            except DomainError as exc:
                field = {"from": "valid_from"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(
                    request,
                    _("已设置“%(m)s”自 %(d)s 起的目标。")
                    % {"m": target.get_metric_display(), "d": target.valid_from},
                )
                return redirect("dashboards:targets")
    history = KpiTarget.objects.select_related("set_by").order_by("metric", "-valid_from")
    in_force = {t.pk for t in KpiTarget.objects.in_force(local_date(timezone.now()))}
    return render(
        request,
        "dashboards/targets.html",
        {
            "form": form if can_edit else None,
            "rows": _target_rows(history),
            "in_force": in_force,
            "rate_metrics": [m for m in Metric.values if METRIC_INFO[m][0] == Unit.RATE],
        },
        status=200,
    )


# --- rollout ------------------------------------------------------------------------------


@login_required
def rollout_view(request):
    user = request.user
    if not policy.can_view_rollout(user):
        return forbidden(request, _("推广看板只对总部人员开放。"))
    return render(
        request,
        "dashboards/rollout.html",
        {
            "batches": rollout.batches(user),
            "window_days": rollout.ROLLOUT_WINDOW_DAYS,
            "satisfaction_enabled": rollout.store_metrics.available(),
        },
    )


# --- role home pages ----------------------------------------------------------------------


def _store_home(request, context):
    user = request.user
    store = user.store
    mine = Issue.objects.visible_to(user)
    mine = mine.filter(store=store) if store else mine.filter(submitted_by=user)
    waiting = Q(status__in=[Status.WAITING_FOR_STORE, Status.RESOLVED])
    counts = mine.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        waiting=Count("pk", filter=waiting),
    )
    context.update(
        {
            "counts": counts,
            "waiting_issues": list(
                mine.filter(waiting).select_related("department").order_by("updated_at")[:HOME_LIST]
            ),
            "open_issues": list(
                mine.filter(status__in=OPEN_STATUSES)
                .exclude(status=Status.WAITING_FOR_STORE)
                .select_related("department")
                .order_by("-submitted_at")[:HOME_LIST]
            ),
        }
    )


def _ops_home(request, context):
    user = request.user
    now = timezone.now()
    visible = Issue.objects.visible_to(user)
    queue = visible.filter(status=Status.SUBMITTED)
    counts = visible.aggregate(
        triage=Count("pk", filter=Q(status=Status.SUBMITTED)),
        overdue=Count("pk", filter=overdue_q(now, soon_hours=0)),
    )
    projects = rectification.visible_projects(user)
    if projects is not None:
        projects = projects.filter(**{rectification.FIELDS["ops"]: user})
    context.update(
        {
            "counts": counts,
            "queue": list(
                queue.select_related("store", "department").order_by("submitted_at", "pk")[
                    :HOME_LIST
                ]
            ),
            "tracking_due": rectification.tracking_due(projects, local_date(now)),
            "red_projects": rectification.red_projects(projects),
            "rectification_enabled": projects is not None,
        }
    )


SLA_STATES = ("breached", "soon", "paused", "running")


def _department_home(request, context):
    user = request.user
    now = timezone.now()
    items = Issue.objects.visible_to(user).filter(mine_q(user), status__in=OPEN_STATUSES)
    breached = overdue_q(now, soon_hours=0)
    soon = overdue_q(now) & ~breached
    paused = Q(status=Status.WAITING_FOR_STORE)
    counts = items.aggregate(
        all=Count("pk"),
        breached=Count("pk", filter=breached),
        soon=Count("pk", filter=soon),
        paused=Count("pk", filter=paused),
    )
    counts["running"] = counts["all"] - counts["breached"] - counts["soon"] - counts["paused"]
    urgent = list(
        items.filter(breached | soon)
        .select_related("store", "department")
        .order_by("next_due", "pk")  # a stored column of the issue (issue 9)[:HOME_LIST]
    )
    this_month = month(local_date(now))
    response = None
    if user.department_id:
        scoped = metrics.counted_issues(user).filter(department_id=user.department_id)
        rows = metrics.department_response(scoped, this_month, now=now)
        response = rows[0] if rows else None
    context.update(
        {
            "counts": counts,
            "urgent": urgent,
            "response": response,
            "month": this_month,
            "my_actions": list(
                ActionItem.objects.visible_to(user)
                .open()
                .filter(owner=user)
                .select_related("issue")
                .order_by("due_on", "pk")[:HOME_LIST]
            ),
        }
    )


def _board_home(request, context):
    user = request.user
    now = timezone.now()
    period = month(local_date(now))
    result = build_board(user, period, now=now, departments=False)
    context.update(
        {
            "board": result,
            "query": _query(period),
            "read_only": user.is_read_only or not policy.can_set_targets(user),
            "next_meeting": meetings.upcoming(now) if policy.can_view_meetings(user) else None,
        }
    )


HOME_BUILDERS = {
    "store": _store_home,
    "ops": _ops_home,
    "department": _department_home,
    "board": _board_home,
}


@login_required
def home(request):
    """The home page of each role (closedloop.org.views.home delegates here)."""
    user = request.user
    kind = policy.home_kind(user)
    context = {
        "home_kind": kind,
        "store_count": Store.objects.visible_to(user).count(),
        "my_store": user.store,
    }
    builder = HOME_BUILDERS.get(kind)
    if builder is not None:
        builder(request, context)
    return render(request, "dashboards/home.html", context)
