"""The seven-step closure checklist (闭环确认检查表, the source's tool 4; DOMAIN.md §7).

Each step holds the source's items. Some are read from the data and cannot be ticked by
hand: the formal acceptance's result (step 1), the observation period, its recheck plan
and the rechecks done of those planned (step 2), the sustainability verdict (step 3) and
the case of the library (step 5, written on the case form). The others are ticked (and
annotated: a name, a version, a date) by the project's ops specialist.

The rules are pure functions, table-tested: a step is complete when all its items are
done, partial when some are, not done when none (``step_state``); the verdict is 完全闭环
when all seven are complete, 基本闭环 when steps 1–5 are complete and 6–7 at least partial,
未闭环 otherwise (``verdict``); the closure level climbs the source's ladder 验收通过 80 ·
持续观察 85 · 根因消除 90 · 经验沉淀 95 · 机制优化 100 (``level``).

``update_closure`` and ``close`` are the services (atomic, through the workflow kit); a
project closes only at 基本闭环 or better (else ``InvalidTransition``: 409 in the API)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedloop.errors import DomainError, InvalidTransition

from . import selectors
from .choices import AcceptanceKind, Action, ClosureVerdict, Conclusion, StepState, Sustainability
from .models import Case, Closure, Project
from .workflow import PROJECT_FLOW

# --- the form ---------------------------------------------------------------------------

CHECK, TEXT, DATE, YESNO, AUTO = "check", "text", "date", "yesno", "auto"
MAX_VALUE = 300


@dataclass(frozen=True)
class ItemDef:
    key: str
    label: str
    #: What the item's blank asks for (文档名称, 版本号, 日期 …), "" when nothing.
    value_label: str = ""
    kind: str = CHECK

    @property
    def auto(self) -> bool:
        return self.kind == AUTO


@dataclass(frozen=True)
class StepDef:
    step: int
    title: str
    items: tuple[ItemDef, ...]


STEPS: tuple[StepDef, ...] = (
    StepDef(
        1,
        gettext_lazy("验收通过确认"),
        (
            ItemDef(
                "acceptance_result", gettext_lazy("正式验收已通过"), gettext_lazy("验收结果"), AUTO
            ),
            ItemDef("notice_sent", gettext_lazy("验收通过通知已发送")),
            ItemDef("materials_archived", gettext_lazy("验收材料已归档（照片/视频/数据/报告）")),
            ItemDef("result_announced", gettext_lazy("验收结果已在团队会议公布")),
            ItemDef("commended", gettext_lazy("优秀门店/个人已表彰")),
        ),
    ),
    StepDef(
        2,
        gettext_lazy("持续观察期设定"),
        (
            ItemDef("period_set", gettext_lazy("观察期已设定"), gettext_lazy("时长"), AUTO),
            ItemDef("recheck_plan", gettext_lazy("复查计划已制定"), gettext_lazy("频率"), AUTO),
            ItemDef("monitoring", gettext_lazy("关键指标监控已设置")),
            ItemDef("rechecks_done", gettext_lazy("已完成复查"), gettext_lazy("已完成/共需"), AUTO),
        ),
    ),
    StepDef(
        3,
        gettext_lazy("效果持续性确认"),
        (
            ItemDef("trend", gettext_lazy("数据趋势分析已完成"), gettext_lazy("结论"), AUTO),
            ItemDef(
                "spot_checks", gettext_lazy("突击检查已完成"), gettext_lazy("次数与结果"), TEXT
            ),
            ItemDef("feedback", gettext_lazy("客户反馈已收集"), gettext_lazy("满意度"), TEXT),
        ),
    ),
    StepDef(
        4,
        gettext_lazy("根因消除确认"),
        (
            ItemDef("whys_redone", gettext_lazy("已用5Why法重新分析根因")),
            ItemDef("eliminated", gettext_lazy("根因是否消除"), gettext_lazy("是/否"), YESNO),
            ItemDef(
                "follow_up", gettext_lazy("如未消除，后续计划"), gettext_lazy("后续计划"), TEXT
            ),
        ),
    ),
    StepDef(
        5,
        gettext_lazy("经验总结提炼"),
        (
            ItemDef("case_written", gettext_lazy("案例总结已完成"), gettext_lazy("文档名称"), AUTO),
            ItemDef("method", gettext_lazy("方法论已提炼"), gettext_lazy("方法名称"), TEXT),
            ItemDef("sop", gettext_lazy("SOP/标准已更新"), gettext_lazy("版本号"), TEXT),
        ),
    ),
    StepDef(
        6,
        gettext_lazy("知识共享传播"),
        (
            ItemDef(
                "sharing_session", gettext_lazy("区域分享会已组织"), gettext_lazy("日期"), DATE
            ),
            ItemDef(
                "best_practice", gettext_lazy("最佳实践文档已发布"), gettext_lazy("编号"), TEXT
            ),
            ItemDef("knowledge_base", gettext_lazy("知识库已更新")),
            ItemDef("training", gettext_lazy("培训课程已纳入")),
        ),
    ),
    StepDef(
        7,
        gettext_lazy("机制优化改进"),
        (
            ItemDef("defect", gettext_lazy("已识别管理机制缺陷"), gettext_lazy("缺陷描述"), TEXT),
            ItemDef("proposal", gettext_lazy("机制优化建议已提出"), gettext_lazy("优化内容"), TEXT),
            ItemDef("approved", gettext_lazy("优化方案已获批准")),
            ItemDef("running", gettext_lazy("新机制已开始运行"), gettext_lazy("日期"), DATE),
        ),
    ),
)
STEP_BY_NUMBER = {s.step: s for s in STEPS}
YES, NO = "yes", "no"

#: The source's ladder (建议5): each rung and the steps that must be complete to reach it.
LADDER: tuple[tuple[int, tuple[int, ...], str], ...] = (
    (80, (1,), gettext_lazy("验收通过")),
    (85, (1, 2, 3), gettext_lazy("持续观察")),
    (90, (1, 2, 3, 4), gettext_lazy("根因消除")),
    (95, (1, 2, 3, 4, 5, 6), gettext_lazy("经验沉淀")),
    (100, (1, 2, 3, 4, 5, 6, 7), gettext_lazy("机制优化")),
)


# --- the pure rules ---------------------------------------------------------------------


def step_state(done: Sequence[bool]) -> str:
    """完成度: complete when every item is done, partial when some are, not done when none."""
    count = sum(1 for d in done if d)
    if done and count == len(done):
        return StepState.COMPLETE
    return StepState.PARTIAL if count else StepState.NOT_DONE


def verdict(states: Sequence[str]) -> str:
    """闭环判定 of the seven step states (in order): 完全闭环 all seven complete; 基本闭环
    steps 1–5 complete and 6–7 at least partial; 未闭环 otherwise."""
    if len(states) != len(STEPS):
        raise ValueError("seven step states expected")
    if all(s == StepState.COMPLETE for s in states):
        return ClosureVerdict.FULL
    if all(s == StepState.COMPLETE for s in states[:5]) and all(
        s != StepState.NOT_DONE for s in states[5:]
    ):
        return ClosureVerdict.BASIC
    return ClosureVerdict.OPEN


def level(states: Sequence[str]) -> int:
    """闭环程度: the highest rung of the ladder whose steps are all complete (0 below 80)."""
    reached = 0
    for points, steps, _label in LADDER:
        if all(states[n - 1] == StepState.COMPLETE for n in steps):
            reached = points
        else:
            break
    return reached


def closable(verdict_code: str) -> bool:
    return verdict_code in (ClosureVerdict.FULL, ClosureVerdict.BASIC)


# --- the checklist of a project ---------------------------------------------------------


@dataclass
class Item:
    key: str
    label: str
    value_label: str
    kind: str
    done: bool
    value: str

    @property
    def auto(self) -> bool:
        return self.kind == AUTO


@dataclass
class Step:
    step: int
    title: str
    state: str
    items: list[Item]

    @property
    def state_label(self) -> str:
        return StepState(self.state).label


@dataclass
class Checklist:
    steps: list[Step]
    verdict: str
    level: int
    closure: Closure | None = None
    case: Case | None = None
    facts: dict = field(default_factory=dict)

    @property
    def completed_steps(self) -> int:
        return sum(1 for s in self.steps if s.state == StepState.COMPLETE)

    @property
    def verdict_label(self) -> str:
        return ClosureVerdict(self.verdict).label

    @property
    def closable(self) -> bool:
        return closable(self.verdict)

    @property
    def ladder(self) -> list[dict]:
        return [
            {"points": points, "label": label, "reached": self.level >= points}
            for points, _steps, label in LADDER
        ]


def _fmt(number) -> str:
    return format(number.normalize(), "f") if hasattr(number, "normalize") else str(number)


def facts(project: Project) -> dict:
    """What the data says for the read-only items: key -> (done, value)."""
    formal = selectors.latest_acceptance(project, AcceptanceKind.FORMAL)
    result = ""
    if formal is not None:
        result = _("%(t)s 分 · %(r)s · %(d)s") % {
            "t": _fmt(formal.total),
            "r": formal.get_rating_display(),
            "d": formal.date.isoformat(),
        }
    period = selectors.observation_period(project)
    planned = selectors.rechecks_planned(project)
    done = selectors.rechecks_done(project)
    verdict_code = project.sustainability_verdict
    case = Case.objects.filter(project=project).first()
    return {
        "acceptance_result": (
            formal is not None and formal.conclusion == Conclusion.PASS,
            result,
        ),
        "period_set": (
            period is not None,
            _("%(a)s 至 %(b)s（%(n)d 天）")
            % {"a": period[0], "b": period[1], "n": (period[1] - period[0]).days + 1}
            if period
            else "",
        ),
        "recheck_plan": (
            planned > 0,
            _("每 %(n)d 天一次，共 %(m)d 次") % {"n": project.observation_every_days, "m": planned}
            if planned
            else "",
        ),
        "rechecks_done": (planned > 0 and done >= planned, f"{done}/{planned}"),
        "trend": (
            bool(verdict_code),
            Sustainability(verdict_code).label if verdict_code else "",
        ),
        "case_written": (case is not None, case.title if case else ""),
        "_case": case,
    }


def _manual(definition: ItemDef, stored: Mapping, items: Mapping) -> tuple[bool, str]:
    row = stored.get(definition.key) or {}
    value = str(row.get("value") or "")
    if definition.kind == YESNO:
        return value == YES, value
    if definition.key == "follow_up":
        # Nothing to plan when the root cause is gone.
        eliminated = (items.get("eliminated") or {}).get("value") == YES
        return eliminated or bool(row.get("done")), value
    return bool(row.get("done")), value


def checklist(project: Project) -> Checklist:
    """The project's checklist now: every step's items, states, the verdict and level."""
    closure = Closure.objects.filter(project=project).first()
    stored = closure.items if closure else {}
    data = facts(project)
    steps = []
    for definition in STEPS:
        items = []
        for item in definition.items:
            if item.auto:
                done, value = data[item.key]
            else:
                done, value = _manual(item, stored, stored)
            items.append(
                Item(item.key, str(item.label), str(item.value_label), item.kind, done, value)
            )
        steps.append(
            Step(
                definition.step,
                str(definition.title),
                step_state([i.done for i in items]),
                items,
            )
        )
    states = [s.state for s in steps]
    return Checklist(
        steps=steps,
        verdict=verdict(states),
        level=level(states),
        closure=closure,
        case=data["_case"],
        facts=data,
    )


def as_data(result: Checklist) -> dict:
    """The API's shape (API.md "Closure checklist")."""
    return {
        "steps": [
            {
                "step": s.step,
                "title": s.title,
                "state": s.state,
                "items": [
                    {
                        "key": i.key,
                        "label": i.label,
                        "done": i.done,
                        "value": i.value,
                        "auto": i.auto,
                        "value_label": i.value_label,
                    }
                    for i in s.items
                ],
            }
            for s in result.steps
        ],
        "completed_steps": result.completed_steps,
        "verdict": result.verdict,
        "verdict_display": result.verdict_label,
        "level": result.level,
        "note": result.closure.note if result.closure else "",
    }


