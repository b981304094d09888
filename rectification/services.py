"""Service functions: every change to a rectification project goes through one of these.

Each is keyword-only and atomic, locks the project row, checks the allowed-transitions
table and the actor's right (``PROJECT_FLOW``), validates everything before writing
anything (one ``DomainError`` naming every bad field: nothing is half-saved), records a
history row, and keeps the derived state — the next tracking date and the health — in
step. Views, serializers and jobs call them and hold no rule.

Kick-off data is a plain dict shaped like the API's body (API.md "Rectification"); the
pages build the same dict from their forms. Errors are keyed by the body's paths:
``title``, ``plan.execution_to``, ``goals[0].target``, ``measures[1].deadline`` …"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import filetype
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.core.numbering import format_number, next_value
from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from closedloop.org.choices import Role
from closedloop.org.models import Store, User

from . import policy, rules
from .choices import (
    ACTIVE_STATUSES,
    EVIDENCE_TYPES,
    LEVEL_FOR_PRIORITY,
    MAX_CADENCE_DAYS,
    MAX_EVIDENCE_BYTES,
    Action,
    Assessment,
    Direction,
    GoalMethod,
    Impact,
    Level,
    MeasureKind,
    MeasureStatus,
    SignRole,
    Status,
    TrackingMethod,
)
from .models import (
    Difficulty,
    Goal,
    InProgressItem,
    Measure,
    Project,
    Reading,
    RootCause,
    SignOff,
    Solution,
    Symptom,
    TrackingLog,
    Why,
)
from .workflow import PROJECT_FLOW

PLAN_FIELDS = (
    "start_on",
    "execution_from",
    "execution_to",
    "acceptance_on",
    "observation_from",
    "observation_to",
    "closure_on",
)
REQUIRED_PLAN = ("start_on", "execution_from", "execution_to")
#: Kick-off keys that only a draft may change (after the signatures they are the contract).
KICKOFF_KEYS = frozenset(
    {
        "store",
        "issue",
        "title",
        "problem",
        "found_on",
        "level",
        "containment",
        "ops_specialist",
        "regional_director",
        "symptoms",
        "whys",
        "root_causes",
        "goals",
        "plan",
        "criteria",
    }
)
MAX_ROWS = 30
MAX_WHYS = 10
DECIMAL_LIMIT = Decimal("9999999999.99")
MIN_YEAR, MAX_YEAR = 2000, 2100
TEXT_LIMITS = {"title": 200, "why": 300, "because": 300, "item": 300, "name": 100, "unit": 20}


# --- helpers ----------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _today(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


class _Errors(dict):
    """Field path -> [messages]; raised at once as one DomainError."""

    def add(self, field: str, message) -> None:
        self.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self:
            first = next(iter(self.values()))[0]
            raise DomainError(first, errors=dict(self))


def _text(value) -> str:
    text = "" if value is None else str(value)
    return text.strip()


def _key(value, limit: int) -> str | None:
    """A business key to look up (code, number, username), or None when it cannot be one
    (PostgreSQL text cannot hold NUL: looking it up would fail)."""
    text = str(value).strip()
    if not text or "\x00" in text or len(text) > limit:
        return None
    return text


def _check_text(errors, field, value, *, required_message=None, limit=None) -> str:
    text = _text(value)
    if "\x00" in text:
        errors.add(field, _("不能包含空字符。"))
        return ""
    if required_message and not text:
        errors.add(field, required_message)
    elif limit and len(text) > limit:
        errors.add(field, _("最多 %(n)d 个字。") % {"n": limit})
    return text


def _date(errors, field, value, *, required_message=None) -> dt.date | None:
    if value in (None, ""):
        if required_message:
            errors.add(field, required_message)
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.add(field, _("日期格式应为 YYYY-MM-DD。"))
            return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors.add(field, _("日期超出范围（%(a)d–%(b)d 年）。") % {"a": MIN_YEAR, "b": MAX_YEAR})
        return None
    return value


def _int(errors, field, value, *, low: int, high: int, required_message=None) -> int | None:
    if value in (None, ""):
        if required_message:
            errors.add(field, required_message)
        return None
    try:
        number = int(value)
        if isinstance(value, float | Decimal) and number != value:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors.add(field, _("请输入整数。"))
        return None
    if not low <= number <= high:
        errors.add(field, _("应在 %(a)d–%(b)d 之间。") % {"a": low, "b": high})
        return None
    return number


def _decimal(errors, field, value, *, required_message=None) -> Decimal | None:
    if value in (None, ""):
        if required_message:
            errors.add(field, required_message)
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        errors.add(field, _("请输入数字。"))
        return None
    if not number.is_finite() or abs(number) > DECIMAL_LIMIT:
        errors.add(field, _("数值超出范围。"))
        return None
    return number.quantize(Decimal("0.01"))


def _choice(errors, field, value, choices, *, required_message) -> str:
    if value in (None, ""):
        errors.add(field, required_message)
        return ""
    if value not in choices.values:
        errors.add(field, _("“%(v)s”不是有效的选项。") % {"v": str(value)[:40]})
        return ""
    return value


def _lines(errors, field, values, *, limit: int = 500) -> list[str]:
    """A list of texts (blank ones dropped)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, list | tuple):
        errors.add(field, _("应为列表。"))
        return []
    result = []
    for index, value in enumerate(values):
        text = _check_text(errors, f"{field}[{index}]", value, limit=limit)
        if text:
            result.append(text)
    if len(result) > MAX_ROWS:
        errors.add(field, _("最多 %(n)d 项。") % {"n": MAX_ROWS})
    return result


def _rows(errors, field, values) -> list[tuple[int, Mapping]]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        errors.add(field, _("应为列表。"))
        return []
    if len(values) > MAX_ROWS:
        errors.add(field, _("最多 %(n)d 项。") % {"n": MAX_ROWS})
        return []
    rows = []
    for index, value in enumerate(values):
        if not isinstance(value, Mapping):
            errors.add(f"{field}[{index}]", _("格式无效。"))
            continue
        rows.append((index, value))
    return rows


def _user(errors, field, value, *, role: str | None = None) -> User | None:
    if value in (None, ""):
        return None
    if isinstance(value, User):
        user = value
    else:
        key = _key(value, 150)
        user = User.objects.filter(username=key).first() if key else None
    if user is None or not user.is_active or (role is not None and user.role != role):
        errors.add(field, _("找不到用户“%(u)s”。") % {"u": str(value)[:40]})
        return None
    return user


def _record(project, *, actor, at, action, body="", data=None):
    return PROJECT_FLOW.record(
        project, actor=actor, at=at, action=action, body=body, data=data or {}
    )


def _transition(project, *, action, actor, at, body="", data=None):
    return PROJECT_FLOW.transition(
        project, action=action, actor=actor, at=at, body=body, data=data or {}
    )


