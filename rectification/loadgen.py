"""Rectification projects for the generated load (``manage.py generate_load``, issue 9):
written with ``COPY`` after the issues exist, identically for the same ``seed``, ``now``
and starting database.

Each project starts from a P0/P1 issue of its store (P2 ones when there are too few), at
a level drawn from the issue's priority, and has its whole life planned — draft and the
three sign-offs, kick-off, execution with tracking logs at the level's cadence (capped at
``MAX_LOGS``) and goal readings, submission, the initial acceptance (a few fail and go
back to execution), the observation period with its rechecks, the formal acceptance, the
closure checklist, a library case for some, and the move to ``closed`` — with slips
against the plan (so the on-time rate is neither 0 nor 100 %), some cancelled and some
parked. The life is cut at ``now``: old projects are mostly closed or cancelled, recent
ones kicked off, executing, waiting for acceptance or observing. Each project's history
(``ProjectEvent``) holds every move the services would have recorded; health, its
reasons and ``next_tracking_on`` are computed with :mod:`rectification.rules`.

Numbers are ``REF-YYYY-NNN`` per (Beijing) year of creation, in creation order,
continuing and advancing ``NumberSequence`` as :mod:`closedloop.core.numbering` does."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from closedloop.core.models import NumberSequence
from closedloop.org.choices import Role
from closedloop.org.models import Store, User
from issues.loadgen import (
    DAY_US,
    HOUR_US,
    _advance_numbers,
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

from . import rules
from .choices import (
    DEFAULT_CADENCE,
    Action,
    Assessment,
    Conclusion,
    GoalBand,
    Level,
    MeasureStatus,
    Rating,
    SignRole,
    Status,
    TrackingMethod,
)
from .models import (
    Acceptance,
    AcceptanceGoal,
    Case,
    Closure,
    Goal,
    Measure,
    Project,
    ProjectEvent,
    Reading,
    Recheck,
    RecheckReading,
    RootCause,
    SignOff,
    Symptom,
    TrackingLog,
    Why,
)

#: Share of the issues that get a project when ``projects`` is not given (20 000 of
#: 1 000 000, as the network has).
SHARE_OF_ISSUES = 0.02
#: At most this many tracking logs per project (an A-level project tracks daily).
MAX_LOGS = 40
#: Planned execution length in days by level, and the observation period.
EXECUTION_DAYS = {Level.A: (21, 45), Level.B: (30, 60), Level.C: (30, 90)}
OBSERVATION_DAYS = 30
#: Level from the issue's priority: (level, weight).
LEVELS = {
    "P0": [(Level.A, 85), (Level.B, 15)],
    "P1": [(Level.A, 45), (Level.B, 45), (Level.C, 10)],
    "P2": [(Level.B, 55), (Level.C, 45)],
    "P3": [(Level.C, 100)],
}
CANCEL_SHARE, PARK_SHARE, FAIL_SHARE, CASE_SHARE = 0.06, 0.03, 0.08, 0.3
#: Lognormal (median, sigma) of how long each stage really takes against its plan.
SLIP = (0.95, 0.2)

GOALS = {
    # category -> [(name, unit, baseline, target, direction)]
    "system": [
        ("系统故障次数", "次/周", 12, 3, "lower"),
        ("DMS开单平均耗时", "分钟", 18, 8, "lower"),
    ],
    "process": [
        ("客户平均等待时间", "分钟", 47, 30, "lower"),
        ("一次修复率", "%", 82, 95, "higher"),
    ],
    "supply_chain": [
        ("常用件缺货率", "%", 15, 5, "lower"),
        ("配件平均到货天数", "天", 7, 3, "lower"),
    ],
    "people": [
        ("服务顾问流程考核通过率", "%", 60, 90, "higher"),
        ("客户投诉数", "起/月", 9, 3, "lower"),
    ],
}
SATISFACTION = ("客户满意度", "分", 72, 85, "higher")
SYMPTOMS = {
    "system": ["系统高峰期频繁卡顿", "工单数据需要重复录入", "接口同步失败后无人知晓"],
    "process": ["客户到店后等待接待时间长", "派工依赖手工单据", "交车前检查经常遗漏"],
    "supply_chain": ["常用件经常缺货", "调拨配件到货慢", "库存数据与实物不符"],
    "people": ["新员工不熟悉标准流程", "服务顾问离职后岗位空缺", "技师排班不均"],
}
WHYS = {
    "system": [
        ("为什么系统卡顿？", "高峰期并发操作多，门店网络带宽不足"),
        ("为什么带宽不足？", "门店仍使用早期开通的专线"),
        ("为什么没有升级？", "没有定期的网络容量评估"),
    ],
    "process": [
        ("为什么等待时间长？", "接待、派工环节慢"),
        ("为什么派工慢？", "没有标准派工流程，依赖手工单据"),
        ("为什么没有标准流程？", "门店沿用老办法，从未优化流程"),
    ],
    "supply_chain": [
        ("为什么经常缺货？", "安全库存设置偏低"),
        ("为什么设置偏低？", "没有按季节调整需求预测"),
        ("为什么没有调整？", "缺少配件需求分析的责任人"),
    ],
    "people": [
        ("为什么流程执行不到位？", "新员工培训不充分"),
        ("为什么培训不充分？", "培训依赖老员工带教，没有固定课程"),
        ("为什么没有固定课程？", "门店培训计划未纳入考核"),
    ],
}
ROOT_CAUSES = {
    "system": ["基础设施容量不足", "缺少系统运行监控"],
    "process": ["流程缺陷：缺乏标准化", "工具落后：依赖手工操作"],
    "supply_chain": ["需求预测方法落后", "库存管理责任不清"],
    "people": ["人员配置不足", "培训体系不完善"],
}
MEASURES = {
    "system": ["升级门店专线带宽", "上线系统运行监控与告警", "制定高峰期操作规范"],
    "process": ["制定《客户接待标准流程》", "上线电子派工看板", "引入快速通道"],
    "supply_chain": ["按季节调整安全库存", "建立区域调拨机制", "每周盘点常用件"],
    "people": ["开展标准流程专项培训", "补充服务顾问编制", "培训结果纳入月度考核"],
}
MEASURE_KINDS = ["emergency", "root", "tool", "support"]
FOCUS = ["关注新流程执行的一致性", "跟进剩余措施的完成情况", "关注客户反馈变化", ""]
FINDINGS = ["指标保持稳定", "执行情况良好，个别环节需提醒", "指标略有波动，已提醒门店"]
CANCEL_REASONS = ["问题已随系统升级解决", "门店合并，项目不再需要", "与其他整改项目合并"]
METHODS = [m.value for m in TrackingMethod]


@dataclass
class ProjectSummary:
    projects: int = 0
    logs: int = 0
    events: int = 0
    acceptances: int = 0
    rechecks: int = 0
    closures: int = 0
    cases: int = 0
    statuses: dict = field(default_factory=dict)


def _dec(value: float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


COLUMNS = {
    Project: "id number store_id issue_id title problem found_on level containment "
    "ops_specialist_id regional_director_id status health health_reasons progress start_on "
    "execution_from execution_to acceptance_on observation_from observation_to closure_on "
    "execution_every_days observation_every_days tracking_methods criteria_quantitative "
    "criteria_qualitative kicked_off_at started_on submitted_at cancelled_at cancel_reason "
    "last_tracked_on next_tracking_on observation_started_at next_recheck_on "
    "sustainability_verdict sustainability_goals rebound_at rebound_note created_by_id "
    "created_at updated_at",
    Symptom: "project_id order text",
    Why: "project_id order question answer evidence photo photo_type",
    RootCause: "project_id order text",
    Goal: "id project_id order name unit baseline target direction method core",
    Measure: "project_id order text kind owner_id owner_name start_on deadline status "
    "progress done_on",
    SignOff: "project_id role user_id at",
    TrackingLog: "id project_id date day method progress assessment done next_on focus "
    "recorder_id recorded_at",
    Reading: "log_id goal_id value",
    ProjectEvent: "project_id actor_id at action from_status to_status body data",
    Acceptance: "id project_id kind date documents mastery execution satisfaction_value "
    "satisfaction_score interviews_positive interviews_neutral interviews_negative "
    "interviews_score sustainability_score total rating suggested_conclusion conclusion "
    "override_reason suggestions from_status to_status assessor_id assessor_signed_at "
    "store_manager_id store_manager_signed_at created_at",
    AcceptanceGoal: "acceptance_id goal_id actual achievement_rate band points score",
    Recheck: "id project_id date method findings recorder_id recorded_at",
    RecheckReading: "recheck_id goal_id value",
    Closure: "project_id items note checked_by_id updated_at",
    Case: "project_id title category store_tier problem root_cause solution cost cost_note "
    "duration_days metric unit before after roi roi_note replicability recommended_scope "
    "created_by_id created_at updated_at",
}
LOADED = list(COLUMNS)


class ProjectGenerator:
    def __init__(self, *, projects: int, seed: int, now: dt.datetime, say: Callable = print):
        self.n = projects
        self.rng = random.Random(f"rectification-{seed}")
        self.now = now.astimezone(dt.UTC).replace(microsecond=0)
        self.now_us = to_us(self.now)
        self.zone = timezone.get_default_timezone()
        self.today = timezone.localtime(self.now, self.zone).date()
        self.say = say
        self.summary = ProjectSummary()

    # ------------------------------------------------------------------- helpers

    def _date(self, us: int) -> dt.date:
        return timezone.localtime(from_us(us), self.zone).date()

    def _at(self, day: dt.date, hour: float) -> int:
        """A moment of ``day`` (Beijing) at ``hour`` o'clock."""
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        return to_us(moment) + int(hour * HOUR_US)

    def _org(self):
        stores = dict(Store.objects.values_list("pk", "tier"))
        region = dict(Store.objects.values_list("pk", "region_id"))
        managers = {}
        for pk, store in (
            User.objects.filter(role=Role.STORE_MANAGER, store__isnull=False)
            .order_by("pk")
            .values_list("pk", "store_id")
        ):
            managers.setdefault(store, pk)
        ops = {}  # the store's own ops specialist: the last one named on it
        through = User.stores.through
        for user, store in (
            through.objects.filter(user__role=Role.OPS_SPECIALIST)
            .order_by("user_id")
            .values_list("user_id", "store_id")
        ):
            ops[store] = user
        directors = {}
        for pk, reg in (
            User.objects.filter(role=Role.REGIONAL_DIRECTOR, region__isnull=False)
            .order_by("pk")
            .values_list("pk", "region_id")
        ):
            directors.setdefault(reg, pk)
        owners = list(
            User.objects.filter(role__in=[Role.DEPARTMENT_MEMBER, Role.DEPARTMENT_HEAD])
            .order_by("pk")
            .values_list("pk", "display_name")
        )
        leads = list(
            User.objects.filter(role=Role.QUALITY_LEAD).order_by("pk").values_list("pk", flat=True)
        )
        return stores, region, managers, ops, directors, owners, leads

    def _sources(self, ops, managers):
        """The issues projects start from: P0/P1 first, P2 when there are too few; old
        enough for a project to have been set up."""
        from issues.models import Issue

        cut = from_us(self.now_us - 2 * DAY_US)
        base = (
            Issue.objects.filter(submitted_at__lt=cut, store_id__in=list(ops))
            .filter(store_id__in=list(managers))
            .exclude(status__in=["rejected", "duplicate", "submitted"])
            .order_by("pk")
        )
        chosen = []
        for priorities in (["P0", "P1"], ["P2"], ["P3"]):
            rows = list(
                base.filter(priority__in=priorities).values_list(
                    "pk", "store_id", "priority", "category", "submitted_at"
                )
            )
            need = self.n - len(chosen)
            if need <= 0:
                break
            chosen += rows if len(rows) <= need else self.rng.sample(rows, need)
        return chosen

    # ------------------------------------------------------------------- run

    def run(self) -> ProjectSummary:
        if self.n <= 0:
            return self.summary
        stores, region, managers, ops, directors, owners, leads = self._org()
        sources = self._sources(ops, managers)
        if not sources:
            return self.summary
        from issues.models import Issue

        titles = {
            pk: (title, number)
            for pk, title, number in Issue.objects.filter(
                pk__in=[s[0] for s in sources]
            ).values_list("pk", "title", "number")
        }
        plans = []
        for issue, store, priority, category, submitted in sources:
            found = to_us(submitted) + int(self.rng.uniform(0.5, 10) * DAY_US)
            created = found + int(self.rng.uniform(0.5, 5) * DAY_US)
            if created >= self.now_us:
                created = self.now_us - HOUR_US
            plans.append((created, issue, store, priority, category, found))
        plans.sort()
        with connection.cursor() as cursor:
            self.w = {model: _Copy(cursor, model, COLUMNS[model].split()) for model in LOADED}
            self.ids = {
                m: _Ids(cursor, m) for m in (Project, Goal, TrackingLog, Acceptance, Recheck)
            }
            sequences = dict(
                NumberSequence.objects.filter(name="REF").values_list("year", "last_value")
            )
            statuses = defaultdict(int)
            with _BulkLoad(cursor, LOADED):
                for n, (created, issue, store, priority, category, found) in enumerate(plans):
                    year = self._date(created).year
                    sequences[year] = sequences.get(year, 0) + 1
                    status = self._project(
                        number=f"REF-{year}-{sequences[year]:03d}",
                        created=created,
                        found=found,
                        issue=issue,
                        title=titles[issue][0],
                        issue_number=titles[issue][1],
                        store=store,
                        tier=stores[store],
                        priority=priority,
                        category=category,
                        ops=ops[store],
                        manager=managers[store],
                        director=directors.get(region[store]),
                        owners=owners,
                        lead=leads[n % len(leads)] if leads else ops[store],
                    )
                    statuses[status] += 1
                    if n % 2000 == 1999:
                        _flush_all(self.w.values())
                _flush_all(self.w.values())
            for ids in self.ids.values():
                ids.close()
            _advance_numbers(cursor, "REF", sequences)
        s = self.summary
        s.projects = self.w[Project].rows
        s.logs = self.w[TrackingLog].rows
        s.events = self.w[ProjectEvent].rows
        s.acceptances = self.w[Acceptance].rows
        s.rechecks = self.w[Recheck].rows
        s.closures = self.w[Closure].rows
        s.cases = self.w[Case].rows
        s.statuses = dict(sorted(statuses.items(), key=lambda kv: -kv[1]))
        self.say(
            f"  {s.projects:,} rectification projects, {s.logs:,} tracking logs, "
            f"{s.events:,} project events"
        )
        return s

    # ------------------------------------------------------------------- one project

    def _project(
        self,
        *,
        number,
        issue_number,
        created,
        found,
        issue,
        title,
        store,
        tier,
        priority,
        category,
        ops,
        manager,
        director,
        owners,
        lead,
    ) -> str:
        rng, w, now = self.rng, self.w, self.now_us
        pk = self.ids[Project].take()
        levels, weights = zip(*LEVELS.get(priority, LEVELS["P2"]), strict=True)
        level = rng.choices(levels, weights)[0]
        run_days, watch_days = DEFAULT_CADENCE[level]
        low, high = EXECUTION_DAYS[level]
        length = rng.randint(low, high)
        events: list[tuple] = []

        def event(at, action, actor, from_status="", to_status="", body="", data=None):
            events.append((at, action, actor, from_status, to_status, body, data or {}))

        # The plan (dates) and what really happened (moments, slipping against it).
        created_day = self._date(created)
        start_on = created_day + dt.timedelta(days=rng.randint(2, 7))
        execution_to = start_on + dt.timedelta(days=length)
        acceptance_on = execution_to + dt.timedelta(days=3)
        observation_from = acceptance_on + dt.timedelta(days=1)
        observation_to = observation_from + dt.timedelta(days=OBSERVATION_DAYS)
        closure_on = observation_to + dt.timedelta(days=10)

        def slip(days: float) -> int:
            return int(days * rng.lognormvariate(math.log(SLIP[0]), SLIP[1]) * DAY_US)

        signers = [(SignRole.STORE_MANAGER, manager), (SignRole.OPS_SPECIALIST, ops)]
        if director:
            signers.append((SignRole.REGIONAL_DIRECTOR, director))
        kicked = self._at(start_on, 9) - int(rng.uniform(0.5, 1.5) * DAY_US)
        kicked = max(kicked, created + HOUR_US)
        started = max(self._at(start_on, rng.uniform(9, 11)), kicked + HOUR_US)
        submitted = started + slip(length)
        accepted = submitted + int(rng.uniform(1, 5) * DAY_US)
        failed = rng.random() < FAIL_SHARE
        resumed = accepted + int(rng.uniform(0.2, 1) * DAY_US) if failed else None
        if failed:
            submitted2 = resumed + slip(10)
            accepted2 = submitted2 + int(rng.uniform(1, 4) * DAY_US)
        else:
            submitted2 = accepted2 = None
        observed = accepted2 if failed else accepted
        formal = observed + slip(OBSERVATION_DAYS) + int(rng.uniform(0, 3) * DAY_US)
        closed = formal + int(rng.uniform(1, 8) * DAY_US)
        end = closed
        roll = rng.random()
        cancel_at = park_at = None
        if roll < CANCEL_SHARE:
            cancel_at = created + int(rng.uniform(0.02, 0.7) * (closed - created))
            end = cancel_at
        elif roll < CANCEL_SHARE + PARK_SHARE:  # never submitted: executing, then dropped
            park_at = started
            cancel_at = end = started + int(rng.uniform(90, 300) * DAY_US)

        # Draft, signatures, kick-off.
        event(created, Action.CREATE, ops, "", Status.DRAFT, title[:200], {"issue": issue_number})
        status = Status.DRAFT
        signed = []
        for k, (role, user) in enumerate(signers):
            at = kicked - (len(signers) - 1 - k) * int(rng.uniform(1, 8) * HOUR_US)
            at = max(at, created + (k + 1) * 60 * 10**6)
            if at > now or (cancel_at and at > cancel_at):
                break
            signed.append((role, user, at))
            event(at, Action.SIGN, user, data={"role": role})
        kicked_off_at = None
        if len(signed) == len(signers) and kicked <= now and not (cancel_at and kicked > cancel_at):
            kicked = max(kicked, signed[-1][2])
            kicked_off_at = kicked
            event(kicked, Action.KICK_OFF, signed[-1][1], Status.DRAFT, Status.KICKED_OFF)
            status = Status.KICKED_OFF

        def reached(at):
            return at is not None and at <= now and (cancel_at is None or at <= cancel_at)

        # Goals and measures (known from the draft on).
        goal_rows = []
        chosen_goals = rng.sample(GOALS[category], rng.randint(1, 2))
        if rng.random() < 0.5:
            chosen_goals.append(SATISFACTION)
        for order, (name, unit, base, target, direction) in enumerate(chosen_goals, 1):
            goal_pk = self.ids[Goal].take()
            base *= rng.uniform(0.8, 1.2)
            target *= rng.uniform(0.9, 1.1)
            core = (name, unit) != SATISFACTION[:2]
            goal_rows.append((goal_pk, base, target, direction, core))
            w[Goal].add(
                str(goal_pk),
                str(pk),
                str(order),
                name,
                unit,
                _dec(base),
                _dec(target),
                direction,
                "standard",
                "t" if core else "f",
            )
        measures = rng.sample(MEASURES[category], rng.randint(2, 3))
        measure_plan = []
        for order, text in enumerate(measures, 1):
            owner_pk, owner_name = rng.choice(owners) if owners else (None, "门店店长")
            begin = start_on + dt.timedelta(days=rng.randint(0, max(1, length // 3)))
            deadline = begin + dt.timedelta(days=rng.randint(3, max(4, length // 2)))
            deadline = min(max(deadline, begin), execution_to)
            measure_plan.append((order, text, owner_pk, owner_name, begin, deadline))

        # Execution: the tracking logs at the cadence, with the goals' readings.
        last_tracked = last_assessment = None
        progress = 0
        periods = []
        started_on = None
        if reached(started) and kicked_off_at:
            started_on = self._date(started)
            event(started, Action.START, ops, Status.KICKED_OFF, Status.EXECUTING)
            status = Status.EXECUTING
            periods.append((started, submitted))
            if failed:
                periods.append((resumed, submitted2))
        logs = 0
        for p_start, p_end in periods:
            if not reached(p_start):
                continue
            p_end = min(p_end, now, cancel_at or p_end, end if park_at else p_end)
            day = self._date(p_start)
            span = max(1, (p_end - p_start) // DAY_US)
            step = max(run_days, math.ceil(span / MAX_LOGS))
            while logs < MAX_LOGS * len(periods):
                at = self._at(day, rng.uniform(16, 20))
                if at > p_end or at > now:
                    break
                done_share = min(1.0, (at - started) / max(1, submitted - started))
                progress = min(100, max(progress, int(done_share * 100 * rng.uniform(0.85, 1.1))))
                assessment = rng.choices(
                    [
                        Assessment.AHEAD,
                        Assessment.ON_PLAN,
                        Assessment.SLIGHTLY_DELAYED,
                        Assessment.SERIOUSLY_DELAYED,
                    ],
                    [10, 70, 15, 5],
                )[0]
                log_pk = self.ids[TrackingLog].take()
                next_on = day + dt.timedelta(days=run_days)
                w[TrackingLog].add(
                    str(log_pk),
                    str(pk),
                    day.isoformat(),
                    str((day - start_on).days + 1),
                    rng.choice(METHODS),
                    str(progress),
                    assessment,
                    "[]",
                    next_on.isoformat(),
                    rng.choice(FOCUS),
                    str(ops),
                    _ts(at),
                )
                for goal_pk, base, target, _direction, _core in goal_rows:
                    value = base + (target - base) * done_share * rng.uniform(0.8, 1.1)
                    w[Reading].add(str(log_pk), str(goal_pk), _dec(value))
                event(at, Action.TRACK, ops, data={"log": log_pk, "progress": progress})
                last_tracked, last_assessment = day, assessment
                logs += 1
                day += dt.timedelta(days=step)
        submitted_at = None
        acceptance_rows = []
        for n_sub, (sub, acc) in enumerate(((submitted, accepted), (submitted2, accepted2))):
            if sub is None or park_at or not reached(sub) or status != Status.EXECUTING:
                break
            event(sub, Action.SUBMIT, ops, Status.EXECUTING, Status.PENDING_ACCEPTANCE)
            status, submitted_at, progress = Status.PENDING_ACCEPTANCE, sub, 100
            if not reached(acc):
                break
            fail = failed and n_sub == 0
            to = Status.EXECUTING if fail else Status.OBSERVING
            acceptance_rows.append(("initial", acc, fail, Status.PENDING_ACCEPTANCE, to))
            action = Action.ACCEPT_FAIL if fail else Action.ACCEPT_PASS
            event(acc, action, lead, Status.PENDING_ACCEPTANCE, to)
            status = to
        observation_started = observed if status == Status.OBSERVING else None
        rechecks = []
        if observation_started is not None:
            day = self._date(observation_started) + dt.timedelta(days=watch_days)
            while True:
                at = self._at(day, rng.uniform(10, 17))
                if at >= formal or not reached(at):
                    break
                rechecks.append((day, at))
                event(at, Action.RECHECK, ops, body=rng.choice(FINDINGS))
                day += dt.timedelta(days=watch_days)
            if reached(formal):
                acceptance_rows.append(
                    ("formal", formal, False, Status.OBSERVING, Status.PENDING_CLOSURE)
                )
                event(formal, Action.ACCEPT_PASS, lead, Status.OBSERVING, Status.PENDING_CLOSURE)
                status = Status.PENDING_CLOSURE
        has_case = False
        if status == Status.PENDING_CLOSURE:
            checked = formal + int(rng.uniform(0.2, 0.9) * (closed - formal))
            if reached(checked):
                event(checked, Action.UPDATE_CLOSURE, ops)
                w[Closure].add(
                    str(pk),
                    _escape(json.dumps(self._closure_items(), ensure_ascii=False)),
                    "",
                    str(ops),
                    _ts(checked),
                )
                has_case = rng.random() < CASE_SHARE
                if has_case:
                    event(checked + HOUR_US, Action.WRITE_CASE, ops)
            if reached(closed):
                event(closed, Action.CLOSE, lead, Status.PENDING_CLOSURE, Status.CLOSED)
                status = Status.CLOSED
        if cancel_at is not None and cancel_at <= now and status not in (Status.CLOSED,):
            event(
                cancel_at, Action.CANCEL, ops, status, Status.CANCELLED, rng.choice(CANCEL_REASONS)
            )
            status = Status.CANCELLED

        # Measures as they stand now.
        overdue = []
        for order, text, owner_pk, owner_name, begin, deadline in measure_plan:
            if status in (
                Status.PENDING_ACCEPTANCE,
                Status.OBSERVING,
                Status.PENDING_CLOSURE,
                Status.CLOSED,
            ):
                m_status, m_progress = MeasureStatus.DONE, 100
                done_on = min(deadline, self._date(submitted_at or now))
            elif status == Status.EXECUTING and self.today >= begin:
                late = rng.random() < 0.2
                if self.today > deadline and not late:
                    m_status, m_progress, done_on = MeasureStatus.DONE, 100, deadline
                else:
                    m_status, m_progress, done_on = (
                        MeasureStatus.IN_PROGRESS,
                        rng.randint(10, 90),
                        None,
                    )
                    overdue.append(rules.OverdueMeasure(text, deadline))
            else:
                m_status, m_progress, done_on = MeasureStatus.NOT_STARTED, 0, None
            kind = MEASURE_KINDS[(order - 1) % len(MEASURE_KINDS)]
            w[Measure].add(
                str(pk),
                str(order),
                text,
                kind,
                _opt(owner_pk),
                owner_name,
                begin.isoformat(),
                deadline.isoformat(),
                m_status,
                str(m_progress),
                _opt(done_on and done_on.isoformat()),
            )

        # Acceptances (scorecards), rechecks, the case.
        for kind, at, fail, from_status, to_status in acceptance_rows:
            self._acceptance(pk, kind, at, fail, from_status, to_status, goal_rows, lead, manager)
        for day, at in rechecks:
            recheck_pk = self.ids[Recheck].take()
            w[Recheck].add(
                str(recheck_pk),
                str(pk),
                day.isoformat(),
                rng.choice(METHODS),
                rng.choice(FINDINGS),
                str(ops),
                _ts(at),
            )
            for goal_pk, _base, target, _direction, _core in goal_rows:
                w[RecheckReading].add(
                    str(recheck_pk), str(goal_pk), _dec(target * rng.uniform(0.95, 1.05))
                )
        if has_case:
            goal_pk, base, target, _d, _c = goal_rows[0]
            name, unit = chosen_goals[0][0], chosen_goals[0][1]
            when = _ts(formal + HOUR_US + int(rng.uniform(0.2, 0.9) * (closed - formal)))
            w[Case].add(
                str(pk),
                _escape(title[:200]),
                category,
                tier,
                _escape(title),
                ROOT_CAUSES[category][0],
                "；".join(measures),
                _dec(rng.randint(2, 80) * 1000),
                "",
                str(max(1, (closed - started) // DAY_US)),
                name,
                unit,
                _dec(base),
                _dec(target),
                _dec(rng.uniform(1.5, 8)),
                "",
                str(rng.randint(2, 5)),
                "同类门店",
                str(ops),
                when,
                when,
            )

        # Kick-off form pieces.
        for order, text in enumerate(rng.sample(SYMPTOMS[category], 2), 1):
            w[Symptom].add(str(pk), str(order), text)
        for order, (question, answer) in enumerate(WHYS[category], 1):
            w[Why].add(str(pk), str(order), question, answer, "", "", "")
        for order, text in enumerate(ROOT_CAUSES[category], 1):
            w[RootCause].add(str(pk), str(order), text)
        for role, user, at in signed:
            w[SignOff].add(str(pk), role, str(user), _ts(at))

        # Health, next tracking, the stored state.
        health, reasons = rules.compute_health(
            status=status,
            today=self.today,
            execution_to=execution_to,
            assessment=last_assessment if status == Status.EXECUTING else None,
            severe_difficulties=[],
            overdue_measures=overdue if status == Status.EXECUTING else [],
        )
        next_tracking = None
        if status == Status.EXECUTING:
            next_tracking = rules.next_tracking_on(last_tracked or start_on, run_days)
        next_recheck = None
        if status == Status.OBSERVING:
            base_day = rechecks[-1][0] if rechecks else self._date(observation_started)
            next_recheck = base_day + dt.timedelta(days=watch_days)
        events.sort(key=lambda e: e[0])
        for at, action, actor, from_status, to_status, body, data in events:
            w[ProjectEvent].add(
                str(pk),
                _opt(actor),
                _ts(at),
                action,
                from_status,
                to_status,
                _escape(body),
                _escape(json.dumps(data, ensure_ascii=False)),
            )
        w[Project].add(
            str(pk),
            number,
            str(store),
            str(issue),
            _escape(title[:200]),
            _escape(title),
            self._date(found).isoformat(),
            level,
            "安排专人临时跟进，先行处理客户诉求",
            str(ops),
            _opt(director),
            status,
            health,
            _escape(json.dumps(reasons, ensure_ascii=False)),
            str(progress),
            start_on.isoformat(),
            start_on.isoformat(),
            execution_to.isoformat(),
            acceptance_on.isoformat(),
            observation_from.isoformat(),
            observation_to.isoformat(),
            closure_on.isoformat(),
            str(run_days),
            str(watch_days),
            "{onsite,phone}",
            "[]",
            "[]",
            _ts(kicked_off_at),
            _opt(started_on and started_on.isoformat()),
            _ts(submitted_at),
            _ts(cancel_at if status == Status.CANCELLED else None),
            rng.choice(CANCEL_REASONS) if status == Status.CANCELLED else "",
            _opt(last_tracked and last_tracked.isoformat()),
            _opt(next_tracking and next_tracking.isoformat()),
            _ts(observation_started),
            _opt(next_recheck and next_recheck.isoformat()),
            "",
            "[]",
            "\\N",
            "",
            str(ops),
            _ts(created),
            _ts(events[-1][0]),
        )
        return status

    def _closure_items(self) -> dict:
        return {}

    def _acceptance(self, pk, kind, at, fail, from_status, to_status, goal_rows, lead, manager):
        rng, w = self.rng, self.w
        acceptance_pk = self.ids[Acceptance].take()
        day = self._date(at)
        core = [g for g in goal_rows if g[4]]
        points = Decimal(40) / max(1, len(core))
        goal_total = Decimal(0)
        for goal_pk, _base, target, _direction, _core in core:
            rate = rng.uniform(0.6, 0.85) if fail else rng.uniform(0.95, 1.15)
            band = GoalBand.MISSED if fail else (GoalBand.EXCEEDED if rate > 1.05 else GoalBand.MET)
            score = (points * Decimal(min(rate, 1.0))).quantize(Decimal("0.1"))
            goal_total += score
            w[AcceptanceGoal].add(
                str(acceptance_pk),
                str(goal_pk),
                _dec(target * rate),
                f"{rate:.6f}",
                band,
                f"{points:.1f}",
                f"{score:.1f}",
            )
        process = [Decimal(rng.randint(6, 10)) for _ in range(3)]
        satisfaction = Decimal(rng.randint(12, 18))
        interviews = Decimal(rng.randint(3, 5))
        sustainability = Decimal(rng.randint(5, 10)) if kind == "formal" else Decimal(0)
        total = min(
            Decimal(100), sum(process) + goal_total + satisfaction + interviews + sustainability
        )
        if fail:
            total = min(total, Decimal("59.0"))
        rating = (
            Rating.EXCELLENT
            if total >= 90
            else Rating.GOOD
            if total >= 80
            else Rating.QUALIFIED
            if total >= 60
            else Rating.UNQUALIFIED
        )
        conclusion = Conclusion.FAIL if fail else Conclusion.PASS
        signed = at + int(rng.uniform(1, 30) * HOUR_US)
        w[Acceptance].add(
            str(acceptance_pk),
            str(pk),
            kind,
            day.isoformat(),
            *(f"{p:.1f}" for p in process),
            _dec(rng.uniform(80, 95)),
            f"{satisfaction:.1f}",
            str(rng.randint(6, 10)),
            str(rng.randint(1, 4)),
            str(rng.randint(0, 2)),
            f"{interviews:.1f}",
            f"{sustainability:.1f}",
            f"{total:.1f}",
            rating,
            conclusion,
            conclusion,
            "",
            "[]",
            from_status,
            to_status,
            str(lead),
            _ts(at),
            str(manager),
            _ts(min(signed, self.now_us)),
            _ts(at),
        )


def default_projects(issues: int) -> int:
    return round(issues * SHARE_OF_ISSUES)


def generate(
    *, projects: int, seed: int = 1, now: dt.datetime | None = None, say: Callable = print
) -> ProjectSummary:
    """Generate ``projects`` rectification projects over the issues in the database."""
    return ProjectGenerator(projects=projects, seed=seed, now=now or timezone.now(), say=say).run()