# --- services ---------------------------------------------------------------------------


def _clean_item(errors: dict, path: str, definition: ItemDef, row: Mapping) -> dict:
    change: dict = {}
    if definition.auto:
        errors.setdefault(f"{path}.key", []).append(
            _("“%(l)s”由系统根据数据填写，不能修改。") % {"l": definition.label}
        )
        return change
    if "done" in row:
        if not isinstance(row["done"], bool):
            errors.setdefault(f"{path}.done", []).append(_("应为 true 或 false。"))
        else:
            change["done"] = row["done"]
    if "value" in row:
        value = row["value"]
        value = "" if value is None else value
        if not isinstance(value, str):
            errors.setdefault(f"{path}.value", []).append(_("应为文字。"))
            return change
        value = value.strip()
        if "\x00" in value:
            errors.setdefault(f"{path}.value", []).append(_("不能包含空字符。"))
        elif len(value) > MAX_VALUE:
            errors.setdefault(f"{path}.value", []).append(_("最多 %(n)d 个字。") % {"n": MAX_VALUE})
        elif definition.kind == YESNO and value not in (YES, NO, ""):
            errors.setdefault(f"{path}.value", []).append(
                _("“%(l)s”应为 yes（是）或 no（否）。") % {"l": definition.label}
            )
        elif definition.kind == DATE and value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                errors.setdefault(f"{path}.value", []).append(
                    _("“%(l)s”的日期格式应为 YYYY-MM-DD。") % {"l": definition.label}
                )
            else:
                change["value"] = value
        else:
            change["value"] = value
    if definition.kind == YESNO and "done" in change and "value" not in row:
        # Ticking "eliminated" answers the question.
        change["value"] = YES if change.pop("done") else NO
    return change


