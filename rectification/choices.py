"""Enumerations and constants of rectification projects (DOMAIN.md §5, API.md "Rectification").

The codes are the API's; the labels follow the source's forms (整改项目启动表, 整改跟踪记录)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    KICKED_OFF = "kicked_off", _("已启动")
    EXECUTING = "executing", _("执行中")
    PENDING_ACCEPTANCE = "pending_acceptance", _("待验收")
    OBSERVING = "observing", _("观察期")
    PENDING_CLOSURE = "pending_closure", _("待闭环")
    CLOSED = "closed", _("已闭环")
    CANCELLED = "cancelled", _("已取消")


#: Statuses of a project that is still being worked (health and reminders apply).
ACTIVE_STATUSES = (
    Status.KICKED_OFF,
    Status.EXECUTING,
    Status.PENDING_ACCEPTANCE,
    Status.OBSERVING,
    Status.PENDING_CLOSURE,
)
FINISHED_STATUSES = (Status.CLOSED, Status.CANCELLED)


class Level(models.TextChoices):
    A = "A", _("A级（重大）")
    B = "B", _("B级（重要）")
    C = "C", _("C级（一般）")


class Health(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class Direction(models.TextChoices):
    LOWER = "lower", _("越低越好")
    HIGHER = "higher", _("越高越好")


class GoalMethod(models.TextChoices):
    STANDARD = "standard", _("标准")
    PROGRESS = "progress", _("进度")


class MeasureKind(models.TextChoices):
    EMERGENCY = "emergency", _("应急")
    ROOT = "root", _("根本")
    TOOL = "tool", _("工具")
    SUPPORT = "support", _("辅助")


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")


class TrackingMethod(models.TextChoices):
    ONSITE = "onsite", _("现场")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    VIDEO = "video", _("视频")


class Assessment(models.TextChoices):
    AHEAD = "ahead", _("超前")
    ON_PLAN = "on_plan", _("按计划")
    SLIGHTLY_DELAYED = "slightly_delayed", _("略有延迟")
    SERIOUSLY_DELAYED = "seriously_delayed", _("严重延迟")


class Impact(models.TextChoices):
    SEVERE = "severe", _("严重")
    MODERATE = "moderate", _("中等")
    MINOR = "minor", _("轻微")


class SignRole(models.TextChoices):
    """The three signatures of the kick-off form (签字确认), in the form's order."""

    STORE_MANAGER = "store_manager", _("门店店长")
    OPS_SPECIALIST = "ops_specialist", _("运营专家")
    REGIONAL_DIRECTOR = "regional_director", _("区域总监")


class AlertKind(models.TextChoices):
    MISSED = "missed", _("跟踪逾期提醒")
    ESCALATED = "escalated", _("跟踪逾期升级")
    RECHECK = "recheck", _("观察期复查逾期提醒")
    REBOUND = "rebound", _("观察期反弹预警")


class AcceptanceKind(models.TextChoices):
    """整改验收评分表: the first acceptance after execution, the formal one after the
    observation period."""

    INITIAL = "initial", _("初次验收")
    FORMAL = "formal", _("正式验收")


class RubricBand(models.TextChoices):
    """A rubric's or a feedback band's grade (tool 3: 优秀/良好/一般/不合格)."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    UNQUALIFIED = "unqualified", _("不合格")


class GoalBand(models.TextChoices):
    """A core goal's achievement band (tool 3, 目标达成验收)."""

    EXCEEDED = "exceeded", _("超额完成")
    MET = "met", _("完全达成")
    BASIC = "basic", _("基本达成")
    MISSED = "missed", _("未达成")


