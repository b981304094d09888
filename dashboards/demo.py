"""Demo data of the dashboards (``manage.py load_demo``, after the issues): the KPI targets
of the source's board, the last four weekly meetings with attendance, decisions and action
items, next Wednesday's meeting, and a little history around each rollout batch's go-live
so that the rollout view has a before and an after. Written through the services;
deterministic; does nothing when meetings already exist."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import Store, User
from issues import services as issue_services
from issues.choices import OPEN_STATUSES, Priority
from issues.models import Issue

from . import services
from .choices import BlockKind, Direction, Metric
from .models import Meeting
from .periods import ZONE, local_date, month

DEMO_ORDER = 50
#: Rollout-history issues per store on each side of its go-live (kept small: the demo's
#: issue count stays in the few hundreds the issues demo promises).
PER_SIDE = 1

#: The source's board (效果评估): baselines and targets. The backlog is scaled to the demo
#: network's size (the source's 1200 → 300 belongs to 300 stores and 1 500 issues).
TARGETS = [
    (Metric.RESOLUTION_RATE, "0.58", "0.85", Direction.HIGHER),
    (Metric.AVG_RESOLUTION_DAYS, "45", "15", Direction.LOWER),
    (Metric.BACKLOG, "120", "30", Direction.LOWER),
    (Metric.RESPONSE_RATE_P0, None, "0.95", Direction.HIGHER),
    (Metric.RESPONSE_RATE_P1, None, "0.95", Direction.HIGHER),
    (Metric.RESPONSE_RATE_P2, None, "0.90", Direction.HIGHER),
    (Metric.MEETING_ATTENDANCE, None, "0.90", Direction.HIGHER),
    (Metric.DECISION_CLARITY, None, "1", Direction.HIGHER),
    (Metric.ACTION_COMPLETION, None, "0.80", Direction.HIGHER),
]
TOPICS = [
    ("P1 问题分类准确率", "部分 P1 问题分类不准确导致响应延迟：复盘 10 个案例，修订 P1 判断标准。"),
    ("产品部门响应通道", "产品部门响应率 88%，低于其他部门：讨论快速响应通道和专员对接。"),
    ("华东配件缺货", "华东区域配件缺货问题：供应链预测算法优化进展。"),
    ("DMS 工单流程优化", "工单流程从 8 步优化为 5 步的上线计划。"),
    ("门店提问积极性", "门店主动提交问题数环比增长，如何保持。"),
]
DECISIONS = [
    "IT 本周内发布修复版本并通知门店",
    "供应链调拨备件，优先保障该店",
    "产品部门出具方案，下次周会汇报",
    "运营专员现场跟进，48 小时内反馈",
    "培训部门安排专项培训",
]


def _lead() -> User | None:
    return User.objects.filter(role=Role.QUALITY_LEAD, is_active=True).order_by("pk").first()


def _owners() -> list[User]:
    return list(User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True).order_by("username"))


def load_targets(lead: User, now) -> int:
    since = month(local_date(now) - dt.timedelta(days=200)).first_day
    for metric, baseline, target, direction in TARGETS:
        services.set_kpi_target(
            actor=lead,
            metric=metric,
            baseline=baseline,
            target=target,
            direction=direction,
            valid_from=since,
            at=now,
        )
    return len(TARGETS)


def _wednesday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(2 - day.weekday()) % 7)


def load_meetings(lead: User, now, rng: random.Random) -> int:
    owners = _owners()
    today = local_date(now)
    upcoming = _wednesday_on_or_after(today)
    if dt.datetime.combine(upcoming, dt.time(15, 30), tzinfo=ZONE) <= now:
        upcoming += dt.timedelta(days=7)
    created = 0
    for weeks_back in (4, 3, 2, 1):
        day = upcoming - dt.timedelta(days=7 * weeks_back)
        topic, notes = TOPICS[weeks_back % len(TOPICS)]
        meeting = services.schedule_meeting(actor=lead, date=day, topic=topic, topic_notes=notes)
        invited = [a.user for a in meeting.attendances.select_related("user")]
        present = [u for u in invited if rng.random() < 0.9] or invited[:1]
        services.record_attendance(actor=lead, meeting=meeting, attended=present)
        start = meeting.starts_at
        services.start_meeting(actor=lead, meeting=meeting, at=start)
        top = list(
            Issue.objects.filter(
                priority__in=[Priority.P0, Priority.P1], submitted_at__lt=start
            ).order_by("-submitted_at")[:3]
        )
        for i, issue in enumerate(top):
            owner = rng.choice(owners) if owners else lead
            clear = not (weeks_back == 3 and i == 2)  # one unclear decision, for the record
            services.capture_decision(
                actor=lead,
                meeting=meeting,
                block=BlockKind.TOP_ISSUES,
                issue=issue,
                text=rng.choice(DECISIONS),
                owner=owner if clear else None,
                due_on=day + dt.timedelta(days=rng.choice([5, 7, 14])) if clear else None,
                at=start + dt.timedelta(minutes=15 + 8 * i),
            )
        services.capture_decision(
            actor=lead,
            meeting=meeting,
            block=BlockKind.TOPIC,
            text=f"{topic}：形成改进方案并在下周会上确认",
            owner=rng.choice(owners) if owners else lead,
            due_on=day + dt.timedelta(days=7),
            at=start + dt.timedelta(minutes=70),
        )
        services.finish_meeting(actor=lead, meeting=meeting, at=meeting.ends_at)
        created += 1
        # Most action items due by now were done (the source's 85 %).
        for item in meeting.action_items.select_related("owner"):
            done_at = dt.datetime.combine(item.due_on, dt.time(17, 0), tzinfo=ZONE)
            if done_at < now and rng.random() < 0.85:
                services.complete_action_item(actor=item.owner, item=item, at=done_at)
    topic, notes = TOPICS[0]
    services.schedule_meeting(actor=lead, date=upcoming, topic=topic, topic_notes=notes)
    return created + 1


def load_rollout_history(lead: User, rng: random.Random, now) -> int:
    """Issues in the eight weeks around each store's go-live: slow and often unresolved
    before it, faster after (the source's pilot: 55 % → 72 %, 48 → 28 days)."""
    managers = {u.store_id: u for u in User.objects.filter(role=Role.STORE_MANAGER, is_active=True)}
    ops = {}
    for user in User.objects.filter(role=Role.OPS_SPECIALIST, is_active=True).prefetch_related(
        "stores"
    ):
        for store in user.stores.all():
            ops.setdefault(store.pk, user)
    owners = {}
    for user in User.objects.filter(role__in=DEPARTMENT_ROLES, is_active=True):
        owners.setdefault(user.department_id, user)
    created = 0
    stores = Store.objects.filter(go_live_date__isnull=False, active=True).order_by("code")
    for store in stores:
        submitter = managers.get(store.pk) or ops.get(store.pk)
        triager = ops.get(store.pk) or lead
        if submitter is None:
            continue
        go_live = dt.datetime.combine(store.go_live_date, dt.time(10, 0), tzinfo=ZONE)
        for after in (False, True):
            for _n in range(PER_SIDE):
                submitted = go_live + dt.timedelta(
                    days=rng.uniform(1, 50) * (1 if after else -1), hours=rng.uniform(-1, 6)
                )
                if submitted >= now:
                    continue
                with transaction.atomic(), recording_history():
                    issue, _created = issue_services.create_issue(
                        submitted_by=submitter,
                        store=store,
                        category=rng.choice(["system", "process", "supply_chain", "people"]),
                        title=rng.choice(
                            ["配件到货慢", "DMS 开单卡顿", "索赔资料退回", "新员工培训不足"]
                        ),
                        description="推广前后对比的演示数据。",
                        impact_scope="store",
                        at=submitted,
                    )
                    t = submitted + dt.timedelta(hours=rng.uniform(1, 20))
                    issue = issue_services.triage(
                        issue=issue, actor=triager, priority=Priority.P2, at=t
                    )
                    owner = owners.get(issue.department_id) or lead
                    t += dt.timedelta(hours=rng.uniform(2, 40 if after else 120))
                    issue = issue_services.accept(issue=issue, actor=owner, at=t)
                    days = rng.uniform(6, 25) if after else rng.uniform(25, 80)
                    t = submitted + dt.timedelta(days=days)
                    if t < now:
                        issue = issue_services.resolve(
                            issue=issue, actor=owner, resolution="已处理。", at=t
                        )
                        close_at = t + dt.timedelta(days=7, hours=1)
                        if close_at < now:
                            issue_services.auto_close(issue=issue, at=close_at)
                created += 1
    return created


def load_demo(options) -> str:
    if Meeting.objects.exists():
        return _("周会与看板演示数据已存在，未做修改。")
    lead = _lead()
    if lead is None:
        return ""
    now = timezone.now()
    rng = random.Random(2026)
    history = 0
    wants_issues = options.get("issues", 320) > 0  # ``load_demo --issues 0``: none at all
    if wants_issues and not Issue.objects.filter(submitted_at__lt=now - dt.timedelta(days=200)):
        history = load_rollout_history(lead, rng, now)
    with transaction.atomic():
        targets = load_targets(lead, now)
        meetings = load_meetings(lead, now, rng)
    still_open = Issue.objects.filter(status__in=OPEN_STATUSES).count()
    return _(
        "看板演示：%(t)d 个 KPI 目标、%(m)d 次周会（含行动项）、推广前后对比问题 %(h)d 条；"
        "未结束问题 %(o)d 条。"
    ) % {"t": targets, "m": meetings, "h": history, "o": still_open}
