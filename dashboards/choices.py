"""Choices and constants of the dashboards app: KPI metrics, directions, deviation
classes, the weekly meeting's agenda and its action items."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Method(models.TextChoices):
    STANDARD = "standard", _("标准")
    PROGRESS = "progress", _("进度")


class Deviation(models.TextChoices):
    NORMAL = "normal", _("正常")
    CONTROLLABLE = "controllable", _("可控")
    MAJOR = "major", _("重大")


class Trend(models.TextChoices):
    UP = "up", _("上升")
    DOWN = "down", _("下降")
    FLAT = "flat", _("持平")


class Unit(models.TextChoices):
    RATE = "rate", "%"
    DAYS = "days", _("天")
    COUNT = "count", _("个")
    POINTS = "points", _("分")
    MINUTES = "minutes", _("分钟")


class Metric(models.TextChoices):
    """Every metric the board can show (DOMAIN.md §9). Rates are fractions (0.85)."""

    RESOLUTION_RATE = "resolution_rate", _("问题解决率")
    AVG_RESOLUTION_DAYS = "avg_resolution_days", _("平均解决时长")
    BACKLOG = "backlog", _("待解决问题数")
    SUBMITTED = "submitted", _("提交问题数")
    RESPONSE_RATE_P0 = "response_rate_P0", _("P0 问题 1 小时响应率")
    RESPONSE_RATE_P1 = "response_rate_P1", _("P1 问题 24 小时响应率")
    RESPONSE_RATE_P2 = "response_rate_P2", _("P2 问题 72 小时响应率")
    RESPONSE_RATE_P3 = "response_rate_P3", _("P3 问题响应率")
    MEETING_ATTENDANCE = "meeting_attendance", _("周会出席率")
    DECISION_CLARITY = "decision_clarity", _("周会决策明确率")
    ACTION_COMPLETION = "action_completion", _("行动计划完成率")
    RECTIFICATION_ON_TIME = "rectification_on_time", _("整改按期完成率")
    RECTIFICATION_AVG_CYCLE = "rectification_avg_cycle", _("整改平均周期")
    STORE_NPS = "store_nps", _("门店NPS")
    STORE_SATISFACTION = "store_satisfaction", _("门店满意度")
    STORE_WAITING_MINUTES = "store_waiting_minutes", _("客户平均等待时间")


#: metric -> (unit, natural direction). The natural direction is what a new target
#: defaults to; the quality lead may choose otherwise.
METRIC_INFO: dict[str, tuple[str, str]] = {
    Metric.RESOLUTION_RATE: (Unit.RATE, Direction.HIGHER),
    Metric.AVG_RESOLUTION_DAYS: (Unit.DAYS, Direction.LOWER),
    Metric.BACKLOG: (Unit.COUNT, Direction.LOWER),
    Metric.SUBMITTED: (Unit.COUNT, Direction.HIGHER),
    Metric.RESPONSE_RATE_P0: (Unit.RATE, Direction.HIGHER),
    Metric.RESPONSE_RATE_P1: (Unit.RATE, Direction.HIGHER),
    Metric.RESPONSE_RATE_P2: (Unit.RATE, Direction.HIGHER),
    Metric.RESPONSE_RATE_P3: (Unit.RATE, Direction.HIGHER),
    Metric.MEETING_ATTENDANCE: (Unit.RATE, Direction.HIGHER),
    Metric.DECISION_CLARITY: (Unit.RATE, Direction.HIGHER),
    Metric.ACTION_COMPLETION: (Unit.RATE, Direction.HIGHER),
    Metric.RECTIFICATION_ON_TIME: (Unit.RATE, Direction.HIGHER),
    Metric.RECTIFICATION_AVG_CYCLE: (Unit.DAYS, Direction.LOWER),
    Metric.STORE_NPS: (Unit.POINTS, Direction.HIGHER),
    Metric.STORE_SATISFACTION: (Unit.POINTS, Direction.HIGHER),
    Metric.STORE_WAITING_MINUTES: (Unit.MINUTES, Direction.LOWER),
}

#: Response-rate targets of the source (过程指标): P0 1 h ≥ 95 %, P1 24 h ≥ 95 %,
#: P2 72 h ≥ 90 %; P3 has none in the source and shares P2's. A KPI target set by the
#: quality lead for ``response_rate_P…`` wins over these.
DEFAULT_RESPONSE_TARGETS = {"P0": 0.95, "P1": 0.95, "P2": 0.90, "P3": 0.90}
#: The meeting's measures (DOMAIN.md §4) and the rectification on-time rate (§9).
DEFAULT_TARGETS = {
    Metric.MEETING_ATTENDANCE: 0.90,
    Metric.DECISION_CLARITY: 1.0,
    Metric.ACTION_COMPLETION: 0.80,
    Metric.RECTIFICATION_ON_TIME: 0.85,
}

#: Deviation classes from the shortfall 1 − achievement (DOMAIN.md §9).
NORMAL_SHORTFALL = "0.05"
CONTROLLABLE_SHORTFALL = "0.15"


class PeriodKind(models.TextChoices):
    WEEK = "week", _("周")
    MONTH = "month", _("月")
    RANGE = "range", _("区间")


# --- the weekly service quality meeting (服务质量周会, DOMAIN.md §4) -------------------


class BlockKind(models.TextChoices):
    REVIEW = "review", _("回顾")
    TOP_ISSUES = "top_issues", _("Top问题")
    NEW_ISSUES = "new_issues", _("新增问题")
    TOPIC = "topic", _("专题")
    NEXT_WEEK = "next_week", _("下周安排")


#: The default agenda: 10 + 30 + 20 + 20 + 10 minutes (DOMAIN.md §4).
DEFAULT_AGENDA = [
    (BlockKind.REVIEW, 10),
    (BlockKind.TOP_ISSUES, 30),
    (BlockKind.NEW_ISSUES, 20),
    (BlockKind.TOPIC, 20),
    (BlockKind.NEXT_WEEK, 10),
]
#: Default Wednesday 14:00–15:30 (weekday 2 = Wednesday).
DEFAULT_MEETING_WEEKDAY = 2
DEFAULT_MEETING_START = (14, 0)
DEFAULT_MEETING_MINUTES = 90
#: Departments invited by default: IT, product, supply chain, customer service, operations.
DEFAULT_INVITED_DEPARTMENTS = ("IT", "PRODUCT", "SCM", "CS", "OPS")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("待召开")
    IN_PROGRESS = "in_progress", _("进行中")
    FINISHED = "finished", _("已结束")


class MeetingAction(models.TextChoices):
    START = "start", _("开始会议")
    FINISH = "finish", _("结束会议")
    REOPEN = "reopen", _("重新打开")


MEETING_TRANSITIONS = {
    MeetingAction.START: {MeetingStatus.PLANNED: MeetingStatus.IN_PROGRESS},
    MeetingAction.FINISH: {MeetingStatus.IN_PROGRESS: MeetingStatus.FINISHED},
    MeetingAction.REOPEN: {MeetingStatus.FINISHED: MeetingStatus.IN_PROGRESS},
}


class ActionStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ActionItemAction(models.TextChoices):
    COMPLETE = "complete", _("完成")
    REOPEN = "reopen", _("重新打开")
    CANCEL = "cancel", _("取消")


ACTION_TRANSITIONS = {
    ActionItemAction.COMPLETE: {ActionStatus.OPEN: ActionStatus.DONE},
    ActionItemAction.REOPEN: {
        ActionStatus.DONE: ActionStatus.OPEN,
        ActionStatus.CANCELLED: ActionStatus.OPEN,
    },
    ActionItemAction.CANCEL: {ActionStatus.OPEN: ActionStatus.CANCELLED},
}

#: How many top open P0/P1 issues the meeting shows.
TOP_ISSUES_LIMIT = 10
#: How many new issues the meeting lists (the count is always exact).
NEW_ISSUES_LIMIT = 15

# --- rollout (试点 · 分批推广) -------------------------------------------------------------

#: Days before and after a store's go-live compared (the source's pilot ran 8 weeks).
ROLLOUT_WINDOW_DAYS = 56
#: The source's pilot success criteria (试点成功的标准).
PILOT_RESOLUTION_RATE_GAIN = 0.20  # +20 pp
PILOT_AVG_TIME_CHANGE = -0.30  # −30 %
PILOT_SATISFACTION_GAIN = 20  # +20 points