class Rating(models.TextChoices):
    """评级 of a scorecard's total."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


class Conclusion(models.TextChoices):
    """验收结论."""

    PASS = "pass", _("通过验收，进入观察期")
    BASIC_PASS = "basic_pass", _("基本通过，需要改进后再验收")
    FAIL = "fail", _("未通过验收，需要继续整改")


class Sustainability(models.TextChoices):
    """The observation period's sustainability verdict (DOMAIN.md §7), per goal and for
    the project (the worst of its goals')."""

    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("不佳")


class Action(models.TextChoices):
    """Every recorded change of a project; the ones in TRANSITIONS are checked there."""

    CREATE = "create", _("创建项目")
    EDIT = "edit", _("修改启动表")
    SIGN = "sign", _("签字确认")
    KICK_OFF = "kick_off", _("三方签字，项目启动")
    START = "start", _("开始执行")
    TRACK = "track", _("跟踪记录")
    UPDATE_MEASURE = "update_measure", _("更新措施")
    CHANGE_CADENCE = "change_cadence", _("调整跟踪频率")
    SUBMIT = "submit", _("提交验收")
    CANCEL = "cancel", _("取消项目")
    HEALTH = "health", _("健康度变化")
    ACCEPT_PASS = "accept_pass", _("验收通过")
    ACCEPT_BASIC = "accept_basic", _("验收基本通过")
    ACCEPT_FAIL = "accept_fail", _("验收未通过")
    SIGN_ACCEPTANCE = "sign_acceptance", _("店长签字确认验收")
    RECHECK = "recheck", _("观察期复查")
    REBOUND = "rebound", _("观察期反弹")
    WRITE_CASE = "write_case", _("经验总结（案例）")
    UPDATE_CLOSURE = "update_closure", _("填写闭环确认检查表")
    CLOSE = "close", _("闭环")


S = Status
_OPEN = (S.DRAFT, *ACTIVE_STATUSES)
#: The allowed-transitions table: action -> {from status: to status}. Self-loops are the
#: changes that are allowed only in some statuses (the services check them like moves).
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.EDIT: {S.DRAFT: S.DRAFT},
    Action.SIGN: {S.DRAFT: S.DRAFT},
    Action.KICK_OFF: {S.DRAFT: S.KICKED_OFF},
    Action.START: {S.KICKED_OFF: S.EXECUTING},
    Action.TRACK: {S.EXECUTING: S.EXECUTING},
    Action.UPDATE_MEASURE: {s: s for s in (S.DRAFT, S.KICKED_OFF, S.EXECUTING)},
    Action.CHANGE_CADENCE: {s: s for s in (S.DRAFT, S.KICKED_OFF, S.EXECUTING, S.OBSERVING)},
    Action.SUBMIT: {S.EXECUTING: S.PENDING_ACCEPTANCE},
    Action.CANCEL: dict.fromkeys(_OPEN, S.CANCELLED),
    # A scorecard (DOMAIN.md §5/§6): the initial one in pending_acceptance, the formal one
    # in observing (the service checks the kind against the status). A basic pass waits
    # for another acceptance in the same status.
    Action.ACCEPT_PASS: {S.PENDING_ACCEPTANCE: S.OBSERVING, S.OBSERVING: S.PENDING_CLOSURE},
    Action.ACCEPT_BASIC: {S.PENDING_ACCEPTANCE: S.PENDING_ACCEPTANCE, S.OBSERVING: S.OBSERVING},
    Action.ACCEPT_FAIL: {S.PENDING_ACCEPTANCE: S.EXECUTING, S.OBSERVING: S.EXECUTING},
    Action.SIGN_ACCEPTANCE: {s: s for s in (*ACTIVE_STATUSES, S.CLOSED)},
    Action.RECHECK: {S.OBSERVING: S.OBSERVING},
    # Step 5 of the closure (经验总结): the case is written while closing, edited later.
    Action.WRITE_CASE: {s: s for s in (S.PENDING_CLOSURE, S.CLOSED)},
    # 闭环确认检查表: filled while the project waits for closure; closing needs 基本闭环.
    Action.UPDATE_CLOSURE: {S.PENDING_CLOSURE: S.PENDING_CLOSURE},
    Action.CLOSE: {S.PENDING_CLOSURE: S.CLOSED},
}
del S

#: Tracking cadence by level (DOMAIN.md §5): (execution phase, observation phase) in days.
DEFAULT_CADENCE = {Level.A: (1, 7), Level.B: (2, 14), Level.C: (3, 30)}
MAX_CADENCE_DAYS = 90

#: Which conclusion moves the project by which action.
ACCEPT_ACTION = {
    Conclusion.PASS: Action.ACCEPT_PASS,
    Conclusion.BASIC_PASS: Action.ACCEPT_BASIC,
    Conclusion.FAIL: Action.ACCEPT_FAIL,
}
#: The status a scorecard of each kind is recorded in.
ACCEPTANCE_STATUS = {
    AcceptanceKind.INITIAL: Status.PENDING_ACCEPTANCE,
    AcceptanceKind.FORMAL: Status.OBSERVING,
}
#: Default observation period when the plan has none (DOMAIN.md §7: one month).
DEFAULT_OBSERVATION_DAYS = 30

#: Suggested level when a project starts from an issue of this priority.
LEVEL_FOR_PRIORITY = {"P0": Level.A, "P1": Level.A, "P2": Level.B, "P3": Level.C}

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}


#: Replicability of a case (可复制性): 1–5 stars.
MIN_STARS, MAX_STARS = 1, 5

#: Recurrence (复发, DOMAIN.md §7): a new issue of the same store and category as a
#: project that is observing, or was closed at most this many days before, is suspect.
RECURRENCE_DAYS = 180
#: How many matching cases the triage queue suggests for one issue.
SUGGESTED_CASES = 3


class StepState(models.TextChoices):
    """完成度 of a closure step (tool 4)."""

    COMPLETE = "complete", _("全部完成")
    PARTIAL = "partial", _("部分完成")
    NOT_DONE = "not_done", _("未完成")


class ClosureVerdict(models.TextChoices):
    """闭环判定 (tool 4)."""

    FULL = "full", _("完全闭环")
    BASIC = "basic", _("基本闭环")
    OPEN = "open", _("未闭环")
