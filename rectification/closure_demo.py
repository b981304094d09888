"""The demo's ending of the source's case (seeds/002, 11月1日 正式验收): after the formal
acceptance of 95 (优秀) the seven steps are all done — notice, archive, regional meeting
and commendation; the observation 10/1–10/31 with its four weekly rechecks (优秀); the
5-Why redone and every root cause eliminated; the case 《客户等待时间优化四步法》, the
method and SOP V2.0; the sharing session (11/5), the best-practice document (11/10), the
knowledge base and training; the defect found, the waiting-time weekly report, the >35
minutes alert and the monthly KPI approved and running from November — 完全闭环, closed,
and its case in the library (47 → 29.5 minutes, −37.2 %; 8000 yuan; ROI 26×).

Through the services, idempotent: a project already closed is left alone."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from closedloop.org.models import User

from . import closure, library
from .choices import Status
from .models import Case, Project

CASE_TITLE = "客户等待时间过长"

CHECKLIST = {
    1: [
        {"key": "notice_sent", "done": True},
        {"key": "materials_archived", "done": True},
        {"key": "result_announced", "done": True},
        {"key": "commended", "done": True},
    ],
    2: [{"key": "monitoring", "done": True}],
    3: [
        {"key": "spot_checks", "done": True, "value": "1次（10月15日至21日现场），流程执行到位"},
        {"key": "feedback", "done": True, "value": "85分"},
    ],
    4: [
        {"key": "whys_redone", "done": True},
        {"key": "eliminated", "value": "yes"},
    ],
    5: [
        {"key": "method", "done": True, "value": "人员补强+流程再造+系统优化+体验提升"},
        {"key": "sop", "done": True, "value": "《客户接待标准流程V2.0》（纳入区域标准库）"},
    ],
    6: [
        {"key": "sharing_session", "done": True, "value": "2025-11-05"},
        {"key": "best_practice", "done": True, "value": "全国知识库 2025-11-10"},
        {"key": "knowledge_base", "done": True},
        {"key": "training", "done": True},
    ],
    7: [
        {"key": "defect", "done": True, "value": "客户等待时间没有纳入日常监控，问题发现滞后"},
        {
            "key": "proposal",
            "done": True,
            "value": "客户等待时间周报；等待时间>35分钟自动预警；纳入门店月度考核KPI",
        },
        {"key": "approved", "done": True},
        {"key": "running", "done": True, "value": "2025-11-01"},
    ],
}
NOTE = "新机制从11月起在全区域15家门店推广；11月15日3家门店到店现场学习。"

CASE = {
    "title": "客户等待时间优化四步法",
    "category": "process",
    "problem": "客户平均等待时间达47分钟，客户满意度仅72分；客户投诉增加，门店NPS从35降至22。",
    "root_cause": (
        "服务顾问缺编；接待流程冗余、缺乏标准化；依赖手工操作、没有用好DMS系统功能；"
        "客户无法实时了解进度。"
    ),
    "solution": (
        "人员补强（临时调配资深服务顾问、加快招聘、强化培训）；流程再造（接待12步压缩到8步，"
        "《客户接待标准流程V2.0》，快速通道）；系统优化（DMS电子派工、维修进度显示屏、"
        "一键结算）；体验提升（休息区升级、透明车间、主动告知预计时间）。"
    ),
    "cost": "8000",
    "cost_note": "显示屏等设备8000元；运营专家20工时，门店团队80工时",
    "duration_days": 7,
    "metric": "客户平均等待时间",
    "unit": "分钟",
    "before": "47",
    "after": "29.5",
    "roi": "26",
    "roi_note": "月均增加进厂台次35台，按单台毛利500元计，月增收17,500元，年增收21万元",
    "replicability": 5,
    "recommended_scope": "适用于所有等待时间超标的门店（新机制已在华东区15家门店推广）",
}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def complete_source_case() -> Project | None:
    """Close the source's case when it waits for closure; None when there is nothing to do."""
    project = (
        Project.objects.filter(store__code="HZ001", title=CASE_TITLE)
        .select_related("ops_specialist", "store")
        .order_by("created_at", "pk")
        .first()
    )
    if project is None or project.status != Status.PENDING_CLOSURE:
        return None
    ops = User.objects.filter(pk=project.ops_specialist_id).first()
    day = dt.date(2025, 11, 1)
    if not Case.objects.filter(project=project).exists():
        library.save_case(project=project, actor=ops, data=CASE, at=_at(day, 16))
    steps = [{"step": n, "items": items} for n, items in CHECKLIST.items()]
    closure.update_closure(
        project=project, actor=ops, data={"steps": steps, "note": NOTE}, at=_at(day, 17)
    )
    return closure.close(project=project, actor=ops, at=_at(day, 18))