def _clean(data: Mapping) -> tuple[dict, str | None]:
    errors: dict[str, list] = {}
    changes: dict[str, dict] = {}
    steps = data.get("steps", [])
    if not isinstance(steps, list | tuple):
        raise DomainError(_("steps 应为列表。"), field="steps")
    for index, step in enumerate(steps):
        path = f"steps[{index}]"
        if not isinstance(step, Mapping):
            errors.setdefault(path, []).append(_("格式无效。"))
            continue
        number = step.get("step")
        definition = STEP_BY_NUMBER.get(number) if isinstance(number, int) else None
        if definition is None:
            errors.setdefault(f"{path}.step", []).append(_("步骤应为 1–7。"))
            continue
        items = step.get("items", [])
        if not isinstance(items, list | tuple):
            errors.setdefault(f"{path}.items", []).append(_("应为列表。"))
            continue
        keys = {i.key: i for i in definition.items}
        for position, row in enumerate(items):
            item_path = f"{path}.items[{position}]"
            if not isinstance(row, Mapping):
                errors.setdefault(item_path, []).append(_("格式无效。"))
                continue
            item = keys.get(row.get("key"))
            if item is None:
                errors.setdefault(f"{item_path}.key", []).append(
                    _("第 %(n)d 步没有检查项“%(k)s”，可选：%(all)s。")
                    % {"n": number, "k": str(row.get("key"))[:40], "all": "、".join(keys)}
                )
                continue
            change = _clean_item(errors, item_path, item, row)
            if change:
                changes.setdefault(item.key, {}).update(change)
    note = data.get("note")
    if note is not None and (not isinstance(note, str) or "\x00" in note or len(note) > 2000):
        errors.setdefault("note", []).append(_("备注应为文字，最多 2000 个字。"))
    if errors:
        raise DomainError(next(iter(errors.values()))[0], errors=errors)
    return changes, note


