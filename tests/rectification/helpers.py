"""Helpers to drive rectification projects through their life in tests, via the services."""

import datetime as dt

from rectification import services
from tests.factories import SHANGHAI, at  # noqa: F401 (re-exported)


def day(*args) -> dt.date:
    return dt.date(*args)


def kickoff(cast, **over) -> dict:
    """A complete kick-off for the Hangzhou store, run by ``cast.ops`` (the source's case,
    with its dates in September 2025)."""
    data = {
        "store": "HZ001",
        "title": "客户等待时间过长",
        "problem": "客户平均等待时间达47分钟，客户满意度仅72分。",
        "found_on": "2025-09-15",
        "level": "A",
        "ops_specialist": "ops",
        "symptoms": ["接待慢", "派工慢"],
        "containment": "临时调配1名服务顾问",
        "whys": [
            {"why": "为什么等待时间长?", "because": "接待流程慢、派工慢"},
            {"why": "为什么接待流程慢?", "because": "服务顾问人手不足"},
        ],
        "root_causes": ["服务顾问缺编"],
        "goals": [
            {
                "name": "客户平均等待时间",
                "unit": "分钟",
                "baseline": 47,
                "target": 30,
                "direction": "lower",
                "method": "standard",
            },
            {
                "name": "客户满意度",
                "unit": "分",
                "baseline": 72,
                "target": 85,
                "direction": "higher",
                "core": False,
            },
        ],
        "measures": [
            {
                "text": "人员补强",
                "kind": "emergency",
                "owner_name": "门店店长",
                "start_on": "2025-09-22",
                "deadline": "2025-09-23",
            },
            {
                "text": "流程再造",
                "kind": "root",
                "owner": "member",
                "deadline": "2025-09-25",
            },
        ],
        "plan": {
            "start_on": "2025-09-22",
            "execution_from": "2025-09-23",
            "execution_to": "2025-09-27",
            "acceptance_on": "2025-09-28",
            "observation_from": "2025-10-01",
            "observation_to": "2025-10-31",
            "closure_on": "2025-11-01",
        },
        "criteria": {"quantitative": ["等待时间 ≤ 30 分钟"], "qualitative": ["流程执行到位"]},
    }
    data.update(over)
    return data


def new_project(cast, *, who=None, when=None, **over):
    return services.create_project(
        actor=who or cast.ops, data=kickoff(cast, **over), at=when or at(2025, 9, 22, 9)
    )


def kicked_off(cast, project=None, when=None, **over):
    project = project or new_project(cast, **over)
    when = when or at(2025, 9, 22, 10)
    for signer in (cast.manager, cast.ops, cast.director):
        project = services.sign(project=project, actor=signer, at=when)
    return project


def executing(cast, project=None, when=None, **over):
    project = kicked_off(cast, project, **over)
    return services.start(project=project, actor=cast.ops, at=when or at(2025, 9, 22, 14))


def log_data(project, date, **over) -> dict:
    data = {
        "date": date,
        "method": "phone",
        "progress": 20,
        "assessment": "on_plan",
        "done": ["培训"],
    }
    data.update(over)
    return data


def add_log(cast, project, date, when=None, **over):
    return services.add_tracking_log(
        project=project,
        actor=cast.ops,
        data=log_data(project, date, **over),
        at=when or at(date.year, date.month, date.day, 19),
    )


# --- the same around today (for pages and the API, which run on the real clock) ----------


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def iso(days: int) -> str:
    return (today() + dt.timedelta(days=days)).isoformat()


def recent(cast, **over) -> dict:
    """The kick-off with its dates around today: started yesterday, executing from today
    for a week; the emergency measure is due in two days, the root one in five."""
    data = kickoff(
        cast,
        found_on=iso(-3),
        measures=[
            {
                "text": "人员补强",
                "kind": "emergency",
                "owner_name": "门店店长",
                "deadline": iso(2),
            },
            {"text": "流程再造", "kind": "root", "owner": "member", "deadline": iso(5)},
        ],
        plan={
            "start_on": iso(-1),
            "execution_from": iso(0),
            "execution_to": iso(6),
            "acceptance_on": iso(7),
            "observation_from": iso(8),
            "observation_to": iso(38),
            "closure_on": iso(39),
        },
    )
    data.update(over)
    return data


def recent_project(cast, *, who=None, **over):
    return services.create_project(actor=who or cast.ops, data=recent(cast, **over))


def recent_executing(cast, **over):
    project = recent_project(cast, **over)
    for signer in (cast.manager, cast.ops, cast.director):
        project = services.sign(project=project, actor=signer)
    return services.start(project=project, actor=cast.ops)
