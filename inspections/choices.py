"""Choices and constants of inspections (巡检) and their follow-up (跟进闭环), DOMAIN.md §8
and the source article (seeds/001): the five-step follow-up, the action plan, the
follow-up log, the spot checks, acceptance and closure conditions, the improvement board."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("巡检中")
    FOLLOWING_UP = "following_up", _("跟进中")
    ACCEPTED = "accepted", _("已验收")
    CLOSED = "closed", _("已闭环")


#: Inspections whose follow-up is running: their steps are reminded.
ACTIVE_STATUSES = (Status.FOLLOWING_UP, Status.ACCEPTED)


class Action(models.TextChoices):
    """Every recorded change of an inspection (transitions and other history rows)."""

    ISSUE_REPORT = "issue_report", _("出具报告")
    REINSPECT = "reinspect", _("验收复检")
    ACCEPT = "accept", _("验收通过")
    CLOSE = "close", _("闭环确认")
    RECORD_STEP = "record_step", _("完成跟进步骤")
    FOLLOW_UP_LOG = "follow_up_log", _("跟进日志")
    SPOT_CHECK = "spot_check", _("抽查")
    UPDATE_FINDING = "update_finding", _("更新行动计划")
    TO_ISSUE = "to_issue", _("转为问题")
    RESOURCE = "resource", _("资源协调")
    EXPERIENCE = "experience", _("经验沉淀")


S = Status
#: The allowed-transitions table: action -> {from status: to status}.
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.ISSUE_REPORT: {S.DRAFT: S.FOLLOWING_UP},
    Action.ACCEPT: {S.FOLLOWING_UP: S.ACCEPTED},
    Action.CLOSE: {S.ACCEPTED: S.CLOSED},
}

#: The statuses in which each other recorded change may be made: the services enforce
#: it, the pages offer an action only then (one table for both).
ACTION_STATUSES: dict[str, tuple[str, ...]] = {
    "add_finding": (S.DRAFT, S.FOLLOWING_UP),
    "add_metric": (S.DRAFT, S.FOLLOWING_UP),
    "record_step": (S.FOLLOWING_UP,),
    "reinspect": (S.FOLLOWING_UP,),
    "log": (S.FOLLOWING_UP, S.ACCEPTED),
    "spot_check": (S.FOLLOWING_UP, S.ACCEPTED),
    "plan": (S.FOLLOWING_UP, S.ACCEPTED),
    "to_issue": (S.FOLLOWING_UP, S.ACCEPTED),
    "resource": (S.FOLLOWING_UP, S.ACCEPTED),
    "closure": (S.FOLLOWING_UP, S.ACCEPTED),
    "experience": (S.ACCEPTED,),
}
del S


class ItemKind(models.TextChoices):
    SCORE = "score", _("评分")
    PASS_FAIL = "pass_fail", _("合格/不合格")


class Area(models.TextChoices):
    """The four things a spot check looks at (source, 步骤3), also the default
    template's sections."""

    HARDWARE = "hardware", _("硬件设施")
    PROCESS = "process", _("流程执行")
    PEOPLE = "people", _("人员能力")
    DATA = "data", _("数据变化")