# --- starting from an issue -------------------------------------------------------------


def prefill_from_issue(issue) -> dict:
    """The kick-off fields an issue already answers (store, problem, when it was found,
    a level from its priority)."""
    priority = issue.priority or issue.suggested_priority
    return {
        "store": issue.store,
        "issue": issue,
        "title": issue.title,
        "problem": issue.description,
        "found_on": timezone.localdate(issue.submitted_at),
        "level": LEVEL_FOR_PRIORITY.get(priority, Level.B),
    }


def default_director(store: Store) -> User | None:
    return (
        User.objects.filter(role=Role.REGIONAL_DIRECTOR, region_id=store.region_id, is_active=True)
        .order_by("pk")
        .first()
    )


# --- cleaning the kick-off --------------------------------------------------------------


def _clean_whys(errors, values, existing: dict[int, Why]) -> list[dict]:
    cleaned = []
    for index, row in _rows(errors, "whys", values):
        path = f"whys[{index}]"
        question = _check_text(errors, f"{path}.why", row.get("why"), limit=TEXT_LIMITS["why"])
        answer = _check_text(
            errors, f"{path}.because", row.get("because"), limit=TEXT_LIMITS["because"]
        )
        evidence = _check_text(errors, f"{path}.evidence", row.get("evidence"), limit=2000)
        photo = row.get("photo") or None
        pk = row.get("id")
        if not (question or answer or evidence or photo) and pk in (None, ""):
            continue  # an empty row of the form
        if not question:
            errors.add(f"{path}.why", _("请填写“为什么”。"))
        if not answer:
            errors.add(f"{path}.because", _("请填写“因为”。"))
        why = None
        if pk not in (None, ""):
            why = existing.get(_as_pk(pk))
            if why is None:
                errors.add(f"{path}.id", _("该 Why 不属于本项目。"))
        checked = _check_photo(errors, f"{path}.photo", photo) if photo else None
        cleaned.append(
            {
                "obj": why,
                "question": question,
                "answer": answer,
                "evidence": evidence,
                "photo": checked,
                "clear_photo": bool(row.get("clear_photo")),
            }
        )
    if len(cleaned) > MAX_WHYS:
        errors.add("whys", _("5Why 最多 %(n)d 层。") % {"n": MAX_WHYS})
    return cleaned


def _as_pk(value) -> int | None:
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return pk if 0 < pk < 2**31 else None


def _check_photo(errors, field, upload):
    size = getattr(upload, "size", None)
    name = getattr(upload, "name", "photo") or "photo"
    if size is None or size > MAX_EVIDENCE_BYTES:
        errors.add(field, _("照片“%(f)s”超过 10 MB。") % {"f": name})
        return None
    if size == 0:
        errors.add(field, _("照片“%(f)s”是空文件。") % {"f": name})
        return None
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in EVIDENCE_TYPES:
        errors.add(field, _("“%(f)s”不是照片（JPEG、PNG、GIF 或 WebP）。") % {"f": name})
        return None
    return upload, kind.mime


def _clean_goals(errors, values, existing: dict[int, Goal]) -> list[dict]:
    cleaned = []
    for index, row in _rows(errors, "goals", values):
        path = f"goals[{index}]"
        name = _check_text(
            errors,
            f"{path}.name",
            row.get("name"),
            required_message=_("请填写指标名称。"),
            limit=TEXT_LIMITS["name"],
        )
        unit = _check_text(errors, f"{path}.unit", row.get("unit"), limit=TEXT_LIMITS["unit"])
        baseline = _decimal(errors, f"{path}.baseline", row.get("baseline"))
        target = _decimal(
            errors, f"{path}.target", row.get("target"), required_message=_("请填写目标值。")
        )
        direction = _choice(
            errors,
            f"{path}.direction",
            row.get("direction"),
            Direction,
            required_message=_("请选择方向（越低越好或越高越好）。"),
        )
        method = row.get("method") or GoalMethod.STANDARD
        method = _choice(errors, f"{path}.method", method, GoalMethod, required_message="")
        if method == GoalMethod.PROGRESS:
            if baseline is None:
                errors.add(f"{path}.baseline", _("按进度计算达成率时必须填写基线值。"))
            elif target is not None and baseline == target:
                errors.add(f"{path}.target", _("目标值不能等于基线值。"))
        if baseline is not None and target is not None and direction and baseline != target:
            wrong = (direction == Direction.LOWER and target > baseline) or (
                direction == Direction.HIGHER and target < baseline
            )
            if wrong:
                errors.add(
                    f"{path}.target",
                    _("目标值与方向不符：越低越好时目标应低于基线，越高越好时应高于基线。"),
                )
        goal = None
        pk = row.get("id")
        if pk not in (None, ""):
            goal = existing.get(_as_pk(pk))
            if goal is None:
                errors.add(f"{path}.id", _("该目标不属于本项目。"))
        core = row.get("core")
        cleaned.append(
            {
                "obj": goal,
                "name": name,
                "unit": unit,
                "baseline": baseline,
                "target": target,
                "direction": direction,
                "method": method,
                "core": True if core is None else bool(core),
            }
        )
    return cleaned


def _clean_measure(errors, path, row, *, base: Measure | None, default_start, partial: bool):
    """One measure: the full row (or, with ``partial``, the given keys over ``base``)."""

    def value(key, current):
        if key in row:
            return row[key]
        return current if partial else None

    text = _check_text(
        errors,
        f"{path}.text",
        value("text", base.text if base else ""),
        required_message=_("请填写措施内容。"),
        limit=2000,
    )
    kind = _choice(
        errors,
        f"{path}.kind",
        value("kind", base.kind if base else None),
        MeasureKind,
        required_message=_("请选择措施类型（应急/根本/工具/辅助）。"),
    )
    owner = _user(errors, f"{path}.owner", value("owner", base.owner if base else None))
    owner_name = _check_text(
        errors, f"{path}.owner_name", value("owner_name", base.owner_name if base else ""), limit=64
    )
    if owner is None and not owner_name and f"{path}.owner" not in errors:
        errors.add(f"{path}.owner_name", _("请填写责任人（用户或姓名）。"))
    start_on = _date(errors, f"{path}.start_on", value("start_on", base.start_on if base else None))
    start_on = start_on or (base.start_on if base else None) or default_start
    deadline = _date(
        errors,
        f"{path}.deadline",
        value("deadline", base.deadline if base else None),
        required_message=_("请填写完成期限。"),
    )
    if start_on and deadline and deadline < start_on:
        errors.add(
            f"{path}.deadline",
            _("完成期限不能早于开始日期（%(d)s）。") % {"d": start_on.isoformat()},
        )
    # Status and progress change only when given (a new measure starts not started, 0 %).
    status = row.get("status")
    if status not in (None, ""):
        status = _choice(errors, f"{path}.status", status, MeasureStatus, required_message="")
    else:
        status = None
    progress = row.get("progress")
    if progress not in (None, ""):
        progress = _int(errors, f"{path}.progress", progress, low=0, high=100)
    else:
        progress = None
    return {
        "obj": base,
        "text": text,
        "kind": kind,
        "owner": owner,
        "owner_name": owner_name,
        "start_on": start_on,
        "deadline": deadline,
        "status": status,
        "progress": progress,
    }


