"""Projects waiting for closure (the source's case after its formal acceptance), for the
closure, case library and recurrence tests.

The acceptance and observation services are built in parallel (part A of issue 11); these
helpers write their rows the way those services leave them — the formal scorecard of 95
(优秀, pass), four weekly rechecks, the sustainability verdict 优秀 — and move the project
to ``pending_closure`` through its history, so the closure is tested on its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rectification.choices import (
    AcceptanceKind,
    Conclusion,
    Rating,
    Status,
    Sustainability,
    TrackingMethod,
)
from rectification.models import Acceptance, ProjectEvent, Recheck
from tests.factories import at, new_issue

from .helpers import executing

D = Decimal


def _acceptance(project, cast, *, kind, date, total, rating, from_status, to_status):
    return Acceptance.objects.create(
        project=project,
        kind=kind,
        date=date,
        documents=D(10),
        mastery=D(9),
        execution=D(10),
        satisfaction_value=D(85),
        satisfaction_score=D(9),
        interviews_positive=5,
        interviews_neutral=0,
        interviews_negative=0,
        interviews_score=D(10),
        sustainability_score=D(9),
        total=D(total),
        rating=rating,
        suggested_conclusion=Conclusion.PASS,
        conclusion=Conclusion.PASS,
        from_status=from_status,
        to_status=to_status,
        assessor=cast.ops,
        assessor_signed_at=at(date.year, date.month, date.day, 16),
        created_at=at(date.year, date.month, date.day, 16),
    )


def _move(project, cast, to_status, when):
    ProjectEvent.objects.create(
        project=project,
        actor=cast.ops,
        at=when,
        action="accept_pass",
        from_status=project.status,
        to_status=to_status,
    )
    project.status = to_status
    project.save(update_fields=["status"])


def pending_closure(cast, *, issue=None, rechecks=4, formal=True, **over):
    """The source's case, from an issue of the Hangzhou store (category ``process``),
    after its formal acceptance of 95 on 2025-11-01: status ``pending_closure``."""
    if issue is None:
        issue = new_issue(cast, category="process", when=at(2025, 9, 15, 9))
    project = executing(cast, issue=issue.number, **over)
    project.status = Status.PENDING_ACCEPTANCE
    project.save(update_fields=["status"])
    _acceptance(
        project,
        cast,
        kind=AcceptanceKind.INITIAL,
        date=dt.date(2025, 9, 28),
        total=88,
        rating=Rating.GOOD,
        from_status=Status.PENDING_ACCEPTANCE,
        to_status=Status.OBSERVING,
    )
    _move(project, cast, Status.OBSERVING, at(2025, 9, 28, 16))
    for week, value in enumerate((29, 31, 28, 30)[:rechecks]):
        day = dt.date(2025, 10, 7) + dt.timedelta(days=7 * week)
        recheck = Recheck.objects.create(
            project=project,
            date=day,
            method=TrackingMethod.PHONE,
            recorder=cast.ops,
            recorded_at=at(day.year, day.month, day.day, 18),
        )
        goal = project.goals.filter(core=True).first()
        recheck.readings.create(goal=goal, value=D(value))
    project.sustainability_verdict = Sustainability.EXCELLENT
    project.save(update_fields=["sustainability_verdict"])
    if formal:
        _acceptance(
            project,
            cast,
            kind=AcceptanceKind.FORMAL,
            date=dt.date(2025, 11, 1),
            total=95,
            rating=Rating.EXCELLENT,
            from_status=Status.OBSERVING,
            to_status=Status.PENDING_CLOSURE,
        )
        _move(project, cast, Status.PENDING_CLOSURE, at(2025, 11, 1, 16))
    return project


#: Every hand-filled item of the seven steps ticked, with the source's values.
SOURCE_ITEMS = {
    1: [
        {"key": "notice_sent", "done": True},
        {"key": "materials_archived", "done": True},
        {"key": "result_announced", "done": True},
        {"key": "commended", "done": True},
    ],
    2: [{"key": "monitoring", "done": True}],
    3: [
        {"key": "spot_checks", "done": True, "value": "1次，流程执行到位"},
        {"key": "feedback", "done": True, "value": "85分"},
    ],
    4: [
        {"key": "whys_redone", "done": True},
        {"key": "eliminated", "value": "yes"},
    ],
    5: [
        {"key": "method", "done": True, "value": "人员补强+流程再造+系统优化+体验提升"},
        {"key": "sop", "done": True, "value": "客户接待标准流程V2.0"},
    ],
    6: [
        {"key": "sharing_session", "done": True, "value": "2025-11-05"},
        {"key": "best_practice", "done": True, "value": "BP-2025-011"},
        {"key": "knowledge_base", "done": True},
        {"key": "training", "done": True},
    ],
    7: [
        {"key": "defect", "done": True, "value": "客户等待时间没有纳入日常监控"},
        {"key": "proposal", "done": True, "value": "等待时间周报、>35分钟预警、纳入月度考核"},
        {"key": "approved", "done": True},
        {"key": "running", "done": True, "value": "2025-11-01"},
    ],
}


def body(steps=range(1, 8), items=SOURCE_ITEMS) -> dict:
    return {"steps": [{"step": n, "items": items[n]} for n in steps]}


CASE = {
    "title": "客户等待时间优化四步法",
    "category": "process",
    "problem": "客户平均等待时间达47分钟，客户满意度仅72分。",
    "root_cause": "服务顾问缺编；接待流程冗余；依赖手工操作；客户无法实时了解进度。",
    "solution": "人员补强+流程再造+系统优化+体验提升",
    "cost": "8000",
    "cost_note": "显示屏等设备8000元；运营专家20工时，门店团队80工时",
    "duration_days": 7,
    "metric": "客户平均等待时间",
    "unit": "分钟",
    "before": "47",
    "after": "29.5",
    "roi": "26",
    "roi_note": "月增收17,500元，年增收21万元",
    "replicability": 5,
    "recommended_scope": "适用于所有等待时间超标的门店",
}