class Priority(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class FindingStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    SOLVED = "solved", _("已解决")


class StepKind(models.TextChoices):
    CALL = "call", _("24 小时沟通")
    KICKOFF = "kickoff", _("启动会")
    WEEKLY_1 = "weekly_1", _("第 1 周跟进")
    WEEKLY_2 = "weekly_2", _("第 2 周跟进")
    WEEKLY_3 = "weekly_3", _("第 3 周跟进")
    WEEKLY_4 = "weekly_4", _("第 4 周跟进")
    SPOT_REMOTE = "spot_remote", _("远程抽查（第 2 周）")
    SPOT_ONSITE = "spot_onsite", _("现场抽查（第 4 周）")
    ACCEPTANCE = "acceptance", _("效果验收（第 4–6 周）")
    EXPERIENCE = "experience", _("经验沉淀")


WEEKLY_STEPS = (StepKind.WEEKLY_1, StepKind.WEEKLY_2, StepKind.WEEKLY_3, StepKind.WEEKLY_4)
#: Steps recorded directly (the others are done by their own record: a log, a spot
#: check, a passed re-inspection, the experience write-up).
DIRECT_STEPS = (StepKind.CALL, StepKind.KICKOFF)


@dataclass(frozen=True)
class StepPlan:
    kind: str
    #: Due this many days after the report date (the experience step: after acceptance).
    due_days: int
    #: The step may be done from this many days after the report date on.
    from_days: int = 0


#: The follow-up plan, dated from the report date R (source 二, DOMAIN.md §8):
#: the call within 24 h (R+1); the kick-off within 3 days (R+3); a weekly follow-up for a
#: month, week n being days 7(n−1)+1 … 7n (due R+7n); the remote spot check in week 2
#: (R+8 … R+14); the on-site one in week 4 (R+22 … R+28); the acceptance re-inspection in
#: weeks 4–6 (R+22 … R+42); the experience within a week after acceptance (A+7; until
#: the acceptance is passed, provisionally R+42+7).
FOLLOW_UP_PLAN: tuple[StepPlan, ...] = (
    StepPlan(StepKind.CALL, 1),
    StepPlan(StepKind.KICKOFF, 3),
    StepPlan(StepKind.WEEKLY_1, 7, 1),
    StepPlan(StepKind.SPOT_REMOTE, 14, 8),
    StepPlan(StepKind.WEEKLY_2, 14, 8),
    StepPlan(StepKind.WEEKLY_3, 21, 15),
    StepPlan(StepKind.SPOT_ONSITE, 28, 22),
    StepPlan(StepKind.WEEKLY_4, 28, 22),
    StepPlan(StepKind.ACCEPTANCE, 42, 22),
    StepPlan(StepKind.EXPERIENCE, 49, 22),
)
EXPERIENCE_DAYS_AFTER_ACCEPTANCE = 7


class SpotCheckKind(models.TextChoices):
    REMOTE = "remote", _("远程抽查")
    ONSITE = "onsite", _("现场抽查")


class SpotResult(models.TextChoices):
    OK = "ok", _("达标")
    PARTIAL = "partial", _("部分达标")
    FAIL = "fail", _("未达标")


class ResourceKind(models.TextChoices):
    IT = "it", _("IT 支持")
    TRAINING = "training", _("培训支持")
    BUDGET = "budget", _("预算审批")
    EQUIPMENT = "equipment", _("设备采购")


class ResourceStatus(models.TextChoices):
    REQUESTED = "requested", _("待协调")
    IN_PROGRESS = "in_progress", _("协调中")
    DONE = "done", _("已到位")
    CANCELLED = "cancelled", _("已取消")


#: An open request makes its store "needs support" (yellow on the board).
OPEN_RESOURCE_STATUSES = (ResourceStatus.REQUESTED, ResourceStatus.IN_PROGRESS)


class Direction(models.TextChoices):
    LOWER = "lower", _("越低越好")
    HIGHER = "higher", _("越高越好")


@dataclass(frozen=True)
class MetricInfo:
    code: str
    name: str
    unit: str
    direction: str


#: The store metrics the sources name (API.md "Store metrics": the DMS pushes them by
#: these codes). A core metric of an inspection uses one of these codes or a free name.
KNOWN_METRICS: dict[str, MetricInfo] = {
    m.code: m
    for m in (
        MetricInfo("waiting_minutes", _("客户平均等待时间"), _("分钟"), Direction.LOWER),
        MetricInfo("nps", "NPS", "", Direction.HIGHER),
        MetricInfo("satisfaction", _("客户满意度"), _("分"), Direction.HIGHER),
        MetricInfo("complaints", _("客户投诉率"), "%", Direction.LOWER),
    )
}


class Risk(models.TextChoices):
    RED = "red", _("进度严重滞后")
    YELLOW = "yellow", _("需要支持")
    GREEN = "green", _("进展顺利")


# --- the rules' numbers -------------------------------------------------------------------

#: A score item fails below this share of its maximum (a pass/fail item fails when
#: "不合格"). Failed items are the ones the acceptance re-inspection rescores.
PASS_SHARE = Decimal("0.6")
#: Acceptance (source 步骤4 and 六): high-priority findings all solved, medium ≥ 80 %,
#: every core metric improved by ≥ 20 % (or at its standard).
ACCEPT_HIGH_SOLVED = Decimal("1")
ACCEPT_MEDIUM_SOLVED = Decimal("0.8")
ACCEPT_METRIC_IMPROVEMENT = Decimal("0.2")
#: Board risk: red when the completion rate is below 50 %.
RED_BELOW = Decimal("0.5")
#: Closure: all five necessary conditions and at least two of the four sufficient ones.
SUFFICIENT_NEEDED = 2
DEFAULT_TEMPLATE_CODE = "store-standard"
MAX_PHOTOS_PER_ITEM = 9