def _clean_measures(errors, values, existing, *, default_start, partial: bool) -> list[dict]:
    cleaned = []
    for index, row in _rows(errors, "measures", values):
        path = f"measures[{index}]"
        base = None
        pk = row.get("id")
        if pk not in (None, ""):
            base = existing.get(_as_pk(pk))
            if base is None:
                errors.add(f"{path}.id", _("该措施不属于本项目。"))
                continue
        cleaned.append(
            _clean_measure(
                errors,
                path,
                row,
                base=base,
                default_start=default_start,
                partial=partial and base is not None,
            )
        )
    return cleaned


def _clean_plan(errors, plan: Mapping, current: Mapping) -> dict:
    merged = dict(current)
    if plan is not None and not isinstance(plan, Mapping):
        errors.add("plan", _("格式无效。"))
        plan = {}
    for key in PLAN_FIELDS:
        if plan and key in plan:
            merged[key] = _date(errors, f"plan.{key}", plan[key])
    for key in REQUIRED_PLAN:
        if merged.get(key) is None and f"plan.{key}" not in errors:
            errors.add(
                f"plan.{key}",
                {
                    "start_on": _("请填写启动日期。"),
                    "execution_from": _("请填写执行期开始日期。"),
                    "execution_to": _("请填写执行期结束日期。"),
                }[key],
            )
    order = [
        ("start_on", "execution_from", _("执行期不能早于启动日期。")),
        ("execution_from", "execution_to", _("执行期结束不能早于开始。")),
        ("execution_to", "acceptance_on", _("验收日期不能早于执行期结束。")),
        ("acceptance_on", "observation_from", _("观察期不能早于验收日期。")),
        ("execution_to", "observation_from", _("观察期不能早于执行期结束。")),
        ("observation_from", "observation_to", _("观察期结束不能早于开始。")),
        ("observation_to", "closure_on", _("闭环日期不能早于观察期结束。")),
        ("execution_to", "closure_on", _("闭环日期不能早于执行期结束。")),
    ]
    for earlier, later, message in order:
        a, b = merged.get(earlier), merged.get(later)
        if a and b and b < a and f"plan.{later}" not in errors:
            errors.add(f"plan.{later}", message)
    return merged


def _clean_tracking(errors, tracking, *, level, current: Mapping | None) -> dict:
    if tracking is not None and not isinstance(tracking, Mapping):
        errors.add("tracking", _("格式无效。"))
        tracking = {}
    tracking = tracking or {}
    defaults = rules.default_cadence(level) if level in Level.values else (1, 7)
    current = current or {}
    result = {}
    for key, default in zip(
        ("execution_every_days", "observation_every_days"), defaults, strict=True
    ):
        raw = tracking.get(key)
        if raw in (None, ""):
            result[key] = current.get(key) or default
        else:
            result[key] = _int(errors, f"tracking.{key}", raw, low=1, high=MAX_CADENCE_DAYS)
    methods = tracking.get("methods", current.get("methods", []))
    if isinstance(methods, str):
        methods = [methods]
    clean = []
    for index, method in enumerate(methods or []):
        if method not in TrackingMethod.values:
            errors.add(f"tracking.methods[{index}]", _("跟踪方式无效。"))
        elif method not in clean:
            clean.append(method)
    result["methods"] = clean
    return result


def _clean_criteria(errors, criteria, current: Mapping) -> dict:
    if criteria is not None and not isinstance(criteria, Mapping):
        errors.add("criteria", _("格式无效。"))
        criteria = {}
    criteria = criteria or {}
    return {
        key: (
            _lines(errors, f"criteria.{key}", criteria[key])
            if key in criteria
            else current.get(key, [])
        )
        for key in ("quantitative", "qualitative")
    }


def _current(project: Project | None) -> dict:
    if project is None:
        return {}
    return {
        "store": project.store,
        "issue": project.issue,
        "title": project.title,
        "problem": project.problem,
        "found_on": project.found_on,
        "level": project.level,
        "containment": project.containment,
        "ops_specialist": project.ops_specialist,
        "regional_director": project.regional_director,
        "plan": {key: getattr(project, key) for key in PLAN_FIELDS},
        "tracking": {
            "execution_every_days": project.execution_every_days,
            "observation_every_days": project.observation_every_days,
            "methods": list(project.tracking_methods),
        },
        "criteria": {
            "quantitative": list(project.criteria_quantitative),
            "qualitative": list(project.criteria_qualitative),
        },
    }