@transaction.atomic
def update_closure(
    *, project: Project, actor, data: Mapping, at: dt.datetime | None = None
) -> Checklist:
    """Tick and annotate items of the checklist: only the items sent change (and of each,
    only ``done`` and/or ``value`` as sent). Every bad item is named; nothing is saved
    unless all are right."""
    at = at or timezone.now()
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.UPDATE_CLOSURE, actor)
    changes, note = _clean(data)
    closure, _created = Closure.objects.get_or_create(project=project)
    items = dict(closure.items)
    for key, change in changes.items():
        items[key] = {**items.get(key, {"done": False, "value": ""}), **change}
    closure.items = items
    if note is not None:
        closure.note = note.strip()
    closure.checked_by = actor
    closure.updated_at = at
    closure.save()
    PROJECT_FLOW.record(
        project,
        actor=actor,
        at=at,
        action=Action.UPDATE_CLOSURE,
        data={"items": sorted(changes)},
    )
    return checklist(project)


@transaction.atomic
def close(*, project: Project, actor, at: dt.datetime | None = None) -> Project:
    """闭环: pending_closure → closed, at 基本闭环 or better; 未闭环 is refused (409)."""
    at = at or timezone.now()
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.CLOSE, actor)
    result = checklist(project)
    if not result.closable:
        missing = [
            f"{s.step} {s.title}"
            for s in result.steps
            if (s.step <= 5 and s.state != StepState.COMPLETE) or s.state == StepState.NOT_DONE
        ]
        raise InvalidTransition(
            _(
                "闭环判定为“未闭环”（已完成 %(n)d/7 步），不能闭环：需要前 5 步全部完成、"
                "后 2 步至少部分完成。未达到的步骤：%(m)s。"
            )
            % {"n": result.completed_steps, "m": "；".join(missing)}
        )
    PROJECT_FLOW.transition(
        project,
        action=Action.CLOSE,
        actor=actor,
        at=at,
        body=str(result.verdict_label),
        data={
            "verdict": result.verdict,
            "level": result.level,
            "completed_steps": result.completed_steps,
        },
    )
    project.next_tracking_on = None
    project.next_recheck_on = None
    project.save()
    return project
