"""Pages of rectification projects: my projects, the board (with its Excel export), the
kick-off form (create and edit with the 5-Why editor), the project page, the phone form
for a tracking record, the printable kick-off (PDF) and the evidence photos.

Views are thin: every queryset starts from ``Project.objects.visible_to(request.user)``
(an invisible project is a 404), every change goes through a service function, and a
refused change (``DomainError``) is shown on the page next to its field — nothing
changes, never a 500."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from closedloop.core.queries import ids_first_page
from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import Role
from closedloop.org.models import User

from . import exports, pdf, policy, rules, services
from .choices import (
    FINISHED_STATUSES,
    Action,
    Health,
    MeasureStatus,
    SignRole,
    Status,
    TrackingMethod,
)
from .forms import (
    BoardFilterSet,
    CadenceForm,
    CancelForm,
    DifficultyFormSet,
    GoalFormSet,
    InProgressFormSet,
    MeasureFormSet,
    MeasureUpdateForm,
    ProjectForm,
    SolutionFormSet,
    TrackingLogForm,
    WhyFormSet,
)
from .models import Project, Why
from .selectors import LIST_RELATED, detail_queryset, latest_readings, list_queryset

PAGE_SIZE = 30
STATUS_RANK = Case(
    *[When(status=s, then=Value(i)) for i, s in enumerate(Status.values)],
    output_field=IntegerField(),
)
HEALTH_RANK = Case(
    When(health=Health.RED, then=Value(0)),
    When(health=Health.YELLOW, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
#: DomainError subclasses and the HTTP status of the page that explains them.
ERROR_STATUS = ((PermissionDenied, 403), (InvalidTransition, 409))


def _forbidden(request, message, status=403):
    return render(request, "rectification/refused.html", {"message": message}, status=status)


def _project(request, number, queryset=None) -> Project:
    if not services.is_number(number) or not policy.can_view_board(request.user):
        raise Http404
    queryset = queryset if queryset is not None else Project.objects.visible_to(request.user)
    return get_object_or_404(queryset.select_related("store__region"), number=number)


def _error_status(exc: DomainError) -> int:
    return next((code for cls, code in ERROR_STATUS if isinstance(exc, cls)), 200)


def _place_errors(exc: DomainError, form, lists: dict | None = None) -> None:
    """Put a service's refusal next to the field it names (``goals[1].target`` → row 2 of
    the goals, field target), or above the form."""
    lists = lists or {}
    placed = False
    for path, messages_ in (
        exc.errors or ({exc.field: [exc.message]} if exc.field else {})
    ).items():
        for message in messages_:
            match = re.fullmatch(r"(\w+)\[(\d+)\]\.(\w+)", path or "")
            if match and match[1] in lists:
                rows = lists[match[1]]
                index = int(match[2])
                if index < len(rows):
                    row = rows[index]
                    row.add_error(match[3] if match[3] in row.fields else None, str(message))
                    placed = True
                    continue
            field = form.field_for(path) if path else None
            form.add_error(field, str(message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- lists -----------------------------------------------------------------------------


def _annotated(queryset, today):
    late = Q(measures__deadline__lt=today) & ~Q(measures__status=MeasureStatus.DONE)
    return queryset.annotate(late_measures=Count("measures", filter=late, distinct=True))


@login_required
def board(request):
    """整改看板: every visible project by state and health, with filters and export."""
    if not policy.can_view_board(request.user):
        raise Http404
    today = timezone.localdate()
    filterset = BoardFilterSet(
        request.GET or None, queryset=list_queryset(request.user), request=request
    )
    rows = filterset.qs
    summary = {
        (row["status"], row["health"]): row["n"]
        for row in rows.order_by().values("status", "health").annotate(n=Count("pk"))
    }
    matrix = []
    for status in Status:
        counts = [summary.get((status.value, health.value), 0) for health in Health]
        if sum(counts):
            matrix.append({"status": status, "counts": list(zip(Health, counts, strict=True))})
    totals = {
        health: sum(summary.get((s, health.value), 0) for s in Status.values) for health in Health
    }
    # The page's ids from the narrow rows, the late measures counted for those only.
    page = ids_first_page(
        rows.order_by(STATUS_RANK, HEALTH_RANK, "next_tracking_on", "-pk"),
        request.GET.get("page"),
        PAGE_SIZE,
        lambda page_rows: _annotated(page_rows.select_related(*LIST_RELATED), today),
    )
    _decorate(page.object_list, today)
    context = {
        "filterset": filterset,
        "page": page,
        "matrix": matrix,
        "totals": totals,
        "total": sum(totals.values()),
        "today": today,
        "can_create": policy.can_create(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "rectification/board.html", context)


def _decorate(projects, today) -> None:
    for project in projects:
        project.tracking_late = rules.tracking_late(project.status, project.next_tracking_on, today)
        project.reason_texts = [rules.reason_text(r) for r in project.health_reasons]


@login_required
def export(request):
    if not policy.can_view_board(request.user):
        raise Http404
    today = timezone.localdate()
    filterset = BoardFilterSet(
        request.GET or None, queryset=list_queryset(request.user), request=request
    )
    rows = _annotated(filterset.qs, today).order_by(STATUS_RANK, HEALTH_RANK, "-pk")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(
        exports.write_projects(rows, today=today),
        as_attachment=True,
        filename=f"整改项目-{stamp}.xlsx",
        content_type=exports.XLSX_CONTENT_TYPE,
    )


def my_projects_context(user, *, limit=None) -> dict:
    """我的整改项目: what the person runs (tracking due first) and what awaits their
    signature. Shared by the page and the home block."""
    today = timezone.localdate()
    base = list_queryset(user)
    due_first = Case(
        When(status=Status.EXECUTING, next_tracking_on__lte=today, then=Value(0)),
        When(status=Status.EXECUTING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    running = (
        base.filter(services.mine_q(user))
        .exclude(status__in=FINISHED_STATUSES)
        .order_by(due_first, "next_tracking_on", HEALTH_RANK, "-pk")
    )
    to_sign = base.filter(services.awaiting_signature_q(user)).order_by("created_at", "pk")
    running = list(running[:limit] if limit else running)
    to_sign = list(to_sign[:limit] if limit else to_sign)
    _decorate(running, today)
    for project in running:
        project.can_track = project.status == Status.EXECUTING and policy.can(
            user, Action.TRACK, project
        )
        project.due_today = project.status == Status.EXECUTING and (
            project.next_tracking_on is not None and project.next_tracking_on <= today
        )
    return {"running": running, "to_sign": to_sign, "today": today}


@login_required
def mine(request):
    if not policy.can_view_mine(request.user):
        raise Http404
    context = my_projects_context(request.user)
    context["can_create"] = policy.can_create(request.user)
    return render(request, "rectification/mine.html", context)


# --- kick-off form ---------------------------------------------------------------------


def _owners(user):
    return (
        User.objects.visible_to(user)
        .filter(is_active=True)
        .exclude(role__in=[Role.API_CLIENT, Role.EXECUTIVE])
        .order_by("role", "username")
    )


def _kickoff_forms(request, *, project=None, initial=None, rows=None):
    post = request.method == "POST"
    data = request.POST if post else None
    files = request.FILES if post else None
    user = request.user
    rows = rows or {}
    form = ProjectForm(data, user=user, project=project, initial=initial or {})
    whys = WhyFormSet(data, files, prefix="whys", initial=rows.get("whys"))
    goals = GoalFormSet(data, prefix="goals", initial=rows.get("goals"))
    measures = MeasureFormSet(
        data, prefix="measures", initial=rows.get("measures"), form_kwargs={"owners": _owners(user)}
    )
    return form, whys, goals, measures


def _kickoff_data(form, whys, goals, measures) -> tuple[dict, dict]:
    data = form.to_data()
    rows = {"whys": whys.rows(), "goals": goals.rows(), "measures": measures.rows()}
    data["whys"] = [
        {
            "id": f.cleaned_data.get("id"),
            "why": f.cleaned_data.get("why"),
            "because": f.cleaned_data.get("because"),
            "evidence": f.cleaned_data.get("evidence"),
            "photo": f.cleaned_data.get("photo"),
            "clear_photo": f.cleaned_data.get("clear_photo"),
        }
        for f in rows["whys"]
    ]
    data["goals"] = [{key: f.cleaned_data.get(key) for key in GOAL_KEYS} for f in rows["goals"]]
    data["measures"] = [
        {key: f.cleaned_data.get(key) for key in MEASURE_KEYS} for f in rows["measures"]
    ]
    return data, rows


GOAL_KEYS = ("id", "name", "unit", "baseline", "target", "direction", "method", "core")
MEASURE_KEYS = ("id", "text", "kind", "owner", "owner_name", "start_on", "deadline")


def _render_kickoff(request, *, form, whys, goals, measures, project=None, issue=None):
    existing = {w.pk: w for w in project.whys.all()} if project else {}
    for row in whys:
        row.existing = existing.get(row.initial.get("id"))
    return render(
        request,
        "rectification/kickoff_form.html",
        {
            "form": form,
            "whys": whys,
            "goals": goals,
            "measures": measures,
            "project": project,
            "issue": issue,
        },
    )


def _blank_rows():
    return {"whys": [{}] * 5, "goals": [{"core": True}] * 2, "measures": [{}] * 3}


@login_required
def create(request):
    """发起整改项目: blank, or ``?issue=ISS-…`` pre-filled from the issue."""
    user = request.user
    if not policy.can_create(user):
        return _forbidden(request, _("只有运营专员或运营负责人可以发起整改项目。"))
    initial = {"found_on": timezone.localdate()}
    if user.role == Role.OPS_SPECIALIST:
        initial["ops_specialist"] = user.pk
    number = request.GET.get("issue") or request.POST.get("issue")
    issue = None
    if number:
        from issues.models import Issue

        issue = (
            Issue.objects.visible_to(user).filter(number=number[:20].replace("\x00", "")).first()
        )
        if issue is None:
            raise Http404
        prefill = services.prefill_from_issue(issue)
        initial.update(
            issue=issue.number,
            store=issue.store_id,
            title=prefill["title"],
            problem=prefill["problem"],
            found_on=prefill["found_on"],
            level=prefill["level"],
        )
    form, whys, goals, measures = _kickoff_forms(request, initial=initial, rows=_blank_rows())
    if request.method == "POST" and all(f.is_valid() for f in (form, whys, goals, measures)):
        data, rows = _kickoff_data(form, whys, goals, measures)
        try:
            project = services.create_project(actor=user, data=data)
        except DomainError as exc:
            if _error_status(exc) != 200:
                return _forbidden(request, exc.message, _error_status(exc))
            _place_errors(exc, form, rows)
        else:
            messages.success(
                request,
                _("已创建整改项目 %(n)s。请完善启动表后请三方签字。") % {"n": project.number},
            )
            return redirect(project.get_absolute_url())
    return _render_kickoff(
        request, form=form, whys=whys, goals=goals, measures=measures, issue=issue
    )


def _rows_of(project) -> dict:
    return {
        "whys": [
            {"id": w.pk, "why": w.question, "because": w.answer, "evidence": w.evidence}
            for w in project.whys.all()
        ],
        "goals": [
            {
                "id": g.pk,
                "name": g.name,
                "unit": g.unit,
                "baseline": g.baseline,
                "target": g.target,
                "direction": g.direction,
                "method": g.method,
                "core": g.core,
            }
            for g in project.goals.all()
        ],
        "measures": [
            {
                "id": m.pk,
                "text": m.text,
                "kind": m.kind,
                "owner": m.owner_id,
                "owner_name": m.owner_name,
                "start_on": m.start_on,
                "deadline": m.deadline,
            }
            for m in project.measures.all()
        ],
    }


@login_required
def edit(request, number):
    """修改启动表 (drafts only; editing withdraws the signatures already given)."""
    project = _project(request, number, detail_queryset(request.user))
    if not policy.can(request.user, Action.EDIT, project):
        return _forbidden(request, _("只有项目的运营专家可以修改启动表。"))
    if project.status != Status.DRAFT:
        return _forbidden(
            request, _("项目已签字启动，启动表不能再修改（措施进度可在项目页更新）。"), 409
        )
    form, whys, goals, measures = _kickoff_forms(
        request, project=project, initial=ProjectForm.initial_for(project), rows=_rows_of(project)
    )
    if request.method == "POST" and all(f.is_valid() for f in (form, whys, goals, measures)):
        data, rows = _kickoff_data(form, whys, goals, measures)
        try:
            services.update_project(project=project, actor=request.user, data=data)
        except DomainError as exc:
            if _error_status(exc) != 200:
                return _forbidden(request, exc.message, _error_status(exc))
            _place_errors(exc, form, rows)
        else:
            messages.success(request, _("启动表已保存。"))
            return redirect(project.get_absolute_url())
    return _render_kickoff(
        request, form=form, whys=whys, goals=goals, measures=measures, project=project
    )


# --- the project page ------------------------------------------------------------------


def gantt(project, measures, today) -> dict:
    """Measures as bars from start to deadline on one time axis (percent positions)."""
    days = [m.start_on for m in measures] + [m.deadline for m in measures]
    days += [d for d in (project.start_on, project.execution_to) if d]
    if not days:
        return {"rows": [], "ticks": []}
    first, last = min(days), max(days)
    if first <= today <= last + dt.timedelta(days=3):
        last = max(last, today)
    span = (last - first).days + 1

    def pos(day):
        return round(100 * (day - first).days / span, 2)

    rows = []
    for m in measures:
        late = rules.measure_late(m.status, m.deadline, today)
        rows.append(
            {
                "measure": m,
                "left": pos(m.start_on),
                "width": max(round(100 * ((m.deadline - m.start_on).days + 1) / span, 2), 1.5),
                "late": late,
                "late_days": (today - m.deadline).days if late else 0,
            }
        )
    # Five dates on the axis at most (first, last and evenly between): readable on a phone.
    step = max(1, -(-(span - 1) // 4))
    offsets = sorted({*range(0, span - 1, step), span - 1})
    if len(offsets) > 2 and offsets[-1] - offsets[-2] < step:
        offsets.pop(-2)  # too close to the last date
    ticks = [
        {
            "left": pos(first + dt.timedelta(days=n)),
            "day": first + dt.timedelta(days=n),
            "align": "start" if n == 0 else ("end" if n == span - 1 else "middle"),
        }
        for n in offsets
    ]
    today_left = pos(today) if first <= today <= last else None
    return {"rows": rows, "ticks": ticks, "today": today_left, "first": first, "last": last}


def charts(project, goals, logs) -> list[dict]:
    """One chart per goal: baseline, target line, the readings over time."""
    series = {goal.pk: [] for goal in goals}
    for log in logs:
        for reading in log.readings.all():
            if reading.goal_id in series:
                series[reading.goal_id].append([log.date.isoformat(), float(reading.value)])
    return [
        {
            "id": goal.pk,
            "dom_id": f"goal-{goal.pk}",
            "name": goal.name,
            "unit": goal.unit,
            "baseline": float(goal.baseline) if goal.baseline is not None else None,
            "target": float(goal.target),
            "direction": goal.direction,
            "core": goal.core,
            "points": series[goal.pk],
            "labels": {"baseline": _("基线"), "target": _("目标"), "actual": _("实际")},
        }
        for goal in goals
    ]


def _signature_rows(project, signoffs):
    by_role = {s.role: s for s in signoffs}
    return [{"role": role, "signoff": by_role.get(role.value)} for role in SignRole]


@login_required
def detail(request, number, *, bound=None, status=200):
    project = _project(request, number, detail_queryset(request.user))
    return _render_detail(request, project, bound=bound, status=status)


def _render_detail(request, project, *, bound=None, status=200):
    user = request.user
    today = timezone.localdate()
    actions = services.actions_for(project, user)
    measures = list(project.measures.all())
    logs = list(project.tracking_logs.all())
    goals = list(project.goals.all())
    signoffs = list(project.signoffs.all())
    latest = latest_readings(project)
    for goal in goals:
        goal.current = latest.get(goal.pk)
    measure_forms = {}
    if Action.UPDATE_MEASURE in actions:
        for measure in measures:
            if policy.can_update_measure(user, measure, project):
                measure_forms[measure.pk] = MeasureUpdateForm(
                    initial={
                        "status": measure.status,
                        "progress": measure.progress,
                        "deadline": measure.deadline,
                    },
                    prefix=f"m{measure.pk}",
                )
    if bound and bound[0].startswith("measure-"):
        measure_forms[int(bound[0].split("-")[1])] = bound[1]
    runs = policy.runs(user, project)
    timeline = gantt(project, measures, today)
    for row in timeline["rows"]:
        form = measure_forms.get(row["measure"].pk)
        if form is not None and not runs:
            form.fields.pop("deadline", None)  # only the project's ops moves a deadline
        row["form"] = form
        row["open"] = bool(bound) and bound[0] == f"measure-{row['measure'].pk}"
    events = list(project.events.all())
    for event in events:
        event.label = Action(event.action).label if event.action in Action.values else event.action
        event.from_label = Status(event.from_status).label if event.from_status else ""
        event.to_label = Status(event.to_status).label if event.to_status else ""
        if event.action == Action.SIGN:
            event.role_label = SignRole(event.data.get("role")).label
        if event.action == Action.HEALTH:
            event.health_from = Health(event.data["from"]).label
            event.health_to = Health(event.data["to"]).label
    context = {
        "project": project,
        "actions": actions,
        "can_update_measures": bool(measure_forms),
        "measure_forms": measure_forms,
        "gantt": timeline,
        "method_labels": [TrackingMethod(m).label for m in project.tracking_methods],
        "charts": charts(project, goals, logs),
        "goals": goals,
        "logs": list(reversed(logs)),
        "signatures": _signature_rows(project, signoffs),
        "missing": services.missing_for_signature(project) if Action.SIGN in actions else {},
        "events": list(reversed(events)),
        "reason_texts": [rules.reason_text(r) for r in project.health_reasons],
        "cancel_form": bound[1] if bound and bound[0] == "cancel" else CancelForm(),
        "cadence_form": (
            bound[1]
            if bound and bound[0] == "cadence"
            else CadenceForm(
                initial={
                    "execution_every_days": project.execution_every_days,
                    "observation_every_days": project.observation_every_days,
                }
            )
        ),
        "open_form": bound[0] if bound else "",
        "today": today,
        "tracking_late": rules.tracking_late(project.status, project.next_tracking_on, today),
    }
    from .acceptance_views import detail_context

    context.update(detail_context(project, user))
    return render(request, "rectification/detail.html", context, status=status)


SUCCESS = {
    "sign": gettext_lazy("已签字。"),
    "start": gettext_lazy("项目已开始执行，请按跟踪频率填写跟踪记录。"),
    "submit": gettext_lazy("已提交验收。"),
    "cancel": gettext_lazy("项目已取消。"),
    "cadence": gettext_lazy("跟踪频率已调整。"),
}


@login_required
@require_POST
def project_action(request, number, action):
    if action not in SUCCESS:
        raise Http404
    project = _project(request, number)
    user = request.user
    form = None
    try:
        if action == "sign":
            project = services.sign(project=project, actor=user)
            if project.status == Status.KICKED_OFF:
                messages.success(request, _("三方签字完成，项目已启动。"))
                return redirect(project.get_absolute_url())
        elif action == "start":
            services.start(project=project, actor=user)
        elif action == "submit":
            services.submit(project=project, actor=user)
        elif action == "cancel":
            form = CancelForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("取消项目必须填写原因。"), field="reason")
            services.cancel(project=project, actor=user, reason=form.cleaned_data["reason"])
        elif action == "cadence":
            form = CadenceForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("请输入整数。"), field="execution_every_days")
            services.change_cadence(
                project=project,
                actor=user,
                execution_every_days=form.cleaned_data["execution_every_days"],
                observation_every_days=form.cleaned_data["observation_every_days"],
            )
    except DomainError as exc:
        code = _error_status(exc)
        messages.error(request, _("操作没有完成：%(e)s") % {"e": exc.message})
        fresh = _project(request, number, detail_queryset(user))
        if code == 200 and form is not None:
            form = type(form)(request.POST)
            form.is_valid()
            field = exc.field
            if exc.errors:
                field = next(iter(exc.errors)).split(".")[-1]
            if field not in form.errors:
                form.add_error(field if field in form.fields else None, str(exc.message))
            return _render_detail(request, fresh, bound=(action, form))
        return _render_detail(request, fresh, status=code)
    messages.success(request, SUCCESS[action])
    return redirect(project.get_absolute_url())


@login_required
@require_POST
def measure_update(request, number, pk):
    project = _project(request, number)
    form = MeasureUpdateForm(request.POST, prefix=f"m{pk}")
    key = f"measure-{pk}"
    if form.is_valid():
        try:
            services.update_measure(
                project=project,
                measure_id=pk,
                actor=request.user,
                status=form.cleaned_data.get("status") or None,
                progress=form.cleaned_data.get("progress"),
                deadline=form.cleaned_data.get("deadline")
                if form.has_changed() and "deadline" in form.changed_data
                else None,
            )
        except DomainError as exc:
            code = _error_status(exc)
            messages.error(request, _("操作没有完成：%(e)s") % {"e": exc.message})
            fresh = _project(request, number, detail_queryset(request.user))
            if code != 200:
                return _render_detail(request, fresh, status=code)
            for path, errs in (exc.errors or {exc.field or "__all__": [exc.message]}).items():
                field = path if path in form.fields else None
                for err in errs:
                    form.add_error(field, str(err))
            return _render_detail(request, fresh, bound=(key, form))
        messages.success(request, _("措施已更新。"))
        return redirect(f"{project.get_absolute_url()}#measures")
    messages.error(request, _("操作没有完成：请检查输入。"))
    fresh = _project(request, number, detail_queryset(request.user))
    return _render_detail(request, fresh, bound=(key, form))


# --- the tracking record ---------------------------------------------------------------


def _log_initial(project, today):
    pre = services.prefill_log(project, today)
    initial = {
        "date": pre["date"],
        "method": pre["method"],
        "progress": pre["progress"],
        "assessment": pre["assessment"],
        "next_on": pre["next_on"],
        "focus": pre["focus"],
    }
    for goal_id, value in pre["readings"].items():
        initial[f"reading_{goal_id}"] = format(value.normalize(), "f")
    return initial, pre


@login_required
def track(request, number):
    """整改跟踪记录 on a phone: pre-filled from the last record, a minute to fill."""
    project = _project(request, number)
    user = request.user
    if not policy.can(user, Action.TRACK, project):
        return _forbidden(request, _("只有项目的运营专家可以填写跟踪记录。"))
    if project.status != Status.EXECUTING:
        return _forbidden(request, _("项目不在执行期，不能填写跟踪记录。"), 409)
    today = timezone.localdate()
    goals = list(project.goals.all())
    initial, pre = _log_initial(project, today)
    post = request.method == "POST"
    data = request.POST if post else None
    form = TrackingLogForm(data, goals=goals, initial=initial)
    lists = {
        "in_progress": InProgressFormSet(data, prefix="in_progress", initial=pre["in_progress"]),
        "difficulties": DifficultyFormSet(data, prefix="difficulties", initial=pre["difficulties"]),
        "solutions": SolutionFormSet(data, prefix="solutions", initial=pre["solutions"]),
    }
    if post and form.is_valid() and all(f.is_valid() for f in lists.values()):
        payload = form.to_data()
        rows = {}
        for key, formset in lists.items():
            rows[key] = formset.rows()
            payload[key] = [dict(f.cleaned_data) for f in rows[key]]
        try:
            log = services.add_tracking_log(project=project, actor=user, data=payload)
        except DomainError as exc:
            if _error_status(exc) != 200:
                return _forbidden(request, exc.message, _error_status(exc))
            _place_errors(exc, form, rows)
        else:
            messages.success(
                request,
                _("已保存第 %(d)d 天的跟踪记录，下次跟踪：%(n)s。")
                % {"d": log.day, "n": log.next_on.isoformat()},
            )
            return redirect(project.get_absolute_url())
    last = project.tracking_logs.order_by("-date").first()
    return render(
        request,
        "rectification/track.html",
        {
            "project": project,
            "form": form,
            "lists": lists,
            "last": last,
            "interval": services.tracking_interval(project),
            "day": rules.day_of_execution(project.execution_from, today)
            if project.execution_from
            else None,
        },
    )


# --- printable kick-off and evidence photos --------------------------------------------


@login_required
def kickoff_pdf(request, number):
    project = _project(request, number, detail_queryset(request.user))
    content = pdf.kickoff_pdf(project)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{project.number}.pdf"'
    return response


@login_required
def why_photo(request, number, pk):
    project = _project(request, number)
    why = get_object_or_404(Why, pk=pk, project=project)
    if not why.photo:
        raise Http404
    try:
        handle = why.photo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=why.photo_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=86400"
    return response