def _clean_kickoff(data: Mapping, *, actor: User, project: Project | None, today) -> dict:
    """Validate a kick-off (a whole one, or the keys of an update over ``project``)."""
    errors = _Errors()
    current = _current(project)
    given = set(data)

    def pick(key):
        return data[key] if key in data else current.get(key)

    # Where: the store, the issue it came from.
    issue = pick("issue")
    if "issue" in data and data["issue"] not in (None, ""):
        from issues.models import Issue

        if not isinstance(issue, Issue):
            key = _key(issue, 20)
            issue = Issue.objects.visible_to(actor).filter(number=key).first() if key else None
        elif not Issue.objects.visible_to(actor).filter(pk=issue.pk).exists():
            issue = None
        if issue is None:
            errors.add("issue", _("问题“%(n)s”不存在或不在你的范围内。") % {"n": data["issue"]})
    elif "issue" in data:
        issue = None
    store = pick("store")
    if store is None and issue is not None:
        store = issue.store
    if "store" in data or project is None:
        if store in (None, ""):
            errors.add("store", _("请选择门店。"))
            store = None
        else:
            if not isinstance(store, Store):
                key = _key(store, 32)
                store = Store.objects.filter(code=key).first() if key else None
            if store is None or not Store.objects.visible_to(actor).filter(pk=store.pk).exists():
                errors.add("store", _("门店不存在或不在你的范围内。"))
                store = None
            elif not store.active:
                errors.add("store", _("该门店已停用。"))
    if store is not None and issue is not None and issue.store_id != store.pk:
        errors.add("issue", _("来源问题不属于该门店。"))

    title = _check_text(
        errors, "title", pick("title"), required_message=_("请填写项目名称。"), limit=200
    )
    problem = _check_text(
        errors, "problem", pick("problem"), required_message=_("请填写问题描述。"), limit=5000
    )
    found_on = _date(errors, "found_on", pick("found_on"), required_message=_("请填写发现日期。"))
    if found_on and found_on > today:
        errors.add("found_on", _("发现日期不能晚于今天。"))
    level = _choice(
        errors, "level", pick("level"), Level, required_message=_("请选择问题级别（A/B/C）。")
    )
    containment = _check_text(errors, "containment", pick("containment"), limit=5000)

    # Who: the ops specialist who runs it, the director who signs.
    ops = pick("ops_specialist")
    if ops in (None, "") and project is None and actor.role == Role.OPS_SPECIALIST:
        ops = actor
    ops = _user(errors, "ops_specialist", ops, role=Role.OPS_SPECIALIST)
    if ops is None and "ops_specialist" not in errors:
        errors.add("ops_specialist", _("请指定运营专家。"))
    elif ops is not None and store is not None and not ops.stores.filter(pk=store.pk).exists():
        errors.add("ops_specialist", _("运营专家“%(u)s”不负责该门店。") % {"u": ops})
    director = pick("regional_director")
    if "regional_director" not in data and project is None and store is not None:
        director = default_director(store)
    director = _user(errors, "regional_director", director, role=Role.REGIONAL_DIRECTOR)
    if director is not None and store is not None and director.region_id != store.region_id:
        errors.add("regional_director", _("区域总监“%(u)s”不负责该门店的区域。") % {"u": director})

    result = {
        "store": store,
        "issue": issue,
        "title": title,
        "problem": problem,
        "found_on": found_on,
        "level": level,
        "containment": containment,
        "ops_specialist": ops,
        "regional_director": director,
    }
    if "symptoms" in given:
        result["symptoms"] = _lines(errors, "symptoms", data["symptoms"], limit=2000)
    if "root_causes" in given:
        result["root_causes"] = _lines(errors, "root_causes", data["root_causes"], limit=2000)
    if "whys" in given:
        existing = {w.pk: w for w in project.whys.all()} if project else {}
        result["whys"] = _clean_whys(errors, data["whys"], existing)
    if "goals" in given:
        existing = {g.pk: g for g in project.goals.all()} if project else {}
        result["goals"] = _clean_goals(errors, data["goals"], existing)
    plan = _clean_plan(
        errors, data.get("plan") if "plan" in given else None, current.get("plan", {})
    )
    result["plan"] = plan
    if "measures" in given:
        existing = {m.pk: m for m in project.measures.all()} if project else {}
        default_start = plan.get("start_on") or plan.get("execution_from") or today
        result["measures"] = _clean_measures(
            errors, data["measures"], existing, default_start=default_start, partial=False
        )
    level_changed = project is not None and "level" in given and level != project.level
    if "tracking" in given or project is None or level_changed:
        keep = None if (project is None or level_changed) else current.get("tracking")
        if level_changed and "tracking" not in given:
            keep = {"methods": current["tracking"]["methods"]}
        result["tracking"] = _clean_tracking(
            errors, data.get("tracking"), level=level, current=keep
        )
    if "criteria" in given or project is None:
        result["criteria"] = _clean_criteria(
            errors, data.get("criteria"), current.get("criteria", {})
        )
    errors.raise_if_any()
    return result


# --- writing the kick-off ---------------------------------------------------------------


def _write_rows(project, model, field_values: list[str]) -> None:
    model.objects.filter(project=project).delete()
    model.objects.bulk_create(
        [model(project=project, order=i, text=text) for i, text in enumerate(field_values, 1)]
    )


def _write_whys(project, whys: list[dict]) -> None:
    keep = {w["obj"].pk for w in whys if w["obj"] is not None}
    for gone in project.whys.exclude(pk__in=keep):
        _delete_file_on_commit(gone.photo)
        gone.delete()
    for order, row in enumerate(whys, 1):
        why = row["obj"] or Why(project=project)
        why.order = order
        why.question = row["question"]
        why.answer = row["answer"]
        why.evidence = row["evidence"]
        if row["clear_photo"] and why.photo:
            _delete_file_on_commit(why.photo)
            why.photo = ""
            why.photo_type = ""
        if row["photo"] is not None:
            upload, mime = row["photo"]
            if why.photo:
                _delete_file_on_commit(why.photo)
            why.photo.save(f"{order}.{EVIDENCE_TYPES[mime]}", upload, save=False)
            why.photo_type = mime
        why.save()


def _delete_file_on_commit(field_file) -> None:
    if field_file:
        storage, name = field_file.storage, field_file.name
        transaction.on_commit(lambda: storage.delete(name))


def _write_goals(project, goals: list[dict]) -> None:
    keep = {g["obj"].pk for g in goals if g["obj"] is not None}
    project.goals.exclude(pk__in=keep).delete()
    for order, row in enumerate(goals, 1):
        goal = row["obj"] or Goal(project=project)
        goal.order = order
        for key in ("name", "unit", "baseline", "target", "direction", "method", "core"):
            setattr(goal, key, row[key])
        goal.save()


def _apply_measure(measure: Measure, row: dict, today: dt.date) -> None:
    for key in ("text", "kind", "owner", "owner_name", "start_on", "deadline"):
        setattr(measure, key, row[key])
    _set_measure_progress(measure, status=row["status"], progress=row["progress"], today=today)


def _set_measure_progress(measure: Measure, *, status, progress, today) -> None:
    """Keep status and progress consistent: done is 100 %, 100 % is done, some progress is
    in progress."""
    if status is not None:
        measure.status = status
    if progress is not None:
        measure.progress = progress
    if status == MeasureStatus.DONE:
        measure.progress = 100
    elif progress == 100:
        measure.status = MeasureStatus.DONE
    elif status is None and progress is not None:
        if measure.status == MeasureStatus.DONE:
            measure.status = MeasureStatus.IN_PROGRESS if progress else MeasureStatus.NOT_STARTED
        elif measure.status == MeasureStatus.NOT_STARTED and progress > 0:
            measure.status = MeasureStatus.IN_PROGRESS
    if measure.status == MeasureStatus.DONE:
        measure.done_on = measure.done_on or today
    else:
        measure.done_on = None


def _write_measures(project, measures: list[dict], today, *, replace: bool) -> list[Measure]:
    if replace:
        keep = {m["obj"].pk for m in measures if m["obj"] is not None}
        project.measures.exclude(pk__in=keep).delete()
        start = 1
    else:
        start = (
            project.measures.order_by("-order").values_list("order", flat=True).first() or 0
        ) + 1
    written = []
    for position, row in enumerate(measures):
        measure = row["obj"] or Measure(project=project)
        if replace:
            measure.order = start + position
        elif measure.pk is None:
            measure.order = start
            start += 1
        _apply_measure(measure, row, today)
        measure.save()
        written.append(measure)
    return written


