"""Demo inspections: the source's three stores on the improvement board (A店 12 findings
8/3/1 — 67 %, B店 10 → 9/1/0 — 90 %, C店 15 → 5/7/3 — 33 %, red) mapped to demo stores,
and a few more in every state — a store that needs support, an accepted one awaiting its
experience write-up, closed ones (the source's 等待时间 case) and a draft. Written
through the services, dated relative to today, loaded only when there are none yet."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.models import Store, User

from . import services
from .choices import FindingStatus, Priority
from .models import Inspection
from .services import ItemInput

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

#: (text, priority, item key) — what inspections of after-sales stores find.
FINDINGS = [
    ("客户平均等待时间 45 分钟，超过 30 分钟标准", Priority.HIGH, "da_waiting"),
    ("未执行每 15 分钟主动告知进度", Priority.HIGH, "pr_progress"),
    ("进度显示屏未安装，客户无法查看维修进度", Priority.HIGH, "hw_display"),
    ("开单到派工平均 18 分钟", Priority.MEDIUM, "pr_dispatch"),
    ("新入职服务顾问未完成 DMS 培训", Priority.MEDIUM, "pe_training"),
    ("接待话术不统一，解释费用时说法不一", Priority.MEDIUM, "pe_script"),
    ("休息区饮水机损坏，充电口不足", Priority.MEDIUM, "hw_lounge"),
    ("环车检查漏项，未记录外观划痕", Priority.MEDIUM, "pr_reception"),
    ("工单录入缺少里程和故障描述", Priority.LOW, "da_records"),
    ("车间区域标识褪色", Priority.LOW, "hw_signage"),
    ("NPS 与投诉数据未按月分析", Priority.LOW, "da_nps"),
    ("诊断设备校准过期", Priority.MEDIUM, "hw_equipment"),
    ("交车时未解释保养建议", Priority.LOW, "pr_delivery"),
    ("服务顾问查询配件库存不熟练", Priority.MEDIUM, "pe_dms"),
    ("高峰期前台只有 1 名顾问", Priority.HIGH, ""),
]

METRICS = [
    {"metric": "waiting_minutes", "baseline": 45, "standard": 30},
    {"metric": "nps", "baseline": 58, "standard": 70},
    {"metric": "complaints", "baseline": "3.2", "standard": "2.0"},
]
#: The source's acceptance data (验收报告: NPS 58 → 72, 等待 45 → 28, 投诉率 3.2 → 1.5).
ACCEPTED_READINGS = {"waiting_minutes": 28, "nps": 72, "complaints": "1.5"}

EXPERIENCE = {
    "title": "通过系统优化和流程改进，将客户等待时间缩短40%",
    "problem": "客户平均等待时间45分钟，导致NPS下滑",
    "root_cause": "工单系统响应慢 + 缺少进度告知机制",
    "solution": "升级系统服务器（5万元，3天完成）；安装进度显示屏（1万元，1周完成）；"
    "强化“每15分钟主动告知”标准（培训2小时）",
    "effect": "等待时间 45→28 分钟（-38%）；NPS 58→72（+24%）；投诉率 3.2%→1.5%（-53%）；"
    "ROI：6.5万投入，每月增收约5万元",
}


@dataclass
class Plan:
    """One demo inspection: where, how many days ago, its findings' statuses and how far
    its follow-up went."""

    store: str
    days_ago: int
    findings: tuple[int, int, int]  # solved, in progress, not started
    failing: tuple[str, ...] = ()
    low_scores: dict = field(default_factory=dict)
    steps: tuple[str, ...] = ("call", "kickoff")
    logs: tuple[int, ...] = ()  # days after the report
    difficulty: bool = False
    remote_check: int | None = None
    resource: tuple | None = None  # (kind, what, department, open?)
    accept_after: int | None = None
    experience_after: int | None = None
    close: bool = False
    draft: bool = False


PLANS = [
    # An earlier round at the source's three stores, closed: the score trend has a past.
    Plan(
        "HZ001",
        120,
        (4, 0, 0),
        ("da_waiting",),
        {"pr_progress": 5},
        logs=(6, 13, 20, 27),
        remote_check=12,
        accept_after=30,
        experience_after=33,
        close=True,
    ),
    Plan(
        "GZ001",
        110,
        (5, 0, 0),
        ("hw_display", "da_waiting"),
        {"pr_dispatch": 4},
        logs=(7, 14, 21, 28),
        remote_check=13,
        accept_after=32,
        experience_after=36,
        close=True,
    ),
    Plan(
        "SH001",
        100,
        (3, 0, 0),
        ("pe_training",),
        {},
        logs=(7, 14, 21, 28),
        remote_check=10,
        accept_after=29,
        experience_after=33,
        close=True,
    ),
    # The source's improvement board (改进仪表盘): A店, B店, C店.
    Plan(
        "HZ001",
        11,
        (8, 3, 1),
        ("da_waiting", "hw_display", "pe_training"),
        {"pr_progress": 4, "pr_dispatch": 5},
        logs=(7,),
    ),
    Plan(
        "SH001",
        16,
        (9, 1, 0),
        ("pe_training", "da_nps"),
        {"pr_dispatch": 5},
        logs=(6, 13),
        remote_check=12,
    ),
    Plan(
        "GZ001",
        9,
        (5, 7, 3),
        ("da_waiting", "hw_display", "pe_training", "hw_signage"),
        {"pr_progress": 3, "pr_dispatch": 4, "pe_script": 5},
        steps=("call",),
        resource=("it", "DMS 服务器升级（IT 排期 2 个月）", "IT", True),
    ),
    # A store that needs support (yellow): budget not approved yet, a difficulty logged.
    Plan(
        "NB001",
        20,
        (6, 2, 0),
        ("hw_display",),
        {"hw_lounge": 5},
        logs=(7, 14),
        difficulty=True,
        remote_check=13,
        resource=("budget", "进度显示屏采购预算 1 万元", "OPS", True),
    ),
    # Accepted in week 5: the experience is due within a week.
    Plan(
        "BJ001",
        35,
        (6, 0, 0),
        ("da_waiting", "hw_display"),
        {"pr_progress": 4},
        logs=(7, 14, 21, 28),
        remote_check=12,
        accept_after=30,
        resource=("training", "服务顾问进度告知话术培训", "TRAINING", False),
    ),
    # The source's case closed: waiting time 45 → 28 minutes.
    Plan(
        "CD001",
        75,
        (5, 0, 0),
        ("da_waiting", "hw_display"),
        {"pr_progress": 4},
        logs=(7, 14, 21, 28),
        remote_check=11,
        accept_after=33,
        experience_after=37,
        close=True,
    ),
    Plan(
        "WH001", 26, (3, 3, 1), ("pe_training",), {"pe_dms": 5}, logs=(6, 13, 20), remote_check=12
    ),
    Plan("SH002", 0, (0, 0, 0), draft=True),
]


def _photo(name: str, color) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 580, 420), outline=(255, 255, 255), width=8)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _ops_of(store: Store) -> User | None:
    return (
        User.objects.filter(role="ops_specialist", is_active=True, stores=store)
        .order_by("username")
        .first()
    )


def _findings_for(plan: Plan) -> list[dict]:
    total = sum(plan.findings)
    rows = [f for f in FINDINGS if f[2] in plan.failing]
    rows += [f for f in FINDINGS if f not in rows]
    return [{"text": t, "priority": p, "item": k} for t, p, k in rows[:total]]


def _statuses(plan: Plan, findings) -> list[str]:
    """Solved first where the acceptance rule cares most: high, then medium, then low."""
    order = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
    ranked = sorted(findings, key=lambda f: (order[f.priority], f.seq))
    solved, in_progress, _not_started = plan.findings
    statuses = {}
    for index, finding in enumerate(ranked):
        if index < solved:
            statuses[finding.pk] = FindingStatus.SOLVED
        elif index < solved + in_progress:
            statuses[finding.pk] = FindingStatus.IN_PROGRESS
        else:
            statuses[finding.pk] = FindingStatus.NOT_STARTED
    return statuses


OWNERS = ["服务经理 王强", "前台主管 刘芳", "技术经理 陈军", "店长"]


def _run(plan: Plan, store: Store, ops: User, today: dt.date) -> Inspection:
    day = today - dt.timedelta(days=plan.days_ago)
    template = services.ensure_default_template()
    inspection = services.start_inspection(
        actor=ops, store=store, template=template, inspected_on=day, at=_moment(day, 9)
    )
    if plan.draft:
        services.record_results(
            inspection=inspection,
            actor=ops,
            results=[ItemInput("hw_equipment", score=9), ItemInput("hw_signage", passed=True)],
            at=_moment(day, 10),
        )
        return inspection
    for metric in METRICS:
        services.add_metric(inspection=inspection, actor=ops, at=_moment(day), **metric)
    results = []
    for item in template.items.all():
        if item.kind == "score":
            results.append(ItemInput(item.key, score=plan.low_scores.get(item.key, 9)))
        else:
            results.append(ItemInput(item.key, passed=item.key not in plan.failing))
    colors = [(40, 90, 160), (60, 140, 90)]
    services.record_results(
        inspection=inspection,
        actor=ops,
        results=results,
        photos={
            item.key: [_photo(f"{item.key}.jpg", colors[n % 2])]
            for n, item in enumerate(template.items.filter(photo_required=True))
        },
        findings=_findings_for(plan),
        summary=_("门店整体运营平稳，客户等待与进度告知是主要短板。"),
        at=_moment(day, 12),
    )
    services.issue_report(inspection=inspection, actor=ops, at=_moment(day, 17))
    report = day
    findings = list(inspection.findings.all())
    for n, finding in enumerate(findings):
        services.update_finding(
            finding=finding,
            actor=ops,
            owner_name=OWNERS[n % len(OWNERS)],
            due_on=report + dt.timedelta(days=7 + 7 * (n % 3)),
            steps=_("按启动会约定执行，每周汇报进度"),
            acceptance_criterion=_("现场抽查合格，数据达标"),
            at=_moment(report + dt.timedelta(days=1), 16),
        )
    if "call" in plan.steps:
        services.record_step(
            inspection=inspection,
            actor=ops,
            kind="call",
            done_on=report + dt.timedelta(days=1),
            note=_("已与店长确认报告，约定优先解决等待时间问题。"),
            at=_moment(report + dt.timedelta(days=1), 18),
        )
    if "kickoff" in plan.steps:
        services.record_step(
            inspection=inspection,
            actor=ops,
            kind="kickoff",
            done_on=report + dt.timedelta(days=2),
            note=_("启动会：确定前 3 个高优先级问题和行动计划表。"),
            at=_moment(report + dt.timedelta(days=2), 18),
        )
    if plan.resource:
        kind, what, department, still_open = plan.resource
        request = services.request_resource(
            inspection=inspection,
            actor=ops,
            kind=kind,
            what=what,
            department=department,
            expected_on=report + dt.timedelta(days=60 if still_open else 10),
            at=_moment(report + dt.timedelta(days=2), 19),
        )
        if not still_open:
            services.update_resource(
                request=request,
                actor=ops,
                status="done",
                at=_moment(report + dt.timedelta(days=9), 10),
            )
    # The statuses reached by now (solved ones before the acceptance).
    statuses = _statuses(plan, findings)
    progress_day = min(report + dt.timedelta(days=5), today)
    for finding in findings:
        if statuses[finding.pk] != FindingStatus.NOT_STARTED:
            services.update_finding(
                finding=finding,
                actor=ops,
                status=statuses[finding.pk],
                at=_moment(progress_day, 15),
            )
    for offset in plan.logs:
        log_day = report + dt.timedelta(days=offset)
        services.add_follow_up_log(
            inspection=inspection,
            actor=ops,
            date=log_day,
            participants=_("店长、运营专家 %(n)s") % {"n": ops},
            done=[_("进度显示屏已安装，客户反馈良好")],
            in_progress=[_("服务顾问培训计划中，预计本周五完成")],
            not_started=[_("系统升级仍在等 IT 部门排期")] if offset < 14 else [],
            difficulties=[_("预算审批未通过，需总部协调")] if plan.difficulty else [],
            next_week=[_("完成服务顾问培训和考核"), _("开始收集客户等待时间数据")],
            at=_moment(log_day, 18),
        )
    if plan.remote_check:
        check_day = report + dt.timedelta(days=plan.remote_check)
        services.record_spot_check(
            inspection=inspection,
            actor=ops,
            kind="remote",
            date=check_day,
            hardware="ok",
            process="partial",
            people="ok",
            data="partial",
            note=_("视频连线：请顾问演示超过 20 分钟的工单如何告知客户。"),
            at=_moment(check_day, 15),
        )
    if plan.accept_after:
        accept_day = report + dt.timedelta(days=plan.accept_after)
        onsite_day = accept_day - dt.timedelta(days=2)
        services.record_spot_check(
            inspection=inspection,
            actor=ops,
            kind="onsite",
            date=onsite_day,
            hardware="ok",
            process="ok",
            people="ok",
            data="ok",
            at=_moment(onsite_day, 15),
        )
        metrics = {m.metric: m.pk for m in inspection.metrics.all()}
        failed = services.failed_items(inspection)
        services.reinspect(
            inspection=inspection,
            actor=ops,
            date=accept_day,
            rescores=[
                ItemInput(i.key, score=i.max_score * 9 / 10)
                if i.kind == "score"
                else ItemInput(i.key, passed=True)
                for i in failed
            ],
            readings={metrics[code]: value for code, value in ACCEPTED_READINGS.items()},
            note=_("亮点：进度告知执行到位；不足：高峰期人手仍紧张。"),
            at=_moment(accept_day, 16),
        )
        if plan.experience_after:
            exp_day = report + dt.timedelta(days=plan.experience_after)
            services.capture_experience(
                inspection=inspection,
                actor=ops,
                captured_on=exp_day,
                standard_updated=True,
                replicability=5,
                at=_moment(exp_day, 16),
                **EXPERIENCE,
            )
        if plan.close:
            services.update_closure_check(
                inspection=inspection,
                actor=ops,
                new_habits=True,
                store_shares=True,
                others_learn=True,
                at=_moment(exp_day, 17),
            )
            services.close_inspection(inspection=inspection, actor=ops, at=_moment(exp_day, 18))
    return inspection


def load_inspections(*, today: dt.date | None = None) -> int:
    """Create the demo inspections; 0 when inspections already exist."""
    if Inspection.objects.exists():
        return 0
    today = today or timezone.localdate()
    now = timezone.now()
    created = 0
    for plan in PLANS:
        store = Store.objects.filter(code=plan.store).first()
        ops = _ops_of(store) if store else None
        if store is None or ops is None:
            continue
        with transaction.atomic(), recording_history():
            _run(plan, store, ops, today)
        created += 1
    # The reminders the past weeks would have sent: recorded, nobody mailed today.
    from .alerts import sweep

    with recording_history():
        sweep(now)
    return created


# --- the demo step (``manage.py load_demo``, see closedloop/core/registry.py) ------------

DEMO_ORDER = 40


def add_demo_arguments(parser) -> None:
    import argparse

    parser.add_argument(
        "--inspections",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load the demo inspections (default); --no-inspections skips them",
    )


def load_demo(options) -> str | None:
    if not options.get("inspections", True):
        return None
    created = load_inspections()
    return _("演示巡检：新增 %(n)d 次（已有巡检时不再生成）。") % {"n": created}
