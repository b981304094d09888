"""Pages of the acceptance scorecard (整改验收评分表, tool 3) and the observation rechecks:
the scorecard form with live band hints (htmx → :func:`preview`, which runs the same pure
functions as the service — no arithmetic in the browser), the store manager's signature,
the printable scorecard and the recheck form. Thin like ``views``: visible projects only
(404 otherwise), the policy gates (403), the services decide (409 in the wrong state)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from closedloop.errors import DomainError

from . import acceptance as services
from . import pdf, policy, scoring
from .choices import (
    ACCEPTANCE_STATUS,
    AcceptanceKind,
    Action,
    Conclusion,
    RubricBand,
    Status,
    Sustainability,
    TrackingMethod,
)
from .models import Acceptance
from .selectors import acceptances_queryset
from .views import _error_status, _forbidden, _project

PROCESS_ROWS = (
    # (field, label, rubric texts 优秀/良好/一般/不合格 as in tool 3)
    (
        "documents",
        gettext_noop("流程文档完整性"),
        (
            gettext_noop("文档完整详细"),
            gettext_noop("文档基本完整"),
            gettext_noop("文档不够完整"),
            gettext_noop("缺少关键文档"),
        ),
    ),
    (
        "mastery",
        gettext_noop("人员掌握程度"),
        (
            gettext_noop("所有人熟练掌握"),
            gettext_noop("大部分人掌握"),
            gettext_noop("少部分人掌握"),
            gettext_noop("多数人未掌握"),
        ),
    ),
    (
        "execution",
        gettext_noop("现场执行情况"),
        (
            gettext_noop("严格按流程执行"),
            gettext_noop("基本按流程执行"),
            gettext_noop("执行有偏差"),
            gettext_noop("执行不到位"),
        ),
    ),
)
SUSTAINABILITY_RUBRIC = (
    gettext_noop("建立了长效机制，可持续"),
    gettext_noop("有维持措施，基本可持续"),
    gettext_noop("维持措施不足，存在风险"),
    gettext_noop("依赖临时措施，难以持续"),
)

#: Body path → the form's input name.
SIMPLE_PATHS = {
    "process.documents": "documents",
    "process.mastery": "mastery",
    "process.execution": "execution",
    "satisfaction.value": "satisfaction_value",
    "satisfaction.score": "satisfaction_score",
    "interviews.positive": "positive",
    "interviews.neutral": "neutral",
    "interviews.negative": "negative",
    "interviews.total": "interviews_total",
    "interviews.score": "interviews_score",
}


def _rubric(texts):
    """The four rubric bands with the form's texts, for the template."""
    return [
        {
            "label": RubricBand(band.code).label,
            "range": band.range_label,
            "text": _(text) if text else "",
        }
        for band, text in zip(scoring.RUBRIC, texts, strict=True)
    ]


def _kind_for(project) -> str | None:
    for kind, status in ACCEPTANCE_STATUS.items():
        if project.status == status:
            return kind
    return None


def _payload(post, goals) -> dict:
    def value(name):
        return (post.get(name) or "").strip()

    return {
        "kind": value("kind"),
        "date": value("date") or None,
        "process": {name: value(name) for name, _l, _t in PROCESS_ROWS},
        "goals": [
            {
                "goal": goal.pk,
                "actual": value(f"goal_{goal.pk}_actual"),
                "score": value(f"goal_{goal.pk}_score"),
            }
            for goal in goals
        ],
        "satisfaction": {
            "value": value("satisfaction_value"),
            "score": value("satisfaction_score"),
        },
        "interviews": {
            "positive": value("positive"),
            "neutral": value("neutral"),
            "negative": value("negative"),
            "total": value("interviews_total"),
            "score": value("interviews_score"),
        },
        "sustainability": value("sustainability"),
        "conclusion": value("conclusion") or None,
        "override_reason": value("override_reason"),
        "suggestions": [line for line in post.get("suggestions", "").splitlines() if line.strip()],
    }