def _apply_scalars(project: Project, cleaned: dict) -> None:
    for key in (
        "store",
        "issue",
        "title",
        "problem",
        "found_on",
        "level",
        "containment",
        "ops_specialist",
        "regional_director",
    ):
        setattr(project, key, cleaned[key])
    for key, value in cleaned["plan"].items():
        setattr(project, key, value)
    if "tracking" in cleaned:
        project.execution_every_days = cleaned["tracking"]["execution_every_days"]
        project.observation_every_days = cleaned["tracking"]["observation_every_days"]
        project.tracking_methods = cleaned["tracking"]["methods"]
    if "criteria" in cleaned:
        project.criteria_quantitative = cleaned["criteria"]["quantitative"]
        project.criteria_qualitative = cleaned["criteria"]["qualitative"]


def _write_children(project: Project, cleaned: dict, today) -> None:
    if "symptoms" in cleaned:
        _write_rows(project, Symptom, cleaned["symptoms"])
    if "root_causes" in cleaned:
        _write_rows(project, RootCause, cleaned["root_causes"])
    if "whys" in cleaned:
        _write_whys(project, cleaned["whys"])
    if "goals" in cleaned:
        _write_goals(project, cleaned["goals"])
    if "measures" in cleaned:
        _write_measures(project, cleaned["measures"], today, replace=True)


@transaction.atomic
def create_project(*, actor: User, data: Mapping, at: dt.datetime | None = None) -> Project:
    """Open a project (status ``draft``) from a kick-off, blank or from an issue."""
    at = _now(at)
    today = _today(at)
    if not policy.can_create(actor):
        raise PermissionDenied(_("只有运营专员或运营负责人可以发起整改项目。"))
    data = dict(data)
    issue = data.get("issue")
    if issue not in (None, ""):
        from issues.models import Issue

        key = None if isinstance(issue, Issue) else _key(issue, 20)
        found = (
            issue
            if isinstance(issue, Issue)
            else (Issue.objects.visible_to(actor).filter(number=key).first() if key else None)
        )
        if found is not None and Issue.objects.visible_to(actor).filter(pk=found.pk).exists():
            for key, value in prefill_from_issue(found).items():
                if data.get(key) in (None, ""):
                    data[key] = value
    cleaned = _clean_kickoff(data, actor=actor, project=None, today=today)
    year = timezone.localtime(at).year
    project = Project(
        number=format_number("REF", year, next_value("REF", year), 3),
        status=Status.DRAFT,
        created_by=actor,
        created_at=at,
    )
    _apply_scalars(project, cleaned)
    project.save()
    _write_children(project, cleaned, today)
    PROJECT_FLOW.record(
        project,
        actor=actor,
        at=at,
        action=Action.CREATE,
        to_status=Status.DRAFT,
        body=project.title,
        data={"issue": project.issue.number if project.issue else None},
    )
    return project


@transaction.atomic
def update_project(
    *, project: Project, actor: User, data: Mapping, at: dt.datetime | None = None
) -> Project:
    """Change a project (PATCH): in a draft any kick-off field (lists are replaced; rows
    with an ``id`` keep their identity); later only the measures (rows with an ``id`` are
    updated, rows without one are added) and the tracking cadence.

    Editing a draft someone has already signed withdraws the signatures: they signed a
    different kick-off."""
    at = _now(at)
    today = _today(at)
    project = PROJECT_FLOW.lock(project)
    given = {key for key in data if key in KICKOFF_KEYS | {"measures", "tracking"}}
    if not given:
        raise DomainError(_("没有可修改的内容。"))
    if project.status == Status.DRAFT or given & KICKOFF_KEYS:
        PROJECT_FLOW.check(project, Action.EDIT, actor)
    draft = project.status == Status.DRAFT
    if not draft:
        if "measures" in given:
            PROJECT_FLOW.check(project, Action.UPDATE_MEASURE, actor)
            if not policy.runs(actor, project):
                raise PermissionDenied(_("只有项目的运营专家可以通过接口调整措施。"))
        if "tracking" in given:
            PROJECT_FLOW.check(project, Action.CHANGE_CADENCE, actor)

    if draft:
        cleaned = _clean_kickoff(data, actor=actor, project=project, today=today)
        _apply_scalars(project, cleaned)
        project.save()
        _write_children(project, cleaned, today)
        withdrawn = list(project.signoffs.values_list("role", flat=True))
        if withdrawn:
            project.signoffs.all().delete()
        _record(
            project,
            actor=actor,
            at=at,
            action=Action.EDIT,
            body=_("启动表已修改，已有签字作废，需重新签字。") if withdrawn else "",
            data={"fields": sorted(given), "withdrawn": withdrawn},
        )
        return project

    errors = _Errors()
    if "measures" in given:
        existing = {m.pk: m for m in project.measures.all()}
        default_start = project.start_on or project.execution_from or today
        rows = _clean_measures(
            errors, data["measures"], existing, default_start=default_start, partial=True
        )
    if "tracking" in given:
        tracking = _clean_tracking(
            errors,
            data["tracking"],
            level=project.level,
            current={
                "execution_every_days": project.execution_every_days,
                "observation_every_days": project.observation_every_days,
                "methods": list(project.tracking_methods),
            },
        )
    errors.raise_if_any()
    if "measures" in given:
        written = _write_measures(project, rows, today, replace=False)
        _record(
            project,
            actor=actor,
            at=at,
            action=Action.UPDATE_MEASURE,
            body="；".join(m.text[:40] for m in written),
            data={"measures": [m.pk for m in written]},
        )
    if "tracking" in given:
        _set_cadence(project, tracking, actor=actor, at=at)
    _refresh(project, today=today, actor=actor, at=at)
    return project


def _set_cadence(project, tracking: dict, *, actor, at) -> None:
    old = [project.execution_every_days, project.observation_every_days]
    project.execution_every_days = tracking["execution_every_days"]
    project.observation_every_days = tracking["observation_every_days"]
    project.tracking_methods = tracking["methods"]
    project.save(
        update_fields=[
            "execution_every_days",
            "observation_every_days",
            "tracking_methods",
            "updated_at",
        ]
    )
    _record(
        project,
        actor=actor,
        at=at,
        action=Action.CHANGE_CADENCE,
        data={"old": old, "new": [project.execution_every_days, project.observation_every_days]},
    )


