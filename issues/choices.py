from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    TRIAGED = "triaged", _("已分级")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING_FOR_STORE = "waiting_for_store", _("待门店补充")
    RESOLVED = "resolved", _("已解决")
    CLOSED = "closed", _("已关闭")
    REJECTED = "rejected", _("已驳回")
    DUPLICATE = "duplicate", _("重复")


OPEN_STATUSES = (Status.SUBMITTED, Status.TRIAGED, Status.IN_PROGRESS, Status.WAITING_FOR_STORE)
#: Statuses whose issues never count in KPIs.
VOID_STATUSES = (Status.REJECTED, Status.DUPLICATE)
#: Statuses in which nothing more happens to an issue (no uploads, no clocks running).
FINISHED_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)


class Category(models.TextChoices):
    SYSTEM = "system", _("系统/技术")
    PROCESS = "process", _("流程/制度")
    SUPPLY_CHAIN = "supply_chain", _("供应链")
    PEOPLE = "people", _("人员/培训")


class ImpactScope(models.TextChoices):
    STORE = "store", _("单店")
    MULTI_STORE = "multi_store", _("多店")
    REGION = "region", _("区域")
    NATIONAL = "national", _("全国")


class Priority(models.TextChoices):
    P0 = "P0", _("P0 紧急")
    P1 = "P1", _("P1 高")
    P2 = "P2", _("P2 中")
    P3 = "P3", _("P3 低")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    DMS = "dms", _("DMS")
    INSPECTION = "inspection", _("巡检")
    MEETING = "meeting", _("周会")
    CHAT = "chat", _("群聊转录")


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("状态变更")
    TRIAGE = "triage", _("分级")
    PRIORITY = "priority", _("调整优先级")
    ASSIGN = "assign", _("指派")
    COMMENT = "comment", _("公开回复")
    NOTE = "note", _("内部备注")
    ATTACHMENT = "attachment", _("附件")
    SYSTEMIC = "systemic", _("归入系统性问题")


class Action(models.TextChoices):
    """Every state change of an issue, as named in the allowed-transitions table."""

    SUBMIT = "submit", _("提交问题")
    TRIAGE = "triage", _("分级")
    CHANGE_PRIORITY = "change_priority", _("调整优先级")
    ACCEPT = "accept", _("受理")
    ASK_STORE = "ask_store", _("请门店补充")
    STORE_REPLY = "store_reply", _("门店补充")
    RESUME = "resume", _("恢复处理")
    RESOLVE = "resolve", _("解决")
    CONFIRM = "confirm", _("确认关闭")
    AUTO_CLOSE = "auto_close", _("自动关闭")
    REOPEN = "reopen", _("重新打开")
    REJECT = "reject", _("驳回")
    MARK_DUPLICATE = "mark_duplicate", _("标记重复")
    ASSIGN = "assign", _("指派")


#: The status of a row being created, before its first action (``Action.SUBMIT``,
#: ``SystemicAction.IDENTIFY``) moves it into the flow.
NO_STATUS = ""

S = Status
#: The allowed-transitions table: action -> {from status: to status}. Services enforce it.
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.SUBMIT: {NO_STATUS: S.SUBMITTED},
    Action.TRIAGE: {S.SUBMITTED: S.TRIAGED},
    Action.CHANGE_PRIORITY: {
        S.TRIAGED: S.TRIAGED,
        S.IN_PROGRESS: S.IN_PROGRESS,
        S.WAITING_FOR_STORE: S.WAITING_FOR_STORE,
    },
    Action.ACCEPT: {S.TRIAGED: S.IN_PROGRESS},
    Action.ASSIGN: {
        S.TRIAGED: S.TRIAGED,
        S.IN_PROGRESS: S.IN_PROGRESS,
        S.WAITING_FOR_STORE: S.WAITING_FOR_STORE,
    },
    Action.ASK_STORE: {S.TRIAGED: S.WAITING_FOR_STORE, S.IN_PROGRESS: S.WAITING_FOR_STORE},
    Action.STORE_REPLY: {S.WAITING_FOR_STORE: S.IN_PROGRESS},
    # The department goes on without the store's answer (it came by phone, or is moot).
    Action.RESUME: {S.WAITING_FOR_STORE: S.IN_PROGRESS},
    Action.RESOLVE: {S.IN_PROGRESS: S.RESOLVED},
    Action.CONFIRM: {S.RESOLVED: S.CLOSED},
    Action.AUTO_CLOSE: {S.RESOLVED: S.CLOSED},
    Action.REOPEN: {S.RESOLVED: S.IN_PROGRESS, S.CLOSED: S.IN_PROGRESS},
    Action.REJECT: {S.SUBMITTED: S.REJECTED, S.TRIAGED: S.REJECTED},
    Action.MARK_DUPLICATE: {S.SUBMITTED: S.DUPLICATE, S.TRIAGED: S.DUPLICATE},
}
del S


class SystemicStatus(models.TextChoices):
    IDENTIFIED = "identified", _("已识别")
    IN_PROGRESS = "in_progress", _("推进中")
    PUSHED = "pushed", _("已推动")
    LANDED = "landed", _("已落地")


class SystemicAction(models.TextChoices):
    """Every recorded change of a systemic issue; the first four move its status."""

    IDENTIFY = "identify", _("识别")
    START = "start", _("开始推进")
    PUSH = "push", _("推动总部")
    LAND = "land", _("确认落地")
    GROUP = "group", _("归入问题")


SS = SystemicStatus
#: The systemic issue's allowed-transitions table: action -> {from status: to status}.
SYSTEMIC_TRANSITIONS: dict[str, dict[str, str]] = {
    SystemicAction.IDENTIFY: {NO_STATUS: SS.IDENTIFIED},
    SystemicAction.START: {SS.IDENTIFIED: SS.IN_PROGRESS, SS.PUSHED: SS.IN_PROGRESS},
    SystemicAction.PUSH: {SS.IDENTIFIED: SS.PUSHED, SS.IN_PROGRESS: SS.PUSHED},
    SystemicAction.LAND: {SS.IN_PROGRESS: SS.LANDED, SS.PUSHED: SS.LANDED},
}
del SS

#: Suggested priority from the impact scope (DOMAIN.md §3).
SUGGESTED_PRIORITY = {
    ImpactScope.NATIONAL: Priority.P0,
    ImpactScope.REGION: Priority.P1,
    ImpactScope.MULTI_STORE: Priority.P1,
    ImpactScope.STORE: Priority.P2,
}

#: DOMAIN.md §3 defaults: (response hours, resolution days, counts working hours).
DEFAULT_SLA = {
    Priority.P0: (1, 3, False),
    Priority.P1: (24, 7, False),
    Priority.P2: (72, 15, True),
    Priority.P3: (168, 30, True),
}
#: Default routing: category -> department code.
DEFAULT_ROUTING = {
    Category.SYSTEM: "IT",
    Category.PROCESS: "OPS",
    Category.SUPPLY_CHAIN: "SCM",
    Category.PEOPLE: "TRAINING",
}
REOPEN_WINDOW_DAYS = 14
AUTO_CLOSE_DAYS = 7
MAX_ATTACHMENTS = 9
#: The longest issue description, in characters (字).
MAX_DESCRIPTION_LENGTH = 5000
#: The longest text on an issue's timeline: a reply or note, a question to the store and
#: its answer, a resolution, a reason, a rating comment.
MAX_COMMENT_LENGTH = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
