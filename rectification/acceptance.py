"""Service functions of the acceptance scorecard (整改验收评分表, DOMAIN.md §6) and of the
observation period (观察期复查, §7). Keyword-only and atomic like ``services``: they lock
the project, check the allowed-transitions table and the actor's right
(``PROJECT_FLOW``), validate everything before writing (one ``DomainError`` naming every
bad field and its allowed range: nothing half-saved) and record history.

The arithmetic is ``scoring`` and ``sustainability`` (pure); :func:`evaluate` turns a
scorecard body into the computed card and the errors, for the service and for the page's
live preview alike.

A scorecard body is the API's (API.md "Rectification")::

    {"kind", "date", "process": {"documents", "mastery", "execution"},
     "goals": [{"goal", "actual", "score"}], "satisfaction": {"value", "score"},
     "interviews": {"positive", "neutral", "negative", "score"}, "sustainability",
     "conclusion", "override_reason", "suggestions"}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.errors import DomainError, InvalidTransition
from closedloop.notifications.choices import Level as NoticeLevel
from closedloop.notifications.services import Message, notify
from closedloop.org.models import User

from . import scoring
from . import sustainability as sus
from .choices import (
    ACCEPT_ACTION,
    ACCEPTANCE_STATUS,
    DEFAULT_OBSERVATION_DAYS,
    AcceptanceKind,
    Action,
    AlertKind,
    Conclusion,
    GoalBand,
    Rating,
    RubricBand,
    Status,
    TrackingMethod,
)
from .models import (
    Acceptance,
    AcceptanceGoal,
    Goal,
    Project,
    Recheck,
    RecheckReading,
)
from .services import (
    _as_pk,
    _check_text,
    _choice,
    _date,
    _decimal,
    _Errors,
    _lines,
    _now,
    _record,
    _refresh,
    _rows,
    _today,
    _transition,
)
from .workflow import PROJECT_FLOW

ONE_DECIMAL = Decimal("0.1")
PROCESS_FIELDS = ("documents", "mastery", "execution")
MAX_INTERVIEWS = 10000


def _label(choices, code) -> str:
    return str(choices(code).label) if code else ""


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _rate_label(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{_fmt((rate * 100).quantize(ONE_DECIMAL))}%"


def _score(errors, path, value, *, required=True) -> Decimal | None:
    """A score: a number with at most one decimal (range checks are the band's)."""
    if value in (None, ""):
        if required:
            errors.add(path, _("请填写得分。"))
        return None
    if isinstance(value, bool):
        errors.add(path, _("请输入数字。"))
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(path, _("请输入数字。"))
        return None
    if not number.is_finite():
        errors.add(path, _("请输入数字。"))
        return None
    if number != number.quantize(ONE_DECIMAL):
        errors.add(path, _("得分最多保留一位小数。"))
        return None
    return number.quantize(ONE_DECIMAL)


def _count(errors, path, value) -> int | None:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
        if isinstance(value, bool) or (isinstance(value, float | Decimal) and number != value):
            raise ValueError
        if isinstance(value, str) and str(number) != value.strip():
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors.add(path, _("人数应为整数。"))
        return None
    if number < 0:
        errors.add(path, _("人数不能为负数。"))
        return None
    if number > MAX_INTERVIEWS:
        errors.add(path, _("人数应在 0–%(n)d 之间。") % {"n": MAX_INTERVIEWS})
        return None
    return number


def _rubric_hint() -> str:
    return " · ".join(f"{_label(RubricBand, b.code)} {b.range_label}" for b in scoring.RUBRIC)


def _check_rubric(errors, path, score, field_label) -> None:
    if score is None:
        return
    if scoring.rubric_band(score) is None:
        errors.add(
            path,
            _("%(f)s得分 %(s)s 不在评分档次内，应在 0–10 之间：%(h)s。")
            % {"f": field_label, "s": _fmt(score), "h": _rubric_hint()},
        )


def _check_band(errors, path, score, band, subject) -> None:
    if score is None or band is None or band.allows(score):
        return
    errors.add(
        path,
        _("%(subject)s，得分应在 %(r)s 之间（填写的是 %(s)s）。")
        % {"subject": subject, "r": band.range_label, "s": _fmt(score)},
    )


@dataclass
class GoalLine:
    goal: Goal
    actual: Decimal | None
    rate: Decimal | None
    band: scoring.Band | None
    points: Decimal
    score: Decimal | None

    @property
    def band_label(self) -> str:
        return _label(GoalBand, self.band.code) if self.band else ""

    @property
    def rate_label(self) -> str:
        return _rate_label(self.rate)


@dataclass
class Card:
    """A scorecard as computed from a body (complete or, for the preview, partial)."""

    kind: str = ""
    date: dt.date | None = None
    process: dict = field(default_factory=dict)
    goals: list[GoalLine] = field(default_factory=list)
    satisfaction_value: Decimal | None = None
    satisfaction_band: scoring.Band | None = None
    satisfaction_score: Decimal | None = None
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    interview_share: Decimal | None = None
    interview_band: scoring.Band | None = None
    interviews_score: Decimal | None = None
    sustainability: Decimal | None = None
    total: Decimal = Decimal(0)
    rating: str = ""
    suggested_conclusion: str = ""
    conclusion: str = ""
    override_reason: str = ""
    suggestions: list[str] = field(default_factory=list)

    @property
    def rating_label(self) -> str:
        return _label(Rating, self.rating)

    @property
    def suggested_label(self) -> str:
        return _label(Conclusion, self.suggested_conclusion)

    @property
    def process_total(self) -> Decimal:
        return scoring.total(v for v in self.process.values() if v is not None)

    @property
    def goals_total(self) -> Decimal:
        return scoring.total(line.score for line in self.goals if line.score is not None)

    @property
    def feedback_total(self) -> Decimal:
        return scoring.total(
            v for v in (self.satisfaction_score, self.interviews_score) if v is not None
        )


def core_goals(project: Project) -> list[Goal]:
    return [goal for goal in project.goals.all() if goal.core]


def evaluate(project: Project, data: Mapping, *, errors: _Errors, today: dt.date) -> Card:
    """Compute a scorecard from a body; every problem goes to ``errors`` by its path
    (``process.documents``, ``goals[0].score``, ``satisfaction.score`` …) with the allowed
    range. The preview ignores the errors of fields not filled in yet."""
    card = Card()
    card.kind = _choice(
        errors,
        "kind",
        data.get("kind"),
        AcceptanceKind,
        required_message=_("请选择验收类型（初次验收/正式验收）。"),
    )
    card.date = _date(errors, "date", data.get("date") or today)
    if card.date is not None and card.date > today:
        errors.add("date", _("验收日期不能晚于今天。"))

    process = data.get("process") or {}
    if not isinstance(process, Mapping):
        errors.add("process", _("格式无效。"))
        process = {}
    labels = {
        "documents": _("流程文档完整性"),
        "mastery": _("人员掌握程度"),
        "execution": _("现场执行情况"),
    }
    for name in PROCESS_FIELDS:
        path = f"process.{name}"
        score = _score(errors, path, process.get(name))
        _check_rubric(errors, path, score, labels[name])
        card.process[name] = score

    goals = core_goals(project)
    by_pk = {goal.pk: goal for goal in goals}
    all_goals = {goal.pk: goal for goal in project.goals.all()}
    count = max(len(goals), 1)
    points = scoring.goal_share(count)
    seen: dict[int, GoalLine] = {}
    for index, row in _rows(errors, "goals", data.get("goals")):
        path = f"goals[{index}]"
        raw = row.get("goal")
        goal = raw if isinstance(raw, Goal) else all_goals.get(_as_pk(raw))
        if goal is None or goal.project_id != project.pk:
            errors.add(f"{path}.goal", _("该指标不属于本项目。"))
            continue
        if goal.pk not in by_pk:
            errors.add(
                f"{path}.goal", _("“%(g)s”是监测指标，不是核心目标，不计分。") % {"g": goal.name}
            )
            continue
        if goal.pk in seen:
            errors.add(f"{path}.goal", _("同一目标只能评分一次。"))
            continue
        actual = _decimal(
            errors, f"{path}.actual", row.get("actual"), required_message=_("请填写实际值。")
        )
        rate = band = None
        if actual is not None:
            rate = scoring.achievement_rate(
                current=actual,
                target=goal.target,
                baseline=goal.baseline,
                direction=goal.direction,
                method=goal.method,
            )
            if rate is None:
                errors.add(f"{path}.actual", _("无法计算该目标的达成率（请检查基线值与目标值）。"))
            else:
                band = scoring.goal_band(rate, count)
        score = _score(errors, f"{path}.score", row.get("score"))
        if score is not None and not Decimal(0) <= score <= points:
            errors.add(
                f"{path}.score",
                _("%(g)s的得分应在 0–%(p)s 之间。") % {"g": goal.name, "p": _fmt(points)},
            )
        else:
            _check_band(
                errors,
                f"{path}.score",
                score,
                band,
                _("%(g)s达成率 %(r)s，属于“%(b)s”")
                % {
                    "g": goal.name,
                    "r": _rate_label(rate),
                    "b": _label(GoalBand, band.code) if band else "",
                },
            )
        seen[goal.pk] = GoalLine(goal, actual, rate, band, points, score)
    missing = [goal.name for goal in goals if goal.pk not in seen]
    if missing:
        errors.add("goals", _("请为每个核心目标评分：缺少 %(g)s。") % {"g": "、".join(missing)})
    if not goals:
        errors.add("goals", _("该项目没有核心目标，无法验收评分。"))
    card.goals = [seen[goal.pk] for goal in goals if goal.pk in seen]

    satisfaction = data.get("satisfaction") or {}
    if not isinstance(satisfaction, Mapping):
        errors.add("satisfaction", _("格式无效。"))
        satisfaction = {}
    value = _decimal(
        errors,
        "satisfaction.value",
        satisfaction.get("value"),
        required_message=_("请填写客户满意度。"),
    )
    if value is not None and not Decimal(0) <= value <= Decimal(100):
        errors.add("satisfaction.value", _("客户满意度应在 0–100 之间。"))
        value = None
    card.satisfaction_value = value
    card.satisfaction_band = scoring.satisfaction_band(value)
    card.satisfaction_score = _score(errors, "satisfaction.score", satisfaction.get("score"))
    _check_rubric(errors, "satisfaction.score", card.satisfaction_score, _("客户满意度"))
    if "satisfaction.score" not in errors and card.satisfaction_band is not None:
        _check_band(
            errors,
            "satisfaction.score",
            card.satisfaction_score,
            card.satisfaction_band,
            _("满意度 %(v)s 分，属于“%(b)s”")
            % {"v": _fmt(value), "b": _label(RubricBand, card.satisfaction_band.code)},
        )

    interviews = data.get("interviews") or {}
    if not isinstance(interviews, Mapping):
        errors.add("interviews", _("格式无效。"))
        interviews = {}
    counts = {
        name: _count(errors, f"interviews.{name}", interviews.get(name))
        for name in ("positive", "neutral", "negative")
    }
    if all(v is not None for v in counts.values()):
        card.positive, card.neutral, card.negative = (
            counts["positive"],
            counts["neutral"],
            counts["negative"],
        )
        counted = card.positive + card.neutral + card.negative
        stated = interviews.get("total")
        if stated not in (None, ""):
            stated_count = _count(errors, "interviews.total", stated)
            if stated_count is not None and stated_count != counted:
                errors.add(
                    "interviews.total",
                    _("积极、中性、负面反馈人数之和（%(c)d）应等于访谈人数（%(t)d）。")
                    % {"c": counted, "t": stated_count},
                )
        if counted == 0:
            errors.add(
                "interviews.positive", _("访谈人数至少 1 人：请填写积极、中性、负面反馈人数。")
            )
        card.interview_share = scoring.interview_share(card.positive, card.neutral, card.negative)
        card.interview_band = scoring.interview_band(card.positive, card.neutral, card.negative)
    card.interviews_score = _score(errors, "interviews.score", interviews.get("score"))
    _check_rubric(errors, "interviews.score", card.interviews_score, _("客户访谈"))
    if "interviews.score" not in errors and card.interview_band is not None:
        _check_band(
            errors,
            "interviews.score",
            card.interviews_score,
            card.interview_band,
            _("积极反馈占 %(r)s，属于“%(b)s”")
            % {
                "r": _rate_label(card.interview_share),
                "b": _label(RubricBand, card.interview_band.code),
            },
        )

    card.sustainability = _score(errors, "sustainability", data.get("sustainability"))
    _check_rubric(errors, "sustainability", card.sustainability, _("持续性评估"))

    card.total = scoring.total(
        [
            *card.process.values(),
            *(line.score for line in card.goals),
            card.satisfaction_score,
            card.interviews_score,
            card.sustainability,
        ]
    )
    if card.total > scoring.TOTAL_POINTS:
        errors.add("total", _("总分 %(t)s 超过 100 分。") % {"t": _fmt(card.total)})
    card.rating = scoring.rating(card.total)
    card.suggested_conclusion = scoring.suggested_conclusion(card.rating)

    conclusion = data.get("conclusion") or card.suggested_conclusion
    card.conclusion = _choice(
        errors, "conclusion", conclusion, Conclusion, required_message=_("请选择验收结论。")
    )
    card.override_reason = _check_text(
        errors, "override_reason", data.get("override_reason"), limit=2000
    )
    if (
        card.conclusion
        and card.conclusion != card.suggested_conclusion
        and not card.override_reason
    ):
        errors.add(
            "override_reason",
            _("验收结论与按评级建议的结论（%(s)s）不同，必须填写调整原因。")
            % {"s": card.suggested_label},
        )
    card.suggestions = _lines(errors, "suggestions", data.get("suggestions"), limit=500)
    return card


def preview(project: Project, data: Mapping, *, today: dt.date | None = None):
    """The page's live hints: the computed card and the errors of the fields filled in."""
    errors = _Errors()
    card = evaluate(project, data, errors=errors, today=today or timezone.localdate())
    return card, dict(errors)


# --- recording a scorecard -------------------------------------------------------------


def _check_state(project: Project, kind: str, actor) -> None:
    expected = ACCEPTANCE_STATUS.get(kind)
    PROJECT_FLOW.check(project, Action.ACCEPT_PASS, actor)
    if expected is not None and project.status != expected:
        raise InvalidTransition(
            _("整改项目当前状态为“%(s)s”，不能进行%(k)s（%(k)s应在“%(e)s”状态进行）。")
            % {
                "s": project.get_status_display(),
                "k": _label(AcceptanceKind, kind),
                "e": Status(expected).label,
            }
        )


def _start_observation(project: Project, *, date: dt.date, at: dt.datetime) -> None:
    """Pass at the initial acceptance: the observation period of the plan (or one month
    from the day after the acceptance) and its first recheck."""
    planned = project.observation_from, project.observation_to
    if planned[0] is None or planned[0] <= date:
        # Not planned, or planned to start before the acceptance passed: it starts the
        # day after, as long as planned (default one month).
        length = (
            (planned[1] - planned[0]).days + 1
            if planned[0] is not None and planned[1] is not None and planned[1] >= planned[0]
            else DEFAULT_OBSERVATION_DAYS
        )
        project.observation_from = date + dt.timedelta(days=1)
        project.observation_to = project.observation_from + dt.timedelta(days=length - 1)
    elif project.observation_to is None or project.observation_to < project.observation_from:
        project.observation_to = project.observation_from + dt.timedelta(
            days=DEFAULT_OBSERVATION_DAYS - 1
        )
    project.observation_started_at = at
    project.next_recheck_on = project.observation_from + dt.timedelta(
        days=project.observation_every_days - 1
    )


@transaction.atomic
def record_acceptance(
    *, project: Project, actor: User, data: Mapping, at: dt.datetime | None = None
) -> Acceptance:
    """整改验收评分表: score, rate and conclude; the conclusion moves the project
    (DOMAIN.md §5): pass → observing (initial) or pending closure (formal); basic pass →
    stays, another acceptance follows; fail → back to executing."""
    at = _now(at)
    today = _today(at)
    project = PROJECT_FLOW.lock(project)
    kind = data.get("kind")
    if kind in AcceptanceKind.values:
        _check_state(project, kind, actor)
    else:
        PROJECT_FLOW.check(project, Action.ACCEPT_PASS, actor)
    errors = _Errors()
    card = evaluate(project, data, errors=errors, today=today)
    if card.date is not None and "date" not in errors:
        if (
            card.kind == AcceptanceKind.FORMAL
            and project.observation_to is not None
            and card.date < project.observation_to
        ):
            errors.add(
                "date",
                _("正式验收应在观察期结束（%(d)s）时或之后进行。")
                % {"d": project.observation_to.isoformat()},
            )
        start = project.execution_from or project.started_on
        if start is not None and card.date < start:
            errors.add(
                "date", _("验收日期不能早于执行期开始（%(d)s）。") % {"d": start.isoformat()}
            )
    errors.raise_if_any()

    from_status = project.status
    action = ACCEPT_ACTION[card.conclusion]
    _transition(
        project,
        action=action,
        actor=actor,
        at=at,
        body=card.override_reason,
        data={
            "kind": card.kind,
            "date": card.date.isoformat(),
            "total": str(card.total),
            "rating": card.rating,
            "suggested_conclusion": card.suggested_conclusion,
            "conclusion": card.conclusion,
        },
    )
    acceptance = Acceptance.objects.create(
        project=project,
        kind=card.kind,
        date=card.date,
        documents=card.process["documents"],
        mastery=card.process["mastery"],
        execution=card.process["execution"],
        satisfaction_value=card.satisfaction_value,
        satisfaction_score=card.satisfaction_score,
        interviews_positive=card.positive,
        interviews_neutral=card.neutral,
        interviews_negative=card.negative,
        interviews_score=card.interviews_score,
        sustainability_score=card.sustainability,
        total=card.total,
        rating=card.rating,
        suggested_conclusion=card.suggested_conclusion,
        conclusion=card.conclusion,
        override_reason=card.override_reason,
        suggestions=card.suggestions,
        from_status=from_status,
        to_status=project.status,
        assessor=actor,
        assessor_signed_at=at,
        created_at=at,
    )
    AcceptanceGoal.objects.bulk_create(
        [
            AcceptanceGoal(
                acceptance=acceptance,
                goal=line.goal,
                actual=line.actual,
                achievement_rate=line.rate.quantize(Decimal("0.000001")),
                band=line.band.code,
                points=line.points,
                score=line.score,
            )
            for line in card.goals
        ]
    )
    if project.status == Status.OBSERVING and from_status == Status.PENDING_ACCEPTANCE:
        _start_observation(project, date=card.date, at=at)
    elif project.status != Status.OBSERVING:
        project.next_recheck_on = None
    project.save()
    _refresh(project, today=today, actor=actor, at=at)
    return acceptance


@transaction.atomic
def sign_acceptance(
    *, acceptance: Acceptance, actor: User, at: dt.datetime | None = None
) -> Acceptance:
    """门店店长签字: the store's manager confirms a scorecard (once)."""
    at = _now(at)
    project = PROJECT_FLOW.lock(acceptance.project)
    PROJECT_FLOW.check(project, Action.SIGN_ACCEPTANCE, actor)
    acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    if acceptance.store_manager_id is not None:
        raise InvalidTransition(_("该验收评分表店长已签字。"))
    acceptance.store_manager = actor
    acceptance.store_manager_signed_at = at
    acceptance.save(update_fields=["store_manager", "store_manager_signed_at"])
    _record(
        project,
        actor=actor,
        at=at,
        action=Action.SIGN_ACCEPTANCE,
        data={"acceptance": acceptance.pk, "kind": acceptance.kind},
    )
    return acceptance


def sign_latest_acceptance(
    *, project: Project, actor: User, at: dt.datetime | None = None
) -> Acceptance:
    """The store manager signs the project's latest scorecard not signed yet."""
    acceptance = (
        project.acceptances.filter(store_manager__isnull=True)
        .order_by("-date", "-created_at", "-pk")
        .first()
    )
    if acceptance is None:
        PROJECT_FLOW.check(project, Action.SIGN_ACCEPTANCE, actor)
        raise InvalidTransition(_("没有待店长签字的验收评分表。"))
    return sign_acceptance(acceptance=acceptance, actor=actor, at=at)


# --- observation rechecks ----------------------------------------------------------------


def _clean_recheck(errors, project: Project, data: Mapping, today: dt.date) -> dict:
    date = _date(errors, "date", data.get("date") or today)
    if date is not None:
        if date > today:
            errors.add("date", _("复查日期不能晚于今天。"))
        elif project.observation_from and date < project.observation_from:
            errors.add(
                "date",
                _("复查日期不能早于观察期开始（%(d)s）。")
                % {"d": project.observation_from.isoformat()},
            )
        elif project.rechecks.filter(date=date).exists():
            errors.add("date", _("%(d)s 已有复查记录。") % {"d": date.isoformat()})
    method = _choice(
        errors, "method", data.get("method"), TrackingMethod, required_message=_("请选择复查方式。")
    )
    goals = {goal.pk: goal for goal in project.goals.all()}
    readings, seen = [], set()
    for index, row in _rows(errors, "readings", data.get("readings")):
        path = f"readings[{index}]"
        raw = row.get("goal")
        goal = raw if isinstance(raw, Goal) else goals.get(_as_pk(raw))
        if goal is None or goal.project_id != project.pk:
            errors.add(f"{path}.goal", _("该指标不属于本项目。"))
            continue
        if row.get("value") in (None, ""):
            continue
        value = _decimal(errors, f"{path}.value", row.get("value"))
        if goal.pk in seen:
            errors.add(f"{path}.goal", _("同一指标只能填写一个复查值。"))
            continue
        seen.add(goal.pk)
        if value is not None:
            readings.append({"goal": goal, "value": value})
    if not readings and "readings" not in errors:
        errors.add("readings", _("请至少填写一个指标的复查值。"))
    findings = _check_text(errors, "findings", data.get("findings"), limit=4000)
    return {"date": date, "method": method, "readings": readings, "findings": findings}


def compute_sustainability(project: Project) -> tuple[str, list[dict]]:
    """The project's verdict and its goals' from every recheck reading (pure reads)."""
    values: dict[int, list[Decimal]] = {}
    for goal_id, value in RecheckReading.objects.filter(recheck__project=project).values_list(
        "goal_id", "value"
    ):
        values.setdefault(goal_id, []).append(value)
    rows = []
    for goal in project.goals.all():
        result = sus.goal_verdict(
            values.get(goal.pk, []), target=goal.target, direction=goal.direction
        )
        if result is None:
            continue
        rows.append(
            {
                "goal": goal.pk,
                "name": goal.name,
                "mean": str(result.mean.quantize(Decimal("0.01"))),
                "min": str(result.min),
                "max": str(result.max),
                "readings": result.readings,
                "within": result.within,
                "verdict": result.verdict,
            }
        )
    return sus.project_verdict(row["verdict"] for row in rows) or "", rows


def _rebound_message(project: Project, lines: list[str], date: dt.date) -> Message:
    return Message(
        kind="rectification_rebound",
        level=NoticeLevel.DANGER,
        title=_("%(n)s 观察期反弹：指标较目标恶化超过 15%%") % {"n": project.number},
        body=_("%(store)s · %(t)s\n%(d)s 复查：%(lines)s")
        % {
            "store": project.store.name,
            "t": project.title,
            "d": date.isoformat(),
            "lines": "；".join(lines),
        },
        object_type="rectification",
        object_ref=project.number,
        url=project.get_absolute_url(),
        dedupe_key=f"rebound:{project.pk}:{date.isoformat()}",
    )


@transaction.atomic
def record_recheck(
    *, project: Project, actor: User, data: Mapping, at: dt.datetime | None = None
) -> Recheck:
    """观察期复查: date, method, readings, findings; the sustainability verdict follows; a
    reading worse than its target by more than 15 % flags the project (反弹) and tells
    its ops specialist at once."""
    from .alerts import raise_alert

    at = _now(at)
    today = _today(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.RECHECK, actor)
    errors = _Errors()
    clean = _clean_recheck(errors, project, data, today)
    errors.raise_if_any()
    recheck = Recheck.objects.create(
        project=project,
        date=clean["date"],
        method=clean["method"],
        findings=clean["findings"],
        recorder=actor,
        recorded_at=at,
    )
    RecheckReading.objects.bulk_create(
        [RecheckReading(recheck=recheck, **row) for row in clean["readings"]]
    )
    verdict, rows = compute_sustainability(project)
    project.sustainability_verdict = verdict
    project.sustainability_goals = rows
    latest = project.rechecks.order_by("-date").values_list("date", flat=True).first()
    project.next_recheck_on = latest + dt.timedelta(days=project.observation_every_days)
    regressions = [
        row
        for row in clean["readings"]
        if sus.is_regression(
            row["value"], target=row["goal"].target, direction=row["goal"].direction
        )
    ]
    _record(
        project,
        actor=actor,
        at=at,
        action=Action.RECHECK,
        body=clean["findings"],
        data={
            "recheck": recheck.pk,
            "date": recheck.date.isoformat(),
            "verdict": verdict,
            "readings": {str(r["goal"].pk): str(r["value"]) for r in clean["readings"]},
        },
    )
    if regressions:
        lines = [
            _("%(g)s %(v)s%(u)s（目标 %(t)s%(u)s）")
            % {
                "g": row["goal"].name,
                "v": _fmt(row["value"]),
                "t": _fmt(row["goal"].target),
                "u": row["goal"].unit,
            }
            for row in regressions
        ]
        if project.rebound_at is None:
            project.rebound_at = at
        project.rebound_note = "；".join(lines)
        _record(
            project,
            actor=actor,
            at=at,
            action=Action.REBOUND,
            body=project.rebound_note,
            data={"recheck": recheck.pk, "date": recheck.date.isoformat()},
        )
        if raise_alert(project, AlertKind.REBOUND, recheck.date, at):
            notify(
                recipients=[project.ops_specialist],
                message=_rebound_message(project, lines, recheck.date),
                at=at,
            )
    project.save()
    return recheck


def acceptance_errors_as_fields(exc: DomainError) -> dict:
    """The errors of a DomainError keyed by field (for forms)."""
    return exc.errors or ({exc.field: [exc.message]} if exc.field else {})