@transaction.atomic
def change_cadence(
    *,
    project: Project,
    actor: User,
    execution_every_days,
    observation_every_days,
    methods=None,
    at: dt.datetime | None = None,
) -> Project:
    """Override the level's tracking cadence for this project."""
    at = _now(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.CHANGE_CADENCE, actor)
    errors = _Errors()
    tracking = _clean_tracking(
        errors,
        {
            "execution_every_days": execution_every_days,
            "observation_every_days": observation_every_days,
            **({"methods": methods} if methods is not None else {}),
        },
        level=project.level,
        current={"methods": list(project.tracking_methods)},
    )
    for key in ("execution_every_days", "observation_every_days"):
        if tracking.get(key) is None and f"tracking.{key}" not in errors:
            errors.add(f"tracking.{key}", _("请填写跟踪间隔。"))
    errors.raise_if_any()
    _set_cadence(project, tracking, actor=actor, at=at)
    _refresh(project, today=_today(at), actor=actor, at=at)
    return project


# --- sign-offs and the lifecycle --------------------------------------------------------


def missing_for_signature(project: Project) -> dict[str, str]:
    """What a kick-off still lacks before it can be signed (field -> message)."""
    missing = {}
    if not project.symptoms.exists():
        missing["symptoms"] = _("请至少填写一条问题表现。")
    if not project.whys.exists():
        missing["whys"] = _("请完成 5Why 分析。")
    if not project.root_causes.exists():
        missing["root_causes"] = _("请填写根本原因。")
    if not project.goals.filter(core=True).exists():
        missing["goals"] = _("请至少设定一个核心目标。")
    if not project.measures.exists():
        missing["measures"] = _("请至少填写一项措施。")
    return missing


@transaction.atomic
def sign(*, project: Project, actor: User, at: dt.datetime | None = None) -> Project:
    """The caller signs in their role; the third signature kicks the project off."""
    at = _now(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.SIGN, actor)
    role = policy.signer_role(actor, project)
    if project.signoffs.filter(role=role).exists():
        raise InvalidTransition(_("“%(r)s”已经签过字了。") % {"r": SignRole(role).label})
    missing = missing_for_signature(project)
    if missing:
        raise DomainError(
            _("启动表还不完整，不能签字：%(m)s") % {"m": "；".join(missing.values())},
            errors={key: [message] for key, message in missing.items()},
        )
    SignOff.objects.create(project=project, role=role, user=actor, at=at)
    if role == SignRole.REGIONAL_DIRECTOR and project.regional_director_id is None:
        project.regional_director = actor
        project.save(update_fields=["regional_director", "updated_at"])
    _record(project, actor=actor, at=at, action=Action.SIGN, data={"role": role})
    if project.signoffs.count() == len(SignRole.values):
        _transition(project, action=Action.KICK_OFF, actor=actor, at=at)
        project.kicked_off_at = at
        project.save(update_fields=["status", "kicked_off_at", "updated_at"])
        _refresh(project, today=_today(at), actor=actor, at=at)
    return project


@transaction.atomic
def start(*, project: Project, actor: User, at: dt.datetime | None = None) -> Project:
    """开始执行: kicked off → executing; the tracking clock starts."""
    at = _now(at)
    project = PROJECT_FLOW.lock(project)
    _transition(project, action=Action.START, actor=actor, at=at)
    project.started_on = _today(at)
    project.save()
    _refresh(project, today=_today(at), actor=actor, at=at)
    return project


@transaction.atomic
def submit(*, project: Project, actor: User, at: dt.datetime | None = None) -> Project:
    """提交验收: executing → pending acceptance."""
    at = _now(at)
    project = PROJECT_FLOW.lock(project)
    _transition(project, action=Action.SUBMIT, actor=actor, at=at)
    project.submitted_at = at
    project.save()
    _refresh(project, today=_today(at), actor=actor, at=at)
    return project


@transaction.atomic
def cancel(*, project: Project, actor: User, reason: str, at: dt.datetime | None = None) -> Project:
    """取消, with a reason (required)."""
    at = _now(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.CANCEL, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("取消项目必须填写原因。"), field="reason")
    if len(reason) > 2000 or "\x00" in reason:
        raise DomainError(_("原因最多 2000 个字。"), field="reason")
    _transition(project, action=Action.CANCEL, actor=actor, at=at, body=reason)
    project.cancelled_at = at
    project.cancel_reason = reason
    project.next_tracking_on = None
    project.save()
    return project


# --- measures ---------------------------------------------------------------------------


@transaction.atomic
def update_measure(
    *,
    project: Project,
    measure_id: int,
    actor: User,
    status: str | None = None,
    progress=None,
    deadline=None,
    at: dt.datetime | None = None,
) -> Measure:
    """A measure's status, progress (and, for the project's ops, deadline) change; the
    project's health follows at once."""
    at = _now(at)
    today = _today(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.UPDATE_MEASURE, actor)
    measure = project.measures.filter(pk=_as_pk(measure_id)).first()
    if measure is None:
        raise DomainError(_("该措施不属于本项目。"), field="measure")
    if not policy.can_update_measure(actor, measure, project):
        raise PermissionDenied(_("只有项目的运营专家、门店店长或措施责任人可以更新该措施。"))
    errors = _Errors()
    if status not in (None, ""):
        status = _choice(errors, "status", status, MeasureStatus, required_message="")
    else:
        status = None
    progress = _int(errors, "progress", progress, low=0, high=100)
    new_deadline = _date(errors, "deadline", deadline)
    if new_deadline is not None:
        if not policy.runs(actor, project):
            errors.add("deadline", _("只有项目的运营专家可以调整完成期限。"))
        elif new_deadline < measure.start_on:
            errors.add(
                "deadline",
                _("完成期限不能早于开始日期（%(d)s）。") % {"d": measure.start_on.isoformat()},
            )
    errors.raise_if_any()
    old = {
        "status": measure.status,
        "progress": measure.progress,
        "deadline": str(measure.deadline),
    }
    _set_measure_progress(measure, status=status, progress=progress, today=today)
    if new_deadline is not None:
        measure.deadline = new_deadline
    measure.save()
    new = {
        "status": measure.status,
        "progress": measure.progress,
        "deadline": str(measure.deadline),
    }
    _record(
        project,
        actor=actor,
        at=at,
        action=Action.UPDATE_MEASURE,
        body=measure.text[:80],
        data={"measure": measure.pk, "old": old, "new": new},
    )
    _refresh(project, today=today, actor=actor, at=at)
    return measure


# --- tracking ---------------------------------------------------------------------------


def tracking_interval(project: Project) -> int:
    if project.status == Status.OBSERVING:
        return project.observation_every_days
    return project.execution_every_days