def _field_errors(errors: dict, goals) -> tuple[dict, dict, list]:
    """Errors by input name, per goal (``{goal id: {"actual": [...], "score": [...]}}``),
    and those of no input (shown above the form)."""
    by_input, by_goal, general = {}, {}, []
    for path, messages_ in errors.items():
        match = re.fullmatch(r"goals\[(\d+)\]\.(\w+)", path)
        if match and int(match[1]) < len(goals):
            goal = goals[int(match[1])]
            by_goal.setdefault(goal.pk, {}).setdefault(match[2], []).extend(messages_)
            continue
        name = SIMPLE_PATHS.get(path, path)
        if name in {
            *SIMPLE_PATHS.values(),
            "kind",
            "date",
            "sustainability",
            "conclusion",
            "override_reason",
            "suggestions",
        }:
            by_input.setdefault(name, []).extend(messages_)
        else:
            general.extend(messages_)
    return by_input, by_goal, general


def _context(project, post, goals, *, errors=None, card=None) -> dict:
    today = timezone.localdate()
    if card is None:
        card, _preview_errors = services.preview(project, _payload(post, goals), today=today)
    by_input, by_goal, general = _field_errors(errors or {}, goals)
    lines = {line.goal.pk: line for line in card.goals}
    rows = []
    for goal in goals:
        rows.append(
            {
                "goal": goal,
                "line": lines.get(goal.pk),
                "actual": post.get(f"goal_{goal.pk}_actual", ""),
                "score": post.get(f"goal_{goal.pk}_score", ""),
                "errors": by_goal.get(goal.pk, {}),
            }
        )
    count = max(len(goals), 1)
    return {
        "project": project,
        "post": post,
        "card": card,
        "goal_rows": rows,
        "goal_share": scoring.goal_share(count),
        "goal_bands": [
            {"label": b.code.label, "range": b.range_label} for b in scoring.goal_bands(count)
        ],
        "process_rows": [
            {
                "name": name,
                "label": _(label),
                "rubric": _rubric(texts),
                "value": post.get(name, ""),
                "errors": by_input.get(name, []),
            }
            for name, label, texts in PROCESS_ROWS
        ],
        "sustainability_rubric": _rubric(SUSTAINABILITY_RUBRIC),
        "feedback_rubric": _rubric(("", "", "", "")),
        "errors": by_input,
        "general_errors": general,
        "conclusions": Conclusion.choices,
        "kinds": AcceptanceKind.choices,
        "today": today,
    }


def _score_page(request, project, *, status=200, **extra):
    goals = services.core_goals(project)
    post = extra.pop("post", None)
    if post is None:
        post = {
            "kind": _kind_for(project) or AcceptanceKind.INITIAL,
            "date": timezone.localdate().isoformat(),
        }
    context = _context(project, post, goals, **extra)
    return render(request, "rectification/acceptance_form.html", context, status=status)


@login_required
def acceptance_new(request, number):
    """整改验收评分表: the ops specialist (or the quality lead) scores the project."""
    project = _project(request, number)
    if not policy.can_accept(request.user, project):
        return _forbidden(request, _("只有项目的运营专家或质量负责人可以验收评分。"))
    if _kind_for(project) is None:
        return _forbidden(
            request,
            _("项目当前状态为“%(s)s”，不能验收评分（待验收或观察期的项目才能验收）。")
            % {"s": project.get_status_display()},
            409,
        )
    if request.method != "POST":
        return _score_page(request, project)
    goals = services.core_goals(project)
    try:
        acceptance = services.record_acceptance(
            project=project, actor=request.user, data=_payload(request.POST, goals)
        )
    except DomainError as exc:
        code = _error_status(exc)
        if code != 200:
            return _forbidden(request, exc.message, code)
        errors = exc.errors or {exc.field or "__all__": [exc.message]}
        return _score_page(request, project, post=request.POST, errors=errors)
    messages.success(
        request,
        _("验收评分已保存：%(t)s 分，%(r)s，%(c)s。")
        % {
            "t": format(acceptance.total.normalize(), "f"),
            "r": acceptance.get_rating_display(),
            "c": acceptance.get_conclusion_display(),
        },
    )
    return redirect(f"{project.get_absolute_url()}#acceptances")


@login_required
@require_POST
def acceptance_preview(request, number):
    """The live hints (htmx): each goal's achievement rate, band and allowed scores, the
    feedback bands, total, rating and suggested conclusion — from the pure functions."""
    project = _project(request, number)
    if not policy.can_accept(request.user, project):
        return _forbidden(request, _("只有项目的运营专家或质量负责人可以验收评分。"))
    goals = services.core_goals(project)
    context = _context(project, request.POST, goals)
    context["oob"] = True
    return render(request, "rectification/includes/acceptance_hints.html", context)


