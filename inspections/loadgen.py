"""Inspections (巡检) for the generated load (``manage.py generate_load``, issue 9):
written with ``COPY`` after the issues and the rectification projects, identically for the
same ``seed``, ``now`` and starting database.

Every active store with an ops specialist is inspected over the generated period from its
go-live on, most every one to three months (A-tier stores more often), by an ops
specialist of its region (mostly the store's own), with the current checklist template(s)
in the database (the shipped 门店标准巡检表 is created through the services when there is
none). Each inspection has a result for every item of its template drawn around the
store's level (which improves over the years), findings for the failed items (and a few
others), core metrics with baselines and standards, and its whole life as the services
would have recorded it: the report, the follow-up plan dated from it
(:func:`inspections.services.follow_up_plan`), the action plan filled in the next day,
the 24-hour call, the kick-off, weekly follow-up logs (some with difficulties), the remote
and on-site spot checks, resource requests, findings progressing to solved, the acceptance
re-inspection(s) in weeks 4–6 (some fail once), the experience write-up, the closure
conditions confirmed and the move to ``closed`` — with late and missed steps, and the
reminders (``FollowUpAlert``) the hourly sweep would have raised for them.

The life is replayed action by action and cut at ``now``; an action is kept only in the
statuses :data:`inspections.choices.ACTION_STATUSES` allows it in and a transition only as
:data:`inspections.choices.TRANSITIONS` allows it, so old inspections are closed (a few
stay accepted or stuck following up) and recent ones are drafts or being followed up.
Scores, acceptance scores, the acceptance verdict and the closure verdict are computed
with the services' own functions (:func:`services.score_of`,
:func:`services.acceptance_verdict`, :func:`services.closure_verdict`). No photo rows
and no notifications are written; findings are not turned into issues."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from closedloop.org.choices import Role
from closedloop.org.models import Department, Store, User
from issues.loadgen import (
    HOUR_US,
    _apportion,
    _BulkLoad,
    _Copy,
    _escape,
    _flush_all,
    _Ids,
    _opt,
    _ts,
    from_us,
    to_us,
)

from . import services
from .choices import (
    ACTION_STATUSES,
    EXPERIENCE_DAYS_AFTER_ACCEPTANCE,
    KNOWN_METRICS,
    OPEN_RESOURCE_STATUSES,
    TRANSITIONS,
    WEEKLY_STEPS,
    Action,
    Direction,
    FindingStatus,
    ItemKind,
    Priority,
    ResourceKind,
    ResourceStatus,
    SpotCheckKind,
    SpotResult,
    Status,
    StepKind,
)
from .demo import FINDINGS as DEMO_FINDINGS
from .models import (
    ChecklistTemplate,
    ClosureCheck,
    CoreMetric,
    Experience,
    Finding,
    FollowUpAlert,
    FollowUpLog,
    FollowUpStep,
    Inspection,
    InspectionEvent,
    ItemResult,
    Reinspection,
    ResourceRequest,
    SpotCheck,
)

#: One inspection per store every this many days on average (``default_inspections``).
EVERY_DAYS = 45
#: Relative inspection frequency by store tier (A-tier stores are visited more often).
TIER_FREQUENCY = {"A": 1.3, "B": 1.0, "C": 0.8}
#: Share of inspections done by a region-wide ops specialist rather than the store's own.
REGION_OPS_SHARE = 0.15
#: Shares of lives that go otherwise: the first re-inspection fails; acceptance never
#: passes (stuck following up); accepted but the experience is never written; the
#: closure conditions are never confirmed.
FAIL_ONCE_SHARE, STUCK_SHARE, NO_EXPERIENCE_SHARE, NO_CLOSURE_SHARE = 0.12, 0.03, 0.02, 0.03
RESOURCE_SHARE, DIFFICULTY_SHARE, MISSED_LOG_SHARE = 0.15, 0.12, 0.08

#: The demo's findings by item key: (text, priority).
ITEM_FINDINGS = {key: (text, priority) for text, priority, key in DEMO_FINDINGS if key}
EXTRA_FINDINGS = [(text, priority) for text, priority, key in DEMO_FINDINGS if not key] + [
    ("预约客户到店后仍需排队等候接待", Priority.MEDIUM),
    ("配件领用记录不完整", Priority.LOW),
    ("客户回访记录缺失", Priority.LOW),
]
#: Core metrics: (code, baseline range, standard); the demo's metrics and their like.
METRICS = [
    ("waiting_minutes", (32, 55), 30),
    ("nps", (45, 68), 70),
    ("complaints", (2.1, 4.5), 2),
    ("satisfaction", (74, 88), 90),
]
OWNERS = ["服务经理 王强", "前台主管 刘芳", "技术经理 陈军", "店长", "备件主管 赵磊"]
SUMMARIES = [
    "门店整体运营平稳，客户等待与进度告知是主要短板。",
    "硬件设施基本到位，流程执行一致性有待加强。",
    "人员稳定，新员工培训需要跟上。",
    "数据录入与分析较弱，需要建立月度复盘。",
    "整体表现良好，个别环节需提醒。",
]
STEP_NOTES = {
    StepKind.CALL: ["已与店长确认报告，约定优先解决高优先级问题。", "电话沟通报告，店长认可"],
    StepKind.KICKOFF: ["启动会：确定高优先级问题和行动计划表。", "启动会已开，责任人与时间已明确"],
}
DONE = ["进度显示屏已安装，客户反馈良好", "接待话术已统一", "工单录入检查已纳入晨会"]
IN_PROGRESS = ["服务顾问培训进行中，预计本周完成", "休息区设施维修中", "派工看板试运行"]
NOT_STARTED = ["系统升级仍在等 IT 部门排期", "设备采购待预算审批"]
DIFFICULTIES = ["预算审批未通过，需总部协调", "IT 排期紧张，需要支持", "人手不足，培训难以安排"]
NEXT_WEEK = ["完成服务顾问培训和考核", "开始收集客户等待时间数据", "复盘本周工单数据"]
SPOT_NOTES = ["视频连线：请顾问演示超时工单如何告知客户。", "现场查看接待与交车流程。", ""]
REINSPECTION_NOTES = ["亮点：进度告知执行到位；不足：高峰期人手仍紧张。", "改进明显，需保持。"]
RESOURCES = {
    ResourceKind.IT: ("DMS 服务器升级", "IT"),
    ResourceKind.TRAINING: ("服务顾问进度告知话术培训", "TRAINING"),
    ResourceKind.BUDGET: ("进度显示屏采购预算 1 万元", "OPS"),
    ResourceKind.EQUIPMENT: ("诊断设备更换", "OPS"),
}
EXPERIENCE = {
    "problem": "客户平均等待时间长，导致 NPS 下滑",
    "root_cause": "缺少进度告知机制，派工依赖手工单据",
    "solution": "安装进度显示屏；强化“每15分钟主动告知”标准；上线电子派工看板",
    "effect": "等待时间明显缩短，NPS 与满意度回升",
}
EXPERIENCE_TITLES = ["通过流程改进缩短客户等待时间", "进度告知标准化提升客户满意度", "培训体系完善"]


@dataclass
class InspectionSummary:
    inspections: int = 0
    results: int = 0
    findings: int = 0
    steps: int = 0
    logs: int = 0
    spot_checks: int = 0
    reinspections: int = 0
    events: int = 0
    alerts: int = 0
    statuses: dict = field(default_factory=dict)


COLUMNS = {
    Inspection: "id store_id template_id inspector_id inspected_on status summary score "
    "acceptance_score reported_at reported_on accepted_on closed_at created_at updated_at",
    InspectionEvent: "inspection_id actor_id at action from_status to_status body data",
    ItemResult: "inspection_id item_id score passed note rescore repassed",
    CoreMetric: "id inspection_id metric name unit direction baseline standard current measured_on",
    Finding: "id inspection_id seq text priority item_id metric_id status owner_name steps "
    "due_on acceptance_criterion resources solved_on",
    FollowUpStep: "id inspection_id kind seq due_on starts_on done_on done_by_id note",
    FollowUpAlert: "step_id created_at",
    FollowUpLog: "id inspection_id date participants done in_progress not_started "
    "difficulties next_week needs_support recorded_by_id recorded_at",
    SpotCheck: "id inspection_id kind date hardware process people data note recorded_by_id",
    Reinspection: "id inspection_id date inspector_id score passed result note",
    ResourceRequest: "id inspection_id kind what department_id expected_on status "
    "requested_by_id created_at updated_at",
    Experience: "inspection_id title problem root_cause solution effect standard_updated "
    "replicability captured_on recorded_by_id",
    ClosureCheck: "inspection_id new_habits store_shares others_learn in_standard sustained "
    "note updated_by_id updated_at",
}
LOADED = list(COLUMNS)
#: Tables whose primary keys are handed out in advance (other rows refer to them).
WITH_IDS = (
    Inspection,
    CoreMetric,
    Finding,
    FollowUpStep,
    FollowUpLog,
    SpotCheck,
    Reinspection,
    ResourceRequest,
)


@dataclass
class _Result:
    """An item result as :func:`services.score_of` reads it."""

    score: Decimal | None = None
    passed: bool | None = None
    rescore: Decimal | None = None
    repassed: bool | None = None


@dataclass
class _Finding:
    pk: int
    seq: int
    text: str
    priority: str
    item: int | None
    status: str = FindingStatus.NOT_STARTED
    owner_name: str = ""
    due_on: dt.date | None = None
    solved_on: dt.date | None = None


@dataclass
class _Metric:
    pk: int
    code: str
    name: str
    unit: str
    direction: str
    baseline: Decimal
    standard: Decimal | None
    current: Decimal | None = None
    measured_on: dt.date | None = None


def _dec(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


def _bool(value: bool | None) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _json(value) -> str:
    return _escape(json.dumps(value, ensure_ascii=False))


def default_inspections(stores: int, years: float = 3) -> int:
    """About one inspection per store every ``EVERY_DAYS`` days over ``years`` years
    (1 000 stores × 3 years ≈ 24 000)."""
    return round(stores * years * 365 / EVERY_DAYS)


class InspectionGenerator:
    def __init__(
        self,
        *,
        inspections: int,
        seed: int,
        now: dt.datetime,
        years: float = 3,
        say: Callable = print,
    ):
        self.n = inspections
        self.rng = random.Random(f"inspections-{seed}")
        self.now = now.astimezone(dt.UTC).replace(microsecond=0)
        self.now_us = to_us(self.now)
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localtime(self.now, self.zone).date()
        # The last day an inspection can have started (they start at 8:30–10:30).
        local = timezone.localtime(self.now, self.zone)
        self.last_day = self.today - dt.timedelta(days=0 if local.hour >= 11 else 1)
        self.first_day = self.today - dt.timedelta(days=int(years * 365))
        self.say = say
        self.summary = InspectionSummary()

    # ------------------------------------------------------------------- helpers

    def _date(self, us: int) -> dt.date:
        return timezone.localtime(from_us(us), self.zone).date()

    def _at(self, day: dt.date, hour: float) -> int:
        """A moment of ``day`` (Beijing) at ``hour`` o'clock."""
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        return to_us(moment) + int(hour * HOUR_US)

    def _templates(self) -> list[tuple[ChecklistTemplate, list]]:
        templates = list(ChecklistTemplate.objects.current().order_by("code", "pk"))
        if not templates:
            templates = [services.ensure_default_template()]
        return [(t, list(t.items.order_by("order", "pk"))) for t in templates]

    def _org(self):
        stores = list(
            Store.objects.filter(active=True)
            .order_by("pk")
            .values_list("pk", "tier", "go_live_date")
        )
        ops = defaultdict(list)  # store -> ops specialists, in pk order (region-wide first)
        through = User.stores.through
        for user, store in (
            through.objects.filter(user__role=Role.OPS_SPECIALIST, user__is_active=True)
            .order_by("user_id", "store_id")
            .values_list("user_id", "store_id")
        ):
            ops[store].append(user)
        departments = dict(Department.objects.values_list("code", "pk"))
        return [s for s in stores if ops[s[0]]], ops, departments

    def _schedule(self, stores) -> list[tuple[dt.date, int]]:
        """(inspected on, store) of every inspection: ``n`` shared by the stores in
        proportion to their time live and tier, each store's spread evenly with jitter."""
        rng = self.rng
        spans = []
        for pk, tier, go_live in stores:
            begin = max(self.first_day, go_live or self.first_day)
            days = (self.last_day - begin).days + 1
            spans.append((pk, begin, max(0, days), TIER_FREQUENCY.get(tier, 1.0)))
        counts = _apportion(self.n, [days * freq for _pk, _b, days, freq in spans])
        plans = []
        for (pk, begin, days, _freq), count in zip(spans, counts, strict=True):
            gap = days / count if count else 0
            phase = rng.random()  # where in its cycle the store is: visits spread over days
            for i in range(count):
                offset = (i + phase + rng.uniform(-0.2, 0.2)) * gap
                day = begin + dt.timedelta(days=min(max(0, int(offset)), days - 1))
                if day.weekday() == 5:  # Saturday: the Friday before
                    day -= dt.timedelta(days=1)
                elif day.weekday() == 6:  # Sunday: the Monday after (the Friday before)
                    day += dt.timedelta(days=1 if day < self.last_day else -2)
                plans.append((min(max(day, begin), self.last_day), pk))
        plans.sort()
        return plans

    # ------------------------------------------------------------------- run

    def run(self) -> InspectionSummary:
        if self.n <= 0:
            return self.summary
        stores, ops, departments = self._org()
        if not stores:
            return self.summary
        self.departments = departments
        templates = self._templates()
        plans = self._schedule(stores)
        rng = self.rng
        # Each store's level (share of the maximum it scores), improving over the years.
        level = {pk: rng.uniform(0.55, 0.9) for pk, _tier, _go in stores}
        statuses = defaultdict(int)
        with connection.cursor() as cursor:
            self.w = {model: _Copy(cursor, model, COLUMNS[model].split()) for model in LOADED}
            self.ids = {model: _Ids(cursor, model) for model in WITH_IDS}
            with _BulkLoad(cursor, LOADED):
                for n, (day, store) in enumerate(plans):
                    people = ops[store]
                    inspector = (
                        people[-1]
                        if len(people) == 1 or rng.random() >= REGION_OPS_SHARE
                        else rng.choice(people[:-1])
                    )
                    template, items = templates[0] if len(templates) == 1 else rng.choice(templates)
                    progress = (day - self.first_day).days / max(
                        1, (self.today - self.first_day).days
                    )
                    status = self._inspection(
                        day=day,
                        store=store,
                        inspector=inspector,
                        template=template.pk,
                        items=items,
                        level=min(0.97, level[store] + 0.08 * progress),
                    )
                    statuses[status] += 1
                    if n % 2000 == 1999:
                        _flush_all(self.w.values())
                _flush_all(self.w.values())
            for ids in self.ids.values():
                ids.close()
        s = self.summary
        s.inspections = self.w[Inspection].rows
        s.results = self.w[ItemResult].rows
        s.findings = self.w[Finding].rows
        s.steps = self.w[FollowUpStep].rows
        s.logs = self.w[FollowUpLog].rows
        s.spot_checks = self.w[SpotCheck].rows
        s.reinspections = self.w[Reinspection].rows
        s.events = self.w[InspectionEvent].rows
        s.alerts = self.w[FollowUpAlert].rows
        s.statuses = dict(sorted(statuses.items(), key=lambda kv: -kv[1]))
        self.say(
            f"  {s.inspections:,} inspections, {s.findings:,} findings, "
            f"{s.logs:,} follow-up logs, {s.events:,} inspection events"
        )
        return s

    # ------------------------------------------------------------------- one inspection

    def _draw_results(self, items, level: float) -> dict[int, _Result]:
        rng = self.rng
        results = {}
        for item in items:
            if item.kind == ItemKind.SCORE:
                share = min(1.0, max(0.0, rng.gauss(level, 0.18)))
                results[item.pk] = _Result(score=_dec(round(share * float(item.max_score))))
            else:
                results[item.pk] = _Result(passed=rng.random() < level + 0.05)
        return results

    def _draw_findings(self, items, failed) -> list[_Finding]:
        rng = self.rng
        rows = []
        for item in items:
            if item.pk not in failed:
                continue
            text, priority = ITEM_FINDINGS.get(item.key, (f"{item.text}：未达标", ""))
            if not priority:
                priority = Priority.HIGH if item.weight >= 2 else Priority.MEDIUM
            rows.append((text, priority, item.pk))
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            text, priority = rng.choice(EXTRA_FINDINGS)
            if all(text != r[0] for r in rows):
                rows.append((text, priority, None))
        return [
            _Finding(self.ids[Finding].take(), seq, text, priority, item)
            for seq, (text, priority, item) in enumerate(rows, 1)
        ]

    def _draw_metrics(self) -> list[_Metric]:
        rng = self.rng
        chosen = rng.sample(METRICS, rng.choice((1, 2, 2, 3)))
        rows = []
        for code, (low, high), standard in chosen:
            info = KNOWN_METRICS[code]
            rows.append(
                _Metric(
                    self.ids[CoreMetric].take(),
                    code,
                    str(info.name),
                    str(info.unit),
                    info.direction,
                    _dec(rng.uniform(low, high), "0.1"),
                    _dec(standard),
                )
            )
        return rows

    def _inspection(self, *, day, store, inspector, template, items, level) -> str:
        rng, w, now = self.rng, self.w, self.now_us
        pk = self.ids[Inspection].take()
        started = min(self._at(day, rng.uniform(8.5, 10.5)), now - 60 * 10**6)
        events: list[tuple] = []

        def event(at, action, from_status="", to_status="", body="", data=None):
            events.append((at, action, from_status, to_status, body, data or {}))

        event(started, "start", "", Status.DRAFT)
        results = self._draw_results(items, level)
        report_day = day + dt.timedelta(days=rng.choices((0, 1, 2, 3, 5), (62, 24, 9, 3, 2))[0])
        reported = max(self._at(report_day, rng.uniform(16, 19.5)), started + HOUR_US)
        issued = reported <= now
        if not issued:  # still being inspected: part of the items scored so far
            keep = rng.randint(max(1, len(items) // 3), len(items))
            for item in items[keep:]:
                results[item.pk] = _Result()
        failed = {i.pk for i in services.failed_items(None, items=items, results=results)}
        findings = self._draw_findings(items, failed)
        metrics = self._draw_metrics()
        score = services.score_of(None, items=items, results=results)
        state = SimpleNamespace(
            status=Status.DRAFT,
            reported_on=report_day if issued else None,
            accepted_on=None,
            closed_at=None,
            accepted_at=None,
            acceptance_score=None,
            experience=None,
            closure_check=None,
        )
        steps, step_rows, alerts = {}, [], []
        if issued:
            event(
                reported,
                Action.ISSUE_REPORT,
                Status.DRAFT,
                Status.FOLLOWING_UP,
                data={"score": str(score)},
            )
            state.status = Status.FOLLOWING_UP
            for kind, seq, starts_on, due_on in services.follow_up_plan(report_day):
                steps[kind] = SimpleNamespace(
                    pk=self.ids[FollowUpStep].take(),
                    seq=seq,
                    starts_on=starts_on,
                    due_on=due_on,
                    done_on=None,
                    note="",
                )
            actions = self._plan_life(report_day, reported, findings)
            self._replay(pk, state, actions, steps, findings, metrics, items, results, inspector)
            events += self._events
            alerts = self._alerts(state, steps, reported)
            step_rows = list(steps.items())
        events.sort(key=lambda e: e[0])

        # Rows.
        last = events[-1][0]
        w[Inspection].add(
            str(pk),
            str(store),
            str(template),
            str(inspector),
            day.isoformat(),
            state.status,
            rng.choice(SUMMARIES),
            _opt(score),
            _opt(state.acceptance_score),
            _ts(reported if issued else None),
            _opt(state.reported_on and state.reported_on.isoformat()),
            _opt(state.accepted_on and state.accepted_on.isoformat()),
            _ts(state.closed_at),
            _ts(started),
            _ts(last),
        )
        for at, action, from_status, to_status, body, data in events:
            w[InspectionEvent].add(
                str(pk),
                str(inspector),
                _ts(at),
                action,
                from_status,
                to_status,
                _escape(body),
                _json(data),
            )
        for item in items:
            result = results[item.pk]
            if result.score is None and result.passed is None:
                continue
            w[ItemResult].add(
                str(pk),
                str(item.pk),
                _opt(result.score),
                _bool(result.passed),
                "",
                _opt(result.rescore),
                _bool(result.repassed),
            )
        for m in metrics:
            w[CoreMetric].add(
                str(m.pk),
                str(pk),
                m.code,
                m.name,
                m.unit,
                m.direction,
                str(m.baseline),
                _opt(m.standard),
                _opt(m.current),
                _opt(m.measured_on and m.measured_on.isoformat()),
            )
        planned = issued and any(e[1] == Action.UPDATE_FINDING for e in events)
        for f in findings:
            w[Finding].add(
                str(f.pk),
                str(pk),
                str(f.seq),
                _escape(f.text),
                f.priority,
                _opt(f.item),
                "\\N",
                f.status,
                f.owner_name,
                "按启动会约定执行，每周汇报进度" if planned and f.owner_name else "",
                _opt(f.due_on and f.due_on.isoformat()),
                "现场抽查合格，数据达标" if planned and f.owner_name else "",
                "",
                _opt(f.solved_on and f.solved_on.isoformat()),
            )
        for kind, step in step_rows:
            w[FollowUpStep].add(
                str(step.pk),
                str(pk),
                kind,
                str(step.seq),
                step.due_on.isoformat(),
                step.starts_on.isoformat(),
                _opt(step.done_on and step.done_on.isoformat()),
                str(inspector) if step.done_on else "\\N",
                _escape(step.note),
            )
        for step_pk, at in alerts:
            w[FollowUpAlert].add(str(step_pk), _ts(at))
        if issued:
            check = state.closure_check
            w[ClosureCheck].add(
                str(pk),
                *(_bool(getattr(check, f, False)) for f in services.CLOSURE_FLAGS),
                "",
                str(inspector) if check else "\\N",
                _ts(check.at if check else reported),
            )
        return state.status

    # ------------------------------------------------------------------- the follow-up

    def _plan_life(self, report, reported, findings) -> list[tuple]:
        """The follow-up as it would go without a cut: (moment, what, payload) in any
        order; :meth:`_replay` keeps what ``now`` and the statuses allow."""
        rng = self.rng
        actions = []

        def on(offset: int, low: float, high: float) -> tuple[dt.date, int]:
            day = report + dt.timedelta(days=offset)
            return day, max(self._at(day, rng.uniform(low, high)), reported + 60 * 10**6)

        # The action plan the next day, then the call and the kick-off.
        _d, plan_at = on(1, 14, 16.5)
        for f in findings:
            offset = {Priority.HIGH: 7, Priority.MEDIUM: 14}.get(f.priority, 21)
            due = report + dt.timedelta(days=offset + rng.randint(0, 3))
            actions.append((plan_at, "plan", (f, rng.choice(OWNERS), due)))
        day, at = on(rng.choices((1, 2, 3), (85, 10, 5))[0], 17, 20)
        actions.append((at, "record_step", (StepKind.CALL, day)))
        day, at = on(rng.choices((2, 3, 4, 5), (45, 35, 12, 8))[0], 17, 20)
        actions.append((at, "record_step", (StepKind.KICKOFF, day)))
        # Weekly logs, spot checks, a resource request.
        for week in range(1, 5):
            if rng.random() < MISSED_LOG_SHARE:
                continue
            day, at = on(7 * week - rng.randint(0, 2), 17, 20)
            actions.append((at, "log", (day, rng.random() < DIFFICULTY_SHARE)))
        if rng.random() < 0.92:
            day, at = on(rng.randint(8, 14), 10, 16)
            actions.append((at, "spot_check", (SpotCheckKind.REMOTE, day)))
        if rng.random() < 0.88:
            day, at = on(rng.randint(22, 28), 10, 16)
            actions.append((at, "spot_check", (SpotCheckKind.ONSITE, day)))
        if rng.random() < RESOURCE_SHARE:
            kind = rng.choice(list(RESOURCES))
            _d, at = on(rng.randint(2, 5), 18, 20)
            actions.append((at, "resource", (kind, report + dt.timedelta(rng.randint(10, 60)))))
            roll = rng.random()
            if roll < 0.75:  # in place within weeks; a few cancelled; some take months
                _d, done_at = on(rng.randint(8, 40), 10, 17)
                actions.append((done_at, "resource", ("update", ResourceStatus.DONE)))
            elif roll < 0.83:
                _d, done_at = on(rng.randint(6, 20), 10, 17)
                actions.append((done_at, "resource", ("update", ResourceStatus.CANCELLED)))
            elif roll < 0.93:
                _d, done_at = on(rng.randint(45, 120), 10, 17)
                actions.append((done_at, "resource", ("update", ResourceStatus.DONE)))
            _d, moved = on(rng.randint(5, 7), 10, 17)
            actions.append((moved, "resource", ("update", ResourceStatus.IN_PROGRESS)))
        # The acceptance re-inspection(s); findings solved before it as its rule needs.
        roll = rng.random()
        stuck = roll < STUCK_SHARE
        fail_once = not stuck and roll < STUCK_SHARE + FAIL_ONCE_SHARE
        first = rng.choices(
            (rng.randint(22, 34), rng.randint(35, 42), rng.randint(43, 56)), (70, 22, 8)
        )[0]
        tries = [(first, not (stuck or fail_once))]
        if fail_once:
            tries.append((first + rng.randint(5, 12), True))
        accept_day = report + dt.timedelta(days=tries[-1][0])
        medium = [f for f in findings if f.priority == Priority.MEDIUM]
        late_medium = {
            f.pk for f in rng.sample(medium, math.floor(len(medium) * 0.2 * rng.random()))
        }
        for f in findings:
            start = rng.randint(2, 6)
            actions.append(on(start, 9, 18)[1:] + ("plan", (f, FindingStatus.IN_PROGRESS)))
            if stuck and f.priority == Priority.HIGH and rng.random() < 0.6:
                continue
            limit = (accept_day - report).days - 1
            if f.priority == Priority.HIGH:
                solve = rng.randint(start + 1, max(start + 1, min(20, limit)))
            elif f.priority == Priority.MEDIUM and f.pk not in late_medium:
                solve = rng.randint(start + 1, max(start + 1, min(28, limit)))
            elif rng.random() < 0.8:
                solve = rng.randint(start + 2, 45)
            else:
                continue
            actions.append(on(solve, 9, 18)[1:] + ("plan", (f, FindingStatus.SOLVED)))
        for offset, good in tries:
            day, at = on(offset, 14, 17)
            actions.append((at, "reinspect", (day, good)))
        # The experience within a week after acceptance, the closure conditions, closure.
        if rng.random() >= NO_EXPERIENCE_SHARE:
            exp_day = accept_day + dt.timedelta(
                days=rng.choices((rng.randint(1, 7), rng.randint(8, 14)), (88, 12))[0]
            )
            actions.append((self._at(exp_day, rng.uniform(15, 17)), "experience", exp_day))
            if rng.random() >= NO_CLOSURE_SHARE:
                close_day = exp_day + dt.timedelta(days=rng.randint(0, 10))
                at = self._at(close_day, rng.uniform(17.5, 18))
                actions.append((at, "closure", close_day))
                actions.append((at + int(rng.uniform(0.1, 0.5) * HOUR_US), "close", close_day))
        return actions

    def _record(self, at, action, from_status="", to_status="", body="", data=None):
        self._events.append((at, action, from_status, to_status, body, data or {}))

    def _transition(self, state, at, action, data=None) -> bool:
        """Move ``state`` as :data:`TRANSITIONS` allows, with its history row."""
        target = TRANSITIONS[action].get(state.status)
        if target is None:
            return False
        self._record(at, action, state.status, target, data=data)
        state.status = target
        return True

    def _replay(self, pk, state, actions, steps, findings, metrics, items, results, actor):
        """Apply the planned actions in time order up to ``now``, each only in the statuses
        the services allow it in; the history rows go to ``self._events``."""
        rng, w, now = self.rng, self.w, self.now_us
        self._events = []
        record = self._record
        requests = []

        def mark_done(kind, day, note=""):
            step = steps[kind]
            if step.done_on is None:
                step.done_on, step.note = day, note

        actions.sort(key=lambda a: a[0])
        for at, what, payload in actions:
            if at > now:
                break
            # Closing is a transition (checked below); a resource request's status is
            # updated by its department whatever the inspection's.
            unchecked = what == "close" or (what == "resource" and payload[0] == "update")
            if not unchecked and state.status not in ACTION_STATUSES[what]:
                continue
            if what == "plan":
                finding, *change = payload
                if len(change) == 2:  # owner and due date: the kick-off's action plan
                    finding.owner_name, finding.due_on = change
                    data = {"finding": finding.pk, "before": {}, "status": finding.status}
                else:
                    before, finding.status = finding.status, change[0]
                    if finding.status == before:
                        continue
                    solved = finding.status == FindingStatus.SOLVED
                    finding.solved_on = self._date(at) if solved else None
                    data = {
                        "finding": finding.pk,
                        "before": {"status": before},
                        "status": finding.status,
                    }
                record(at, Action.UPDATE_FINDING, body=f"#{finding.seq}", data=data)
            elif what == "record_step":
                kind, day = payload
                unplanned = any(not f.owner_name or f.due_on is None for f in findings)
                if steps[kind].done_on is not None or (kind == StepKind.KICKOFF and unplanned):
                    continue
                note = rng.choice(STEP_NOTES[kind])
                mark_done(kind, day, note)
                data = {"step": kind, "date": day.isoformat()}
                record(at, Action.RECORD_STEP, body=note, data=data)
            elif what == "log":
                day, difficulty = payload
                log_pk = self.ids[FollowUpLog].take()
                difficulties = [rng.choice(DIFFICULTIES)] if difficulty else []
                early = day < state.reported_on + dt.timedelta(days=14)
                w[FollowUpLog].add(
                    str(log_pk),
                    str(pk),
                    day.isoformat(),
                    "店长、运营专员",
                    _json(rng.sample(DONE, 2)),
                    _json(rng.sample(IN_PROGRESS, 1)),
                    _json(rng.sample(NOT_STARTED, 1) if early else []),
                    _json(difficulties),
                    _json(rng.sample(NEXT_WEEK, 2)),
                    _bool(bool(difficulties)),
                    str(actor),
                    _ts(at),
                )
                kind = WEEKLY_STEPS[services.week_of(state, day) - 1]
                mark_done(kind, day)
                data = {"log": log_pk, "step": kind, "date": day.isoformat()}
                record(at, Action.FOLLOW_UP_LOG, data=data)
            elif what == "spot_check":
                kind, day = payload
                check_pk = self.ids[SpotCheck].take()
                values = {
                    area: rng.choices(SpotResult.values, (70, 25, 5))[0]
                    for area in ("hardware", "process", "people", "data")
                }
                note = rng.choice(SPOT_NOTES)
                w[SpotCheck].add(
                    str(check_pk),
                    str(pk),
                    kind,
                    day.isoformat(),
                    *values.values(),
                    note,
                    str(actor),
                )
                remote = kind == SpotCheckKind.REMOTE
                mark_done(StepKind.SPOT_REMOTE if remote else StepKind.SPOT_ONSITE, day)
                data = {"spot_check": check_pk, "kind": kind, **values}
                record(at, Action.SPOT_CHECK, body=note, data=data)
            elif what == "resource":
                if payload[0] == "update":
                    if not requests or requests[-1]["status"] not in OPEN_RESOURCE_STATUSES:
                        continue
                    request = requests[-1]
                    before = request["status"]
                    request["status"], request["updated"] = payload[1], at
                    data = {"request": request["pk"], "from": before, "status": payload[1]}
                else:
                    kind, expected = payload
                    what_text, department = RESOURCES[kind]
                    request = {
                        "pk": self.ids[ResourceRequest].take(),
                        "kind": kind,
                        "what": what_text,
                        "department": self.departments.get(department),
                        "expected": expected,
                        "status": ResourceStatus.REQUESTED,
                        "created": at,
                        "updated": at,
                    }
                    requests.append(request)
                    data = {"request": request["pk"], "status": request["status"]}
                record(at, Action.RESOURCE, body=request["what"], data=data)
            elif what == "reinspect":
                day, good = payload
                if day >= steps[StepKind.ACCEPTANCE].starts_on:
                    self._reinspect(
                        pk, actor, state, at, day, good, findings, metrics, items, results
                    )
                    if state.status == Status.ACCEPTED:
                        mark_done(StepKind.ACCEPTANCE, day)
                        experience = steps[StepKind.EXPERIENCE]
                        experience.due_on = day + dt.timedelta(
                            days=EXPERIENCE_DAYS_AFTER_ACCEPTANCE
                        )
                        experience.starts_on = day
            elif what == "experience":
                title = rng.choice(EXPERIENCE_TITLES)
                state.experience = SimpleNamespace(
                    standard_updated=rng.random() < 0.5, day=payload, title=title
                )
                mark_done(StepKind.EXPERIENCE, payload)
                record(at, Action.EXPERIENCE, body=title)
            elif what == "closure":
                sufficient = ["store_shares", "others_learn", "in_standard", "sustained"]
                chosen = rng.sample(sufficient, rng.randint(2, 4))
                state.closure_check = SimpleNamespace(
                    new_habits=True, at=at, **{f: f in chosen for f in sufficient}
                )
            elif what == "close":
                verdict = services.closure_verdict(state, findings=findings, metrics=metrics)
                if verdict.closable and self._transition(
                    state, at, Action.CLOSE, verdict.as_dict()
                ):
                    state.closed_at = at

        for request in requests:
            w[ResourceRequest].add(
                str(request["pk"]),
                str(pk),
                request["kind"],
                request["what"],
                _opt(request["department"]),
                request["expected"].isoformat(),
                request["status"],
                str(actor),
                _ts(request["created"]),
                _ts(request["updated"]),
            )
        if state.experience is not None:
            experience = state.experience
            w[Experience].add(
                str(pk),
                experience.title,
                EXPERIENCE["problem"],
                EXPERIENCE["root_cause"],
                EXPERIENCE["solution"],
                EXPERIENCE["effect"],
                _bool(experience.standard_updated),
                str(rng.randint(3, 5)),
                experience.day.isoformat(),
                str(actor),
            )

    def _reinspect(self, pk, actor, state, at, day, good, findings, metrics, items, results):
        """效果验收 as :func:`services.reinspect` does it: the failed items rescored, the
        core metrics read, the acceptance score and verdict; passed, accepted."""
        rng = self.rng
        for item in services.failed_items(None, items=items, results=results):
            result = results[item.pk]
            if item.kind == ItemKind.SCORE:
                share = rng.uniform(0.65, 1.0) if good else rng.uniform(0.4, 0.8)
                result.rescore = _dec(round(share * float(item.max_score)))
            else:
                result.repassed = rng.random() < (0.95 if good else 0.6)
        for m in metrics:
            gain = rng.uniform(0.22, 0.45) if good else rng.uniform(0.0, 0.15)
            factor = 1 - gain if m.direction == Direction.LOWER else 1 + gain
            m.current, m.measured_on = _dec(float(m.baseline) * factor, "0.1"), day
        score = services.score_of(None, rescored=True, items=items, results=results)
        verdict = services.acceptance_verdict(None, findings=findings, metrics=metrics)
        review_pk = self.ids[Reinspection].take()
        note = rng.choice(REINSPECTION_NOTES)
        self.w[Reinspection].add(
            str(review_pk),
            str(pk),
            day.isoformat(),
            str(actor),
            str(score),
            _bool(verdict.passed),
            _json(verdict.as_dict()),
            note,
        )
        state.acceptance_score = score
        data = {"reinspection": review_pk, "passed": verdict.passed, "score": str(score)}
        self._record(at, Action.REINSPECT, body=note, data=data)
        if verdict.passed and self._transition(state, at, Action.ACCEPT):
            state.accepted_on, state.accepted_at = day, at

    def _alerts(self, state, steps, reported) -> list[tuple[int, int]]:
        """The reminders the hourly sweep (:mod:`inspections.alerts`) raised by ``now``:
        once per step still not done when the day after its due date began, while the
        follow-up ran (the experience step: once accepted)."""
        rng, now = self.rng, self.now_us
        accepted = state.accepted_at
        closed = state.closed_at
        rows = []
        for kind, step in steps.items():
            at = self._at(step.due_on + dt.timedelta(days=1), rng.uniform(0, 1))
            if at > now or (step.done_on is not None and step.done_on <= step.due_on):
                continue
            if kind == StepKind.EXPERIENCE:
                running = (
                    accepted is not None and at >= accepted and (closed is None or at < closed)
                )
            else:
                running = at >= reported and (accepted is None or at < accepted)
            if running:
                rows.append((step.pk, at))
        return rows


def generate(
    *,
    inspections: int,
    seed: int = 1,
    now: dt.datetime | None = None,
    years: float = 3,
    say: Callable = print,
) -> InspectionSummary:
    """Generate ``inspections`` inspections over the stores in the database."""
    return InspectionGenerator(
        inspections=inspections, seed=seed, now=now or timezone.now(), years=years, say=say
    ).run()