def _clean_log(errors, project: Project, data: Mapping, today: dt.date) -> dict:
    date = _date(errors, "date", data.get("date") or today)
    if date is not None:
        if date > today:
            errors.add("date", _("跟踪日期不能晚于今天。"))
        elif project.execution_from and date < project.execution_from:
            errors.add(
                "date",
                _("跟踪日期不能早于执行期开始（%(d)s）。")
                % {"d": project.execution_from.isoformat()},
            )
        elif project.tracking_logs.filter(date=date).exists():
            errors.add("date", _("%(d)s 已有跟踪记录。") % {"d": date.isoformat()})
    method = _choice(
        errors, "method", data.get("method"), TrackingMethod, required_message=_("请选择跟踪方式。")
    )
    progress = _int(
        errors,
        "progress",
        data.get("progress"),
        low=0,
        high=100,
        required_message=_("请填写当前进度。"),
    )
    assessment = _choice(
        errors,
        "assessment",
        data.get("assessment"),
        Assessment,
        required_message=_("请选择进度评估。"),
    )
    done = _lines(errors, "done", data.get("done"), limit=TEXT_LIMITS["item"])
    in_progress = []
    for index, row in _rows(errors, "in_progress", data.get("in_progress")):
        path = f"in_progress[{index}]"
        text = _check_text(errors, f"{path}.text", row.get("text"), limit=TEXT_LIMITS["item"])
        if not text:
            if any(row.get(k) not in (None, "") for k in ("progress", "expected_on")):
                errors.add(f"{path}.text", _("请填写事项内容。"))
            continue
        in_progress.append(
            {
                "text": text,
                "progress": _int(
                    errors, f"{path}.progress", row.get("progress") or 0, low=0, high=100
                )
                or 0,
                "expected_on": _date(errors, f"{path}.expected_on", row.get("expected_on")),
            }
        )
    difficulties = []
    for index, row in _rows(errors, "difficulties", data.get("difficulties")):
        path = f"difficulties[{index}]"
        text = _check_text(errors, f"{path}.text", row.get("text"), limit=TEXT_LIMITS["item"])
        support = _check_text(
            errors, f"{path}.support", row.get("support"), limit=TEXT_LIMITS["item"]
        )
        if not text:
            if support:
                errors.add(f"{path}.text", _("请填写困难内容。"))
            continue
        impact = _choice(
            errors,
            f"{path}.impact",
            row.get("impact"),
            Impact,
            required_message=_("请选择影响程度。"),
        )
        difficulties.append({"text": text, "impact": impact, "support": support})
    solutions = []
    for index, row in _rows(errors, "solutions", data.get("solutions")):
        path = f"solutions[{index}]"
        text = _check_text(errors, f"{path}.text", row.get("text"), limit=TEXT_LIMITS["item"])
        owner_name = _check_text(errors, f"{path}.owner_name", row.get("owner_name"), limit=64)
        deadline = _date(errors, f"{path}.deadline", row.get("deadline"))
        if not text:
            if owner_name or deadline:
                errors.add(f"{path}.text", _("请填写解决方案。"))
            continue
        solutions.append({"text": text, "owner_name": owner_name, "deadline": deadline})
    goals = {goal.pk: goal for goal in project.goals.all()}
    readings, seen = [], set()
    for index, row in _rows(errors, "readings", data.get("readings")):
        path = f"readings[{index}]"
        raw_goal = row.get("goal")
        goal = raw_goal if isinstance(raw_goal, Goal) else goals.get(_as_pk(raw_goal))
        if goal is None or goal.project_id != project.pk:
            errors.add(f"{path}.goal", _("该指标不属于本项目。"))
            continue
        if row.get("value") in (None, ""):
            continue  # not measured this time
        value = _decimal(errors, f"{path}.value", row.get("value"))
        if goal.pk in seen:
            errors.add(f"{path}.goal", _("同一指标只能填写一个当前值。"))
            continue
        seen.add(goal.pk)
        if value is not None:
            readings.append({"goal": goal, "value": value})
    interval = tracking_interval(project)
    next_on = _date(errors, "next_on", data.get("next_on"))
    if date is not None and "date" not in errors:
        latest = date + dt.timedelta(days=interval)
        if next_on is None and "next_on" not in errors:
            next_on = latest
        elif next_on is not None and next_on <= date:
            errors.add("next_on", _("下次跟踪日期应晚于本次跟踪日期。"))
        elif next_on is not None and next_on > latest:
            errors.add(
                "next_on",
                _("按跟踪频率（每 %(n)d 天），下次跟踪不能晚于 %(d)s。")
                % {"n": interval, "d": latest.isoformat()},
            )
    focus = _check_text(errors, "focus", data.get("focus"), limit=2000)
    return {
        "date": date,
        "method": method,
        "progress": progress,
        "assessment": assessment,
        "done": done,
        "in_progress": in_progress,
        "difficulties": difficulties,
        "solutions": solutions,
        "readings": readings,
        "next_on": next_on,
        "focus": focus,
    }


@transaction.atomic
def add_tracking_log(
    *, project: Project, actor: User, data: Mapping, at: dt.datetime | None = None
) -> TrackingLog:
    """整改跟踪记录: record one tracking; the project's progress, next tracking date and
    health follow."""
    at = _now(at)
    today = _today(at)
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.TRACK, actor)
    errors = _Errors()
    clean = _clean_log(errors, project, data, today)
    errors.raise_if_any()
    log = TrackingLog.objects.create(
        project=project,
        date=clean["date"],
        day=rules.day_of_execution(project.execution_from or project.started_on, clean["date"]),
        method=clean["method"],
        progress=clean["progress"],
        assessment=clean["assessment"],
        done=clean["done"],
        next_on=clean["next_on"],
        focus=clean["focus"],
        recorder=actor,
        recorded_at=at,
    )
    InProgressItem.objects.bulk_create(
        [InProgressItem(log=log, order=i, **row) for i, row in enumerate(clean["in_progress"], 1)]
    )
    Difficulty.objects.bulk_create(
        [Difficulty(log=log, order=i, **row) for i, row in enumerate(clean["difficulties"], 1)]
    )
    Solution.objects.bulk_create(
        [Solution(log=log, order=i, **row) for i, row in enumerate(clean["solutions"], 1)]
    )
    Reading.objects.bulk_create([Reading(log=log, **row) for row in clean["readings"]])
    _record(
        project,
        actor=actor,
        at=at,
        action=Action.TRACK,
        body=clean["focus"],
        data={
            "log": log.pk,
            "date": log.date.isoformat(),
            "day": log.day,
            "progress": log.progress,
            "assessment": log.assessment,
        },
    )
    _refresh(project, today=today, actor=actor, at=at)
    return log


