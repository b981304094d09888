"""Demo issues: a few hundred over the last six months, written through the services
so every timeline, due time and breach is real. Deterministic (fixed seed); loads only
when there are no issues yet."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import Department, Store, User

from . import services
from .choices import Channel, Status, SystemicStatus
from .models import Issue

TITLES = {
    "system": [
        (
            "DMS 工单流转慢，开单到派工超过 10 分钟",
            "高峰期开单后要等很久才能派工，客户在前台排队。",
        ),
        ("DMS 结算页面频繁卡死", "结算时页面无响应，需要重启浏览器，影响交车。"),
        ("配件查询接口超时", "查询配件库存经常超时，只能电话问仓库。"),
        ("预约系统与 DMS 数据不同步", "线上预约的客户在 DMS 里查不到，需要手工补录。"),
        ("电子保修单无法提交", "提交保修单时报错“签名校验失败”。"),
        ("DMS 打印工单格式错乱", "新版本打印的工单表格错位，客户看不清项目。"),
    ],
    "process": [
        ("保修审批流程过长", "一笔保修索赔要经过 4 级审批，平均 6 天，客户抱怨。"),
        ("索赔资料要求不清晰", "不同审核人要求的照片和资料不一致，反复退回。"),
        ("客户投诉升级路径不明确", "门店不知道投诉什么时候该升级到区域。"),
        ("交车检查表与实际流程不符", "检查表上的项目和现在的交车流程对不上。"),
        ("首保政策解读不一致", "各店对首保免费项目的理解不同，客户比较后投诉。"),
    ],
    "supply_chain": [
        ("常用保养件缺货（机滤）", "机滤连续两周缺货，保养客户只能改约。"),
        ("配件到货周期超过 7 天", "常规订单到货从 3 天变成 7 天以上。"),
        ("紧急订单无法加急", "VOR 紧急订单没有加急通道，车辆趴窝。"),
        ("电池包备件库存不足", "新能源车型电池包备件全国调拨都没有。"),
        ("调拨流程慢", "店间调拨需要 3 个审批，平均 4 天。"),
    ],
    "people": [
        ("新员工不会使用 DMS 新功能", "新入职服务顾问没有培训，开单错误多。"),
        ("服务顾问缺少新车型培训", "新车型上市，顾问回答不了客户的保养问题。"),
        ("技师诊断设备培训不足", "新诊断设备只有一个技师会用。"),
        ("前台接待话术不统一", "接待话术各说各的，客户体验不一致。"),
        ("人员流失导致排班紧张", "两名技师离职，周末排班紧张，等待时间变长。"),
    ],
}
CATEGORY_WEIGHTS = [("system", 35), ("process", 25), ("supply_chain", 20), ("people", 20)]
SCOPE_WEIGHTS = [("store", 60), ("multi_store", 20), ("region", 15), ("national", 5)]
COMMENTS = [
    "已收到，正在排查。",
    "已联系厂家技术支持。",
    "预计本周内给出方案。",
    "请门店继续观察。",
]
QUESTIONS = ["请提供出错时的截图。", "请补充出现问题的车型和 VIN。", "请确认是哪一个工位。"]
REPLIES = ["截图已补充。", "VIN 已补充，见附件说明。", "是 3 号工位。"]


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _working_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randint(0, 59)))
    return timezone.make_aware(local)


class _Cast:
    def __init__(self):
        self.managers = {}
        for user in User.objects.filter(role=Role.STORE_MANAGER, is_active=True):
            self.managers.setdefault(user.store_id, user)
        self.ops = {}
        for user in User.objects.filter(role=Role.OPS_SPECIALIST, is_active=True).prefetch_related(
            "stores"
        ):
            for store in user.stores.all():
                self.ops.setdefault(store.pk, user)
        self.lead = User.objects.filter(role=Role.QUALITY_LEAD, is_active=True).first()
        self.department_people = {}
        for user in User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True):
            self.department_people.setdefault(user.department_id, []).append(user)

    def triager(self, store):
        return self.ops.get(store.pk) or self.lead

    def department_person(self, rng, department):
        people = self.department_people.get(department.pk) if department else None
        return rng.choice(people) if people else self.lead


def _step(when: dt.datetime, rng: random.Random, low_hours: float, high_hours: float):
    return when + dt.timedelta(hours=rng.uniform(low_hours, high_hours))


def _flow(issue, *, rng, cast, store, now):
    """Drive one issue as far as its age allows, through the real services."""
    submitter = issue.submitted_by
    triager = cast.triager(store)
    t = _step(issue.submitted_at, rng, 0.3, 30)
    fresh = now - issue.submitted_at < dt.timedelta(days=4)
    if t > now or triager is None or (fresh and rng.random() < 0.5):
        return  # still in the triage queue
    roll = rng.random()
    if roll < 0.04:
        services.reject(
            issue=issue, actor=triager, reason="属于车辆质量问题，请走质量反馈渠道。", at=t
        )
        return
    priority = issue.suggested_priority if rng.random() < 0.8 else rng.choice(["P1", "P2", "P3"])
    issue = services.triage(issue=issue, actor=triager, priority=priority, at=t)
    owner = cast.department_person(rng, issue.department)
    # Some departments answer late: those become the overdue examples.
    late = rng.random() < 0.2
    t = _step(t, rng, 30 if late else 0.2, 80 if late else 20)
    if t > now:
        return
    if rng.random() < 0.3:
        services.comment(issue=issue, actor=owner, body=rng.choice(COMMENTS), at=t)
        t = _step(t, rng, 0.5, 6)
        if t > now:
            return
    issue = services.accept(issue=issue, actor=owner, at=t)
    if rng.random() < 0.15:
        t = _step(t, rng, 2, 30)
        if t > now:
            return
        issue = services.ask_store(issue=issue, actor=owner, question=rng.choice(QUESTIONS), at=t)
        t = _step(t, rng, 2, 60)
        if t > now:
            return
        issue = services.store_reply(issue=issue, actor=submitter, body=rng.choice(REPLIES), at=t)
    if rng.random() < 0.5:
        t = _step(t, rng, 1, 40)
        if t > now:
            return
        services.comment(issue=issue, actor=owner, body=rng.choice(COMMENTS), at=t)
    t = _step(t, rng, 12, 24 * (20 if late else 10))
    if t > now:
        return
    issue = services.resolve(
        issue=issue, actor=owner, resolution="已完成整改：" + issue.title, at=t
    )
    t = _step(t, rng, 2, 24 * 9)
    if t > now:
        return
    if t - issue.resolved_at >= dt.timedelta(days=7):
        services.auto_close(issue=issue, at=issue.resolved_at + dt.timedelta(days=7, hours=1))
        return
    if rng.random() < 0.06:
        services.reopen(issue=issue, actor=submitter, reason="问题再次出现。", at=t)
        return
    services.confirm(
        issue=issue,
        actor=submitter,
        rating=_pick(rng, [(5, 45), (4, 35), (3, 15), (2, 5)]),
        comment=rng.choice(["", "处理及时", "希望更快一些"]),
        at=t,
    )


def load_issues(*, count: int = 320, days: int = 180, seed: int = 2026, now=None) -> int:
    """Create ``count`` demo issues submitted over the last ``days`` days. Returns the
    number created (0 when issues already exist)."""
    if Issue.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    cast = _Cast()
    stores = [
        s
        for s in Store.objects.filter(active=True)
        if cast.managers.get(s.pk) or cast.ops.get(s.pk)
    ]
    if not stores or not Department.objects.exists():
        return 0
    created = 0
    moments = sorted(
        _working_moment(rng, (now - dt.timedelta(days=rng.uniform(0, days))).date())
        for _ in range(count)
    )
    for moment in moments:
        if moment > now:
            moment = now - dt.timedelta(minutes=rng.randint(5, 300))
        store = rng.choice(stores)
        manager = cast.managers.get(store.pk)
        submitter = manager or cast.ops.get(store.pk)
        category = _pick(rng, CATEGORY_WEIGHTS)
        title, description = rng.choice(TITLES[category])
        with transaction.atomic(), recording_history():
            issue, _ = services.create_issue(
                submitted_by=submitter,
                store=store,
                category=category,
                title=title,
                description=description,
                impact_scope=_pick(rng, SCOPE_WEIGHTS),
                channel=Channel.WEB if manager else Channel.CHAT,
                at=moment,
            )
            _flow(issue, rng=rng, cast=cast, store=store, now=now)
        created += 1
    # The ladder alerts the past six months would have raised: recorded in the inboxes
    # (the bells show today's backlog) without mailing anybody when the demo loads.
    from .alerts import sweep

    with transaction.atomic(), recording_history():
        sweep(now)
    # A duplicate pair, so that status shows something too.
    pair = list(Issue.objects.filter(status=Status.SUBMITTED).order_by("submitted_at")[:2])
    if len(pair) == 2 and cast.lead is not None:
        services.mark_duplicate(issue=pair[1], actor=cast.lead, duplicate_of=pair[0])
    if cast.lead is not None:
        with transaction.atomic(), recording_history():
            _systemic_problems(cast.lead, now)
    return created


#: Demo systemic problems: the recurring title their issues share, a description, and
#: the status the quality lead has moved each to.
SYSTEMIC = [
    (
        "DMS 工单流转慢，开单到派工超过 10 分钟",
        "多家门店高峰期开单到派工超过 10 分钟，根因在 DMS 派工服务的队列。",
        SystemicStatus.IN_PROGRESS,
    ),
    (
        "常用保养件缺货（机滤）",
        "机滤全国性缺货，需总部协调供应商提前备货。",
        SystemicStatus.PUSHED,
    ),
    (
        "保修审批流程过长",
        "保修索赔 4 级审批平均 6 天，总部已同意简化为 2 级。",
        SystemicStatus.LANDED,
    ),
    ("新员工不会使用 DMS 新功能", "新员工入职培训缺少 DMS 新功能模块。", SystemicStatus.IDENTIFIED),
]


def _systemic_problems(lead, now) -> int:
    """Group the demo's recurring problems (the same title in several stores) into
    systemic issues through the services, each at its own status."""
    made = 0
    for title, description, status in SYSTEMIC:
        issues = list(
            Issue.objects.filter(title=title)
            .exclude(status__in=[Status.REJECTED, Status.DUPLICATE])
            .order_by("submitted_at")[:12]
        )
        if len({issue.store_id for issue in issues}) < 2:
            continue
        department = next((i.department for i in issues if i.department_id), None)
        start = issues[0].submitted_at + dt.timedelta(days=3)
        systemic = services.create_systemic_issue(
            actor=lead,
            title=title,
            description=description,
            department=department,
            issues=issues,
            at=min(start, now),
        )
        path = {
            SystemicStatus.IN_PROGRESS: [SystemicStatus.IN_PROGRESS],
            SystemicStatus.PUSHED: [SystemicStatus.IN_PROGRESS, SystemicStatus.PUSHED],
            SystemicStatus.LANDED: [SystemicStatus.IN_PROGRESS, SystemicStatus.LANDED],
        }.get(status, [])
        for step, next_status in enumerate(path, 1):
            services.set_systemic_status(
                systemic=systemic,
                actor=lead,
                status=next_status,
                at=min(start + dt.timedelta(days=7 * step), now),
            )
        made += 1
    return made


# --- the demo step (``manage.py load_demo``, see closedloop/core/registry.py) ------------

DEMO_ORDER = 20


def add_demo_arguments(parser) -> None:
    parser.add_argument(
        "--issues",
        type=int,
        default=320,
        help="how many demo issues to generate over the last six months (default 320)",
    )


def load_demo(options) -> str:
    count = options.get("issues", 320)
    created = load_issues(count=count) if count > 0 else 0
    return _("演示问题：新增 %(n)d 条（已有问题时不再生成）。") % {"n": created}