@login_required
@require_POST
def acceptance_sign(request, number, pk):
    project = _project(request, number)
    acceptance = get_object_or_404(Acceptance, pk=pk, project=project)
    try:
        services.sign_acceptance(acceptance=acceptance, actor=request.user)
    except DomainError as exc:
        code = _error_status(exc)
        return _forbidden(request, exc.message, code if code != 200 else 409)
    messages.success(request, _("已签字确认验收评分。"))
    return redirect(f"{project.get_absolute_url()}#acceptances")


@login_required
def acceptance_pdf(request, number, pk):
    project = _project(request, number)
    acceptance = get_object_or_404(acceptances_queryset(), pk=pk, project=project)
    content = pdf.scorecard_pdf(project, acceptance)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{project.number}-{acceptance.kind}.pdf"'
    return response


@login_required
def recheck(request, number):
    """观察期复查: date, method, the goals' readings, findings."""
    project = _project(request, number)
    if not policy.can_recheck(request.user, project):
        return _forbidden(request, _("只有项目的运营专家或质量负责人可以填写观察期复查。"))
    if project.status != Status.OBSERVING:
        return _forbidden(request, _("项目不在观察期，不能填写复查记录。"), 409)
    goals = list(project.goals.all())
    errors = {}
    post = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        data = {
            "date": post.get("date") or None,
            "method": post.get("method") or None,
            "readings": [
                {"goal": goal.pk, "value": (post.get(f"reading_{goal.pk}") or "").strip()}
                for goal in goals
            ],
            "findings": post.get("findings", ""),
        }
        try:
            done = services.record_recheck(project=project, actor=request.user, data=data)
        except DomainError as exc:
            code = _error_status(exc)
            if code != 200:
                return _forbidden(request, exc.message, code)
            errors = exc.errors or {exc.field or "__all__": [exc.message]}
        else:
            project.refresh_from_db()
            if project.rebound:
                messages.warning(
                    request, _("复查已保存。注意：指标较目标恶化超过 15%，项目已标记反弹。")
                )
            else:
                messages.success(request, _("%(d)s 的复查已保存。") % {"d": done.date.isoformat()})
            return redirect(f"{project.get_absolute_url()}#observation")
    rows = []
    for index, goal in enumerate(goals):
        rows.append(
            {
                "goal": goal,
                "value": post.get(f"reading_{goal.pk}", ""),
                "errors": errors.get(f"readings[{index}].value", [])
                + errors.get(f"readings[{index}].goal", []),
            }
        )
    return render(
        request,
        "rectification/recheck_form.html",
        {
            "project": project,
            "rows": rows,
            "post": post,
            "errors": {k: v for k, v in errors.items() if not k.startswith("readings[")},
            "methods": TrackingMethod.choices,
            "today": timezone.localdate(),
        },
    )


def detail_context(project, user) -> dict:
    """What the project page shows of acceptance and observation (from the prefetched
    acceptances and rechecks)."""
    from .selectors import project_sustainability, rechecks_done, rechecks_planned

    acceptances = list(project.acceptances.all())
    latest = {}
    for acceptance in acceptances:
        latest[acceptance.kind] = acceptance
    goals = {goal.pk: goal for goal in project.goals.all()}
    sustainability = project_sustainability(project)
    rows = []
    if sustainability:
        for row in sustainability["goals"]:
            rows.append({**row, "label": Sustainability(row["verdict"]).label})
    rechecks = list(project.rechecks.all())
    for row in rechecks:
        row.values = [(goals.get(r.goal_id), r.value) for r in row.readings.all()]
    return {
        "acceptance_pair": [
            (AcceptanceKind(kind).label, latest.get(kind)) for kind in AcceptanceKind.values
        ],
        "acceptances": acceptances,
        "can_accept": policy.can_accept(user, project) and _kind_for(project) is not None,
        "can_recheck": policy.can_recheck(user, project) and project.status == Status.OBSERVING,
        "can_sign_acceptance": policy.can(user, Action.SIGN_ACCEPTANCE, project),
        "rechecks": rechecks,
        "rechecks_done": rechecks_done(project),
        "rechecks_planned": rechecks_planned(project),
        "sustainability": sustainability,
        "sustainability_label": (
            Sustainability(sustainability["verdict"]).label if sustainability else ""
        ),
        "sustainability_rows": rows,
    }