def prefill_log(project: Project, today: dt.date) -> dict:
    """The tracking form pre-filled from the last record: open items, difficulties, their
    solutions, the metric readings, method, progress and assessment; today's date and the
    next date by the cadence."""
    last = (
        project.tracking_logs.order_by("-date", "-pk")
        .prefetch_related("in_progress", "difficulties", "solutions", "readings")
        .first()
    )
    interval = tracking_interval(project)
    data = {
        "date": today,
        "next_on": today + dt.timedelta(days=interval),
        "method": (project.tracking_methods or [TrackingMethod.PHONE])[0],
        "progress": project.progress,
        "assessment": Assessment.ON_PLAN,
        "done": [],
        "in_progress": [],
        "difficulties": [],
        "solutions": [],
        "readings": {},
        "focus": "",
    }
    if last is None:
        data["in_progress"] = [
            {"text": m.text[:300], "progress": m.progress, "expected_on": m.deadline}
            for m in project.measures.exclude(status=MeasureStatus.DONE)
        ]
        return data
    data.update(
        method=last.method,
        progress=last.progress,
        assessment=last.assessment,
        in_progress=[
            {"text": i.text, "progress": i.progress, "expected_on": i.expected_on}
            for i in last.in_progress.all()
            if i.progress < 100
        ],
        difficulties=[
            {"text": d.text, "impact": d.impact, "support": d.support}
            for d in last.difficulties.all()
        ],
        solutions=[
            {"text": s.text, "owner_name": s.owner_name, "deadline": s.deadline}
            for s in last.solutions.all()
        ],
        readings={r.goal_id: r.value for r in last.readings.all()},
    )
    return data


# --- derived state: next tracking date and health ---------------------------------------


def _resumed_on(project: Project) -> dt.date | None:
    """The date of the project's latest failed acceptance (execution resumed), if any."""
    return project.acceptances.filter(conclusion="fail").aggregate(last=Max("date"))["last"]


def _refresh(project: Project, *, today: dt.date, actor=None, at=None) -> bool:
    """Recompute progress, the last and next tracking dates and the health of a locked
    project; record a health change. Returns whether the health changed."""
    at = _now(at)
    last = project.tracking_logs.order_by("-date", "-pk").first()
    project.last_tracked_on = last.date if last else None
    if last is not None:
        project.progress = last.progress
    if project.status == Status.EXECUTING:
        base = rules.tracking_base(
            last_tracked_on=project.last_tracked_on,
            execution_from=project.execution_from,
            started_on=project.started_on,
        )
        resumed = _resumed_on(project)
        if resumed is not None and (base is None or resumed > base):
            base = resumed  # back from a failed acceptance: the tracking restarts then
        project.next_tracking_on = rules.next_tracking_on(base, tracking_interval(project))
    else:
        project.next_tracking_on = None
    severe = list(
        last.difficulties.filter(impact=Impact.SEVERE).values_list("text", flat=True)
        if last
        else []
    )
    overdue = [
        rules.OverdueMeasure(text, deadline)
        for text, deadline in project.measures.exclude(status=MeasureStatus.DONE)
        .filter(deadline__lt=today)
        .values_list("text", "deadline")
    ]
    health, reasons = rules.compute_health(
        status=project.status,
        today=today,
        execution_to=project.execution_to,
        assessment=last.assessment if last else None,
        severe_difficulties=severe,
        overdue_measures=overdue,
    )
    changed = health != project.health
    if changed and project.status in ACTIVE_STATUSES:
        _record(
            project,
            actor=actor,
            at=at,
            action=Action.HEALTH,
            data={"from": project.health, "to": health, "reasons": reasons},
        )
    project.health = health
    project.health_reasons = reasons
    project.save(
        update_fields=[
            "progress",
            "last_tracked_on",
            "next_tracking_on",
            "health",
            "health_reasons",
            "updated_at",
        ]
    )
    return changed


def refresh_health(*, project: Project, at: dt.datetime | None = None) -> bool:
    """Recompute one project's health now (the daily job: deadlines that passed)."""
    at = _now(at)
    with transaction.atomic():
        project = PROJECT_FLOW.lock(project)
        if project.status not in ACTIVE_STATUSES:
            return False
        return _refresh(project, today=_today(at), actor=None, at=at)


# --- querysets the lists share -----------------------------------------------------------


def tracking_overdue_q(today: dt.date) -> Q:
    """Executing projects whose next tracking date has passed without a log."""
    return Q(status=Status.EXECUTING, next_tracking_on__lt=today)


def overdue_q(today: dt.date) -> Q:
    """超期: a missed tracking, an execution period that ended while executing, or a
    measure past its deadline not done."""
    late_measure = Measure.objects.filter(project=OuterRef("pk"), deadline__lt=today).exclude(
        status=MeasureStatus.DONE
    )
    return (
        tracking_overdue_q(today)
        | Q(status=Status.EXECUTING, execution_to__lt=today)
        | Q(Exists(late_measure), status__in=ACTIVE_STATUSES)
    )


def mine_q(user: User) -> Q:
    """我的: the projects I run, sign as director, created, or own a measure of; a store
    manager's store's."""
    q = Q(ops_specialist=user) | Q(regional_director=user) | Q(created_by=user)
    q |= Q(Exists(Measure.objects.filter(project=OuterRef("pk"), owner=user)))
    if user.role == Role.STORE_MANAGER and user.store_id:
        q |= Q(store_id=user.store_id)
    return q


NUMBER_RE = re.compile(r"^REF-\d{4}-\d{3,}$")


def is_number(value: str) -> bool:
    return bool(NUMBER_RE.match(value or ""))


def actions_for(project: Project, user) -> list[str]:
    """The actions ``user`` may take on ``project`` now (from the transitions table and
    the policy; a role that has signed does not sign again). The services check again."""
    actions = [
        action
        for action in PROJECT_FLOW.available(project, user)
        if action not in (Action.KICK_OFF,)
    ]
    if Action.SIGN in actions:
        role = policy.signer_role(user, project)
        if any(signoff.role == role for signoff in project.signoffs.all()):
            actions.remove(Action.SIGN)
    if Action.SIGN_ACCEPTANCE in actions and not any(
        a.store_manager_id is None for a in project.acceptances.all()
    ):
        actions.remove(Action.SIGN_ACCEPTANCE)  # nothing of the store's left to sign
    return actions


def awaiting_signature_q(user) -> Q:
    """Drafts ``user`` signs (in their role) and has not signed yet."""
    signed = SignOff.objects.filter(project=OuterRef("pk"))
    if user.role == Role.STORE_MANAGER and user.store_id:
        mine = Q(store_id=user.store_id)
        signed = signed.filter(role=SignRole.STORE_MANAGER)
    elif user.role == Role.OPS_SPECIALIST:
        mine = Q(ops_specialist=user)
        signed = signed.filter(role=SignRole.OPS_SPECIALIST)
    elif user.role == Role.REGIONAL_DIRECTOR and user.region_id:
        mine = Q(regional_director=user) | Q(
            regional_director__isnull=True, store__region_id=user.region_id
        )
        signed = signed.filter(role=SignRole.REGIONAL_DIRECTOR)
    else:
        return Q(pk__in=[])
    return Q(mine, ~Q(Exists(signed)), status=Status.DRAFT)
