"""Demo rectification projects, written through the services so that every number,
signature, tracking record, health and history row is real.

- The source's case (seeds/002): 杭州XX 4S店's customer waiting time, a level A project
  kicked off on 2025-09-22 with its five daily tracking records (9/23–9/27: 20/40/60/80/
  100 %, waiting time 42/38/33/31 min, satisfaction 75/78/82/84) and submitted for
  acceptance; initial acceptance 88 (良好) on 9/28, weekly observation rechecks 10/7–10/28
  (29/31/28/30 min, 85/84/86/85 points → 优秀), formal acceptance 95 (优秀) on 11/1 →
  pending closure. Two core goals as DOMAIN.md §6's consistency note models it (waiting time
  47 → ≤ 30 min; complaints 4 → ≤ 2 a week, i.e. −50 %); satisfaction is a watched metric.
- A dozen other projects around today across levels, states and healths: on plan,
  slightly delayed, a severe difficulty, a measure past its deadline, an execution period
  that ended, a missed tracking, drafts waiting for signatures, one cancelled.

Loads only when there are no projects yet."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from closedloop.notifications.services import recording_history
from closedloop.org.choices import Role
from closedloop.org.models import Store, User

from . import alerts, services
from .choices import ACTIVE_STATUSES
from .models import Project

DEMO_ORDER = 30


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """That moment in Beijing time, or now if it has not come yet (nothing in the future)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return min(moment, timezone.now())


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _sign_all(project, day, *signers):
    for n, signer in enumerate(signers):
        if signer is not None:
            project = services.sign(project=project, actor=signer, at=_at(day, 10, 10 * n))
    return project


# --- the source's case ------------------------------------------------------------------

CASE_LOGS = [
    # date, method, progress, assessment, done, difficulties, solutions, readings, focus
    (
        "2025-09-23",
        "phone",
        20,
        "on_plan",
        ["服务经理对所有服务顾问进行新流程培训（3小时）", "模拟演练，每位服务顾问演练5次"],
        [],
        [],
        {},
        "明天新流程正式试运行",
    ),
    (
        "2025-09-24",
        "onsite",
        40,
        "slightly_delayed",
        ["全天按新流程试运行", "初步测试DMS电子派工功能"],
        [
            ("服务顾问对电子派工系统不熟练，操作慢", "moderate", "IT专员培训电子派工"),
            ("维修进度显示屏尚未安装（供应商延期）", "moderate", "IT专员协调供应商"),
        ],
        [
            ("简化电子派工操作，只保留必填项", "服务经理", "2025-09-25"),
            ("督促供应商9月26日前安装显示屏", "IT专员", "2025-09-26"),
            ("制作「新流程告知卡」，提前给客户说明", "服务经理", "2025-09-25"),
        ],
        {"wait": "42", "sat": "75"},
        "电子派工熟练度、显示屏安装进度",
    ),
    (
        "2025-09-25",
        "phone",
        60,
        "on_plan",
        ["IT专员培训服务顾问使用DMS电子派工", "新流程告知卡发给每位客户", "电子派工使用率达80%"],
        [("维修进度显示屏尚未安装（供应商延期）", "minor", "IT专员协调供应商")],
        [("督促供应商9月26日前安装显示屏", "IT专员", "2025-09-26")],
        {"wait": "38", "sat": "78"},
        "显示屏安装调试",
    ),
    (
        "2025-09-26",
        "video",
        80,
        "on_plan",
        ["维修进度显示屏安装调试完成", "新流程全面执行，无明显问题"],
        [],
        [],
        {"wait": "33", "sat": "82"},
        "等待时间能否稳定在30分钟以内",
    ),
    (
        "2025-09-27",
        "phone",
        100,
        "on_plan",
        ["新流程稳定运行，所有服务顾问熟练掌握", "本周数据汇总：整改成效显著"],
        [],
        [],
        {"wait": "31", "sat": "84", "complaints": "1"},
        "初步验收准备（9月28日）",
    ),
]
#: After each day's record, the measures finished that day (by their order).
CASE_MEASURES_DONE = {"2025-09-23": [1], "2025-09-25": [2], "2025-09-26": [3], "2025-09-27": [4]}


def load_case() -> Project | None:
    """The source's case at 杭州XX 4S店 (HZ001)."""
    store = Store.objects.filter(code="HZ001").first()
    ops, manager, director = _user("ops_east"), _user("manager_hz001"), _user("director_east")
    if store is None or ops is None:
        return None
    created = _at(dt.date(2025, 9, 22), 8, 30)
    data = {
        "store": store,
        "title": "客户等待时间过长",
        "problem": (
            "客户平均等待时间达47分钟（7月38分钟、8月42分钟），客户满意度仅72分；"
            "85%的客户认为等待时间过长。客户投诉增加，复购率下降，门店NPS从35降至22。"
        ),
        "found_on": dt.date(2025, 9, 15),
        "level": "A",
        "ops_specialist": ops,
        "regional_director": director,
        "symptoms": [
            "客户到店后平均等待5分钟才有人接待",
            "服务顾问询问问题时需要反复确认，沟通效率低",
            "派工需手工填写派工单再找技师长安排，耗时8-10分钟",
            "客户休息区没有实时进度显示，客户频繁询问「还要多久」",
            "结算环节系统操作复杂，需要查询多个界面",
        ],
        "containment": "从邻近门店临时调配1名资深服务顾问支援；服务顾问主动告知客户预计时间。",
        "whys": [
            {"why": "为什么等待时间长？", "because": "接待流程慢、派工慢、沟通多"},
            {"why": "为什么接待流程慢？", "because": "服务顾问人手不足，且流程不标准"},
            {"why": "为什么人手不足？", "because": "有2名服务顾问离职，新人尚未到岗"},
            {"why": "为什么流程不标准？", "because": "没有明确的接待SOP，各人做法不一"},
            {"why": "为什么没有SOP？", "because": "门店一直沿用老办法，从未优化流程"},
        ],
        "root_causes": [
            "人员配置问题：服务顾问缺编",
            "流程缺陷：接待流程冗余，缺乏标准化",
            "工具落后：依赖手工操作，没有用好DMS系统功能",
            "信息不透明：客户无法实时了解进度",
        ],
        "goals": [
            {
                "name": "客户平均等待时间",
                "unit": "分钟",
                "baseline": "47",
                "target": "30",
                "direction": "lower",
                "method": "standard",
            },
            {
                "name": "客户投诉数（下降50%）",
                "unit": "起/周",
                "baseline": "4",
                "target": "2",
                "direction": "lower",
                "method": "standard",
            },
            {
                "name": "客户满意度",
                "unit": "分",
                "baseline": "72",
                "target": "85",
                "direction": "higher",
                "method": "standard",
                "core": False,
            },
        ],
        "measures": [
            {
                "text": "人员补强：从邻近门店临时调配1名资深服务顾问支援，加快新人招聘，强化培训",
                "kind": "emergency",
                "owner": manager,
                "owner_name": "门店店长",
                "start_on": dt.date(2025, 9, 21),
                "deadline": dt.date(2025, 9, 23),
            },
            {
                "text": "流程再造：接待流程从12步压缩到8步，制定《客户接待标准流程V2.0》，引入快速通道",
                "kind": "root",
                "owner_name": "服务经理",
                "start_on": dt.date(2025, 9, 21),
                "deadline": dt.date(2025, 9, 25),
            },
            {
                "text": "系统优化：启用DMS电子派工、维修进度显示屏、一键结算",
                "kind": "tool",
                "owner_name": "IT专员",
                "start_on": dt.date(2025, 9, 23),
                "deadline": dt.date(2025, 9, 26),
            },
            {
                "text": "客户体验提升：升级休息区、透明车间参观通道、主动告知预计时间",
                "kind": "support",
                "owner_name": "门店店长",
                "start_on": dt.date(2025, 9, 23),
                "deadline": dt.date(2025, 9, 27),
            },
        ],
        "plan": {
            "start_on": dt.date(2025, 9, 22),
            "execution_from": dt.date(2025, 9, 23),
            "execution_to": dt.date(2025, 9, 27),
            "acceptance_on": dt.date(2025, 9, 28),
            "observation_from": dt.date(2025, 10, 1),
            "observation_to": dt.date(2025, 10, 31),
            "closure_on": dt.date(2025, 11, 1),
        },
        "tracking": {"methods": ["onsite", "phone", "wechat", "video"]},
        "criteria": {
            "quantitative": [
                "客户平均等待时间 ≤ 30 分钟",
                "客户满意度 ≥ 85 分",
                "客户投诉率下降 ≥ 50%",
                "DMS电子派工使用率 ≥ 80%",
                "一键结算功能使用率 ≥ 70%",
            ],
            "qualitative": [
                "《客户接待标准流程V2.0》文档完整",
                "服务顾问熟练掌握新流程",
                "现场流程执行到位，客户反馈积极",
            ],
        },
    }
    project = services.create_project(actor=ops, data=data, at=created)
    project = _sign_all(project, dt.date(2025, 9, 22), manager, ops, director)
    project = services.start(project=project, actor=ops, at=_at(dt.date(2025, 9, 22), 14))
    goals = {g.order: g for g in project.goals.all()}
    goal_of = {"wait": goals[1], "complaints": goals[2], "sat": goals[3]}
    measures = {m.order: m for m in project.measures.all()}
    for day, method, progress, assessment, done, diffs, sols, readings, focus in CASE_LOGS:
        date = dt.date.fromisoformat(day)
        services.add_tracking_log(
            project=project,
            actor=ops,
            at=_at(date, 19),
            data={
                "date": date,
                "method": method,
                "progress": progress,
                "assessment": assessment,
                "done": done,
                "in_progress": [],
                "difficulties": [{"text": t, "impact": i, "support": s} for t, i, s in diffs],
                "solutions": [
                    {"text": t, "owner_name": o, "deadline": dt.date.fromisoformat(d)}
                    for t, o, d in sols
                ],
                "readings": [{"goal": goal_of[k], "value": v} for k, v in readings.items()],
                "focus": focus,
            },
        )
        for order in CASE_MEASURES_DONE.get(day, []):
            services.update_measure(
                project=project,
                measure_id=measures[order].pk,
                actor=ops,
                status="done",
                at=_at(date, 19, 30),
            )
    project = services.submit(project=project, actor=ops, at=_at(dt.date(2025, 9, 27), 20))
    return accept_and_observe(project, ops=ops, manager=manager)


#: The source's scorecards (tool 3). Initial 9/28: 29 + 14 (waiting time 31 min, 94 %:
#: 完全达成 12–14) + 18 (complaints 4 → 1 a week, −75 % vs the −50 % target, 150 %: 超额完成
#: 15–20) + 8 (satisfaction 84: 良好 7–8) + 10 (4 of 5 interviews positive: 优秀) + 9 = 88
#: 良好 → pass. Formal 11/1 after the observation: 29 + 17 (waiting time 28 min, 112 %:
#: 超额完成) + 20 + 10 (satisfaction 85: 优秀) + 10 + 9 = 95 优秀 → pass.
CASE_ACCEPTANCES = [
    (
        "initial",
        dt.date(2025, 9, 28),
        {"wait": ("31", 14), "complaints": ("1", 18)},
        ("84", 8),
        (4, 1, 0, 10),
        ["巩固新流程，防止回潮", "继续补齐服务顾问编制"],
    ),
    (
        "formal",
        dt.date(2025, 11, 1),
        {"wait": ("28", 17), "complaints": ("1", 20)},
        ("85", 10),
        (5, 0, 0, 10),
        ["将《客户接待标准流程V2.0》推广到区域内其他门店"],
    ),
]
#: Weekly rechecks in the observation period 10/1–10/31: waiting time and satisfaction.
CASE_RECHECKS = [
    ("2025-10-07", "onsite", "29", "85"),
    ("2025-10-14", "phone", "31", "84"),
    ("2025-10-21", "onsite", "28", "86"),
    ("2025-10-28", "video", "30", "85"),
]


def accept_and_observe(project, *, ops, manager):
    """The case after execution: initial acceptance 88 (良好) on 9/28, the observation
    period 10/1–10/31 with its four weekly rechecks (优秀), the formal acceptance 95
    (优秀) on 11/1 → pending closure. Each scorecard signed by the store manager."""
    from . import acceptance

    goals = {g.order: g for g in project.goals.all()}
    goal_of = {"wait": goals[1], "complaints": goals[2], "sat": goals[3]}

    def score(kind, date, goal_scores, satisfaction, interviews, suggestions):
        positive, neutral, negative, interview_score = interviews
        card = acceptance.record_acceptance(
            project=project,
            actor=ops,
            at=_at(date, 10),
            data={
                "kind": kind,
                "date": date,
                "process": {"documents": 10, "mastery": 9, "execution": 10},
                "goals": [
                    {"goal": goal_of[key].pk, "actual": actual, "score": points}
                    for key, (actual, points) in goal_scores.items()
                ],
                "satisfaction": {"value": satisfaction[0], "score": satisfaction[1]},
                "interviews": {
                    "positive": positive,
                    "neutral": neutral,
                    "negative": negative,
                    "score": interview_score,
                },
                "sustainability": 9,
                "suggestions": suggestions,
            },
        )
        if manager is not None:
            acceptance.sign_acceptance(acceptance=card, actor=manager, at=_at(date, 11))

    score(*CASE_ACCEPTANCES[0])
    for day, method, wait, sat in CASE_RECHECKS:
        date = dt.date.fromisoformat(day)
        acceptance.record_recheck(
            project=project,
            actor=ops,
            at=_at(date, 17),
            data={
                "date": date,
                "method": method,
                "readings": [
                    {"goal": goal_of["wait"].pk, "value": wait},
                    {"goal": goal_of["sat"].pk, "value": sat},
                ],
                "findings": _("新流程执行稳定，等待时间保持在目标附近。"),
            },
        )
    score(*CASE_ACCEPTANCES[1])
    project.refresh_from_db()
    return project


# --- a dozen others around today ---------------------------------------------------------


def _plan(today, start, length, **extra):
    start_on = today + dt.timedelta(days=start)
    execution_from = start_on + dt.timedelta(days=1)
    execution_to = execution_from + dt.timedelta(days=length - 1)
    return {
        "start_on": start_on,
        "execution_from": execution_from,
        "execution_to": execution_to,
        "acceptance_on": execution_to + dt.timedelta(days=1),
        "observation_from": execution_to + dt.timedelta(days=3),
        "observation_to": execution_to + dt.timedelta(days=33),
        "closure_on": execution_to + dt.timedelta(days=34),
        **extra,
    }


def _kickoff(store, title, problem, level, ops, plan, *, measures, goals, **extra):
    today = plan["start_on"]
    return {
        "store": store,
        "title": title,
        "problem": problem,
        "found_on": today - dt.timedelta(days=5),
        "level": level,
        "ops_specialist": ops,
        "symptoms": extra.pop("symptoms", [problem]),
        "whys": extra.pop(
            "whys",
            [
                {"why": f"为什么{title}？", "because": "流程缺少明确标准"},
                {"why": "为什么缺少标准？", "because": "从未梳理过该环节"},
            ],
        ),
        "root_causes": extra.pop("root_causes", ["流程缺少标准化，缺乏监控机制"]),
        "goals": goals,
        "measures": measures,
        "plan": plan,
        "criteria": {"quantitative": [g["name"] for g in goals], "qualitative": ["流程执行到位"]},
        **extra,
    }


def _measure(text, kind, owner_name, start, deadline):
    return {
        "text": text,
        "kind": kind,
        "owner_name": owner_name,
        "start_on": start,
        "deadline": deadline,
    }


def _run(project, ops, today, logs):
    """Tracking records: (days ago, progress, assessment, difficulties, readings by goal order)."""
    goals = {g.order: g for g in project.goals.all()}
    for ago, progress, assessment, difficulties, readings in logs:
        date = today - dt.timedelta(days=ago)
        services.add_tracking_log(
            project=project,
            actor=ops,
            at=_at(date, 18),
            data={
                "date": date,
                "method": "phone" if ago % 2 else "onsite",
                "progress": progress,
                "assessment": assessment,
                "done": [f"完成第{progress // 20 or 1}阶段工作"],
                "difficulties": difficulties,
                "readings": [{"goal": goals[o], "value": v} for o, v in readings.items()],
            },
        )


def load_others(now) -> int:
    today = timezone.localdate(now)
    stores = {
        s.code: s
        for s in Store.objects.filter(
            code__in=["HZ001", "NB001", "SH001", "GZ001", "BJ001", "CD001", "XA001", "DG001"]
        )
    }
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                "ops_east",
                "ops_south",
                "ops_north",
                "ops_southwest",
                "ops_northwest",
                "manager_hz001",
                "manager_nb001",
                "manager_sh001",
                "manager_gz001",
                "director_east",
                "director_south",
            ],
            is_active=True,
        )
    }
    if not {"NB001", "SH001", "GZ001"} <= stores.keys() or "ops_east" not in users:
        return 0
    east, south = users.get("ops_east"), users.get("ops_south")
    created = 0

    def new(code, ops, data, when):
        nonlocal created
        created += 1
        return services.create_project(actor=ops, data=data, at=_at(when, 9))

    wait_goal = {
        "name": "客户平均等待时间",
        "unit": "分钟",
        "baseline": "45",
        "target": "30",
        "direction": "lower",
    }

    # 1. On plan (green): daily tracking, A level.
    plan = _plan(today, -7, 12)
    p = new(
        "NB001",
        east,
        _kickoff(
            stores["NB001"],
            "常用保养件缺货导致保养改约",
            "机滤连续两周缺货，保养客户只能改约。",
            "A",
            east,
            plan,
            goals=[
                {
                    "name": "保养改约率",
                    "unit": "%",
                    "baseline": "18",
                    "target": "5",
                    "direction": "lower",
                },
                {
                    "name": "常用件到货周期",
                    "unit": "天",
                    "baseline": "7",
                    "target": "3",
                    "direction": "lower",
                },
            ],
            measures=[
                _measure(
                    "建立常用件安全库存", "root", "配件经理", plan["start_on"], plan["execution_to"]
                ),
                _measure(
                    "紧急调拨机滤200件",
                    "emergency",
                    "配件经理",
                    plan["start_on"],
                    plan["execution_from"] + dt.timedelta(days=2),
                ),
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_nb001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(
        p,
        east,
        today,
        [
            (5, 20, "on_plan", [], {1: "14", 2: "6"}),
            (4, 30, "on_plan", [], {1: "12"}),
            (3, 40, "ahead", [], {1: "10", 2: "5"}),
            (2, 50, "on_plan", [], {1: "9"}),
            (1, 60, "on_plan", [], {1: "8", 2: "4"}),
        ],
    )
    services.update_measure(
        project=p,
        measure_id=p.measures.get(order=2).pk,
        actor=east,
        status="done",
        at=_at(today - dt.timedelta(days=4), 18),
    )

    # 2. Slightly delayed (yellow), B level every 2 days.
    plan = _plan(today, -8, 14)
    p = new(
        "SH001",
        east,
        _kickoff(
            stores["SH001"],
            "交车检查表与实际流程不符",
            "检查表上的项目和现在的交车流程对不上。",
            "B",
            east,
            plan,
            goals=[
                {
                    "name": "交车检查完整率",
                    "unit": "%",
                    "baseline": "70",
                    "target": "95",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure(
                    "重新梳理交车流程与检查表",
                    "root",
                    "服务经理",
                    plan["start_on"],
                    plan["execution_to"] - dt.timedelta(days=4),
                ),
                _measure(
                    "交车检查培训",
                    "support",
                    "培训专员",
                    plan["execution_from"],
                    plan["execution_to"],
                ),
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_sh001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(
        p,
        east,
        today,
        [
            (6, 20, "on_plan", [], {1: "76"}),
            (4, 30, "on_plan", [], {1: "80"}),
            (
                2,
                35,
                "slightly_delayed",
                [
                    {
                        "text": "培训排期与周末高峰冲突",
                        "impact": "moderate",
                        "support": "区域培训师支持",
                    }
                ],
                {1: "82"},
            ),
        ],
    )

    # 3. Severe difficulty open (yellow).
    plan = _plan(today, -6, 10)
    p = new(
        "GZ001",
        south,
        _kickoff(
            stores["GZ001"],
            "索赔资料反复退回",
            "不同审核人要求的照片和资料不一致，反复退回。",
            "A",
            south,
            plan,
            goals=[
                {
                    "name": "索赔一次通过率",
                    "unit": "%",
                    "baseline": "55",
                    "target": "90",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure(
                    "统一索赔资料清单", "root", "索赔专员", plan["start_on"], plan["execution_to"]
                ),
                _measure(
                    "与厂家审核对齐标准",
                    "support",
                    "运营专员",
                    plan["execution_from"],
                    plan["execution_to"],
                ),
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(
        p, plan["start_on"], users.get("manager_gz001"), south, users.get("director_south")
    )
    p = services.start(project=p, actor=south, at=_at(plan["start_on"], 15))
    _run(
        p,
        south,
        today,
        [
            (3, 20, "on_plan", [], {1: "60"}),
            (2, 30, "on_plan", [], {1: "64"}),
            (
                1,
                40,
                "on_plan",
                [
                    {
                        "text": "厂家审核标准尚未书面确认",
                        "impact": "severe",
                        "support": "总部售后质量部协调",
                    }
                ],
                {1: "66"},
            ),
        ],
    )

    # 4. A measure past its deadline (red).
    plan = _plan(today, -9, 15)
    p = new(
        "HZ001",
        east,
        _kickoff(
            stores["HZ001"],
            "前台接待话术不统一",
            "接待话术各说各的，客户体验不一致。",
            "C",
            east,
            plan,
            goals=[
                {
                    "name": "神秘顾客接待得分",
                    "unit": "分",
                    "baseline": "68",
                    "target": "85",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure(
                    "编写接待话术手册",
                    "root",
                    "服务经理",
                    plan["start_on"],
                    today - dt.timedelta(days=2),
                ),
                _measure(
                    "话术演练与考核",
                    "support",
                    "店长",
                    plan["execution_from"],
                    plan["execution_to"],
                ),
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_hz001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(p, east, today, [(6, 20, "on_plan", [], {1: "70"}), (3, 30, "on_plan", [], {1: "72"})])

    # 5. Execution period over while still executing (red).
    plan = _plan(today, -12, 9)
    p = new(
        "SH001",
        east,
        _kickoff(
            stores["SH001"],
            "DMS 结算页面卡顿导致交车慢",
            "结算时页面无响应，需要重启浏览器，影响交车。",
            "A",
            east,
            plan,
            goals=[dict(wait_goal, baseline="40", target="25")],
            measures=[
                _measure("升级结算服务器", "tool", "IT专员", plan["start_on"], plan["execution_to"])
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_sh001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(
        p,
        east,
        today,
        [
            (8, 30, "on_plan", [], {1: "36"}),
            (5, 60, "on_plan", [], {1: "31"}),
            (1, 90, "on_plan", [], {1: "27"}),
        ],
    )
    services.update_measure(
        project=p,
        measure_id=p.measures.get().pk,
        actor=east,
        status="done",
        at=_at(today - dt.timedelta(days=1), 18),
    )

    # 6. A missed tracking (B: every 2 days; the last record five days ago).
    plan = _plan(today, -10, 14)
    p = new(
        "NB001",
        east,
        _kickoff(
            stores["NB001"],
            "预约系统与 DMS 数据不同步",
            "线上预约的客户在 DMS 里查不到，需要手工补录。",
            "B",
            east,
            plan,
            goals=[
                {
                    "name": "预约同步成功率",
                    "unit": "%",
                    "baseline": "80",
                    "target": "99",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure("接口重试与对账", "tool", "IT专员", plan["start_on"], plan["execution_to"])
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_nb001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(p, east, today, [(7, 20, "on_plan", [], {1: "88"}), (5, 35, "on_plan", [], {1: "92"})])

    # 7. Kicked off, not started yet.
    plan = _plan(today, 0, 10)
    p = new(
        "GZ001",
        south,
        _kickoff(
            stores["GZ001"],
            "休息区设施老旧影响客户体验",
            "休息区座椅破损、无充电设施，客户投诉。",
            "C",
            south,
            plan,
            goals=[
                {
                    "name": "休息区满意度",
                    "unit": "分",
                    "baseline": "70",
                    "target": "85",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure(
                    "更换座椅、增加充电设施",
                    "support",
                    "行政主管",
                    plan["start_on"],
                    plan["execution_to"],
                )
            ],
        ),
        today - dt.timedelta(days=1),
    )
    _sign_all(p, today, users.get("manager_gz001"), south, users.get("director_south"))

    # 8. Submitted for acceptance.
    plan = _plan(today, -14, 10)
    p = new(
        "SH001",
        east,
        _kickoff(
            stores["SH001"],
            "电子保修单无法提交",
            "提交保修单时报错“签名校验失败”。",
            "C",
            east,
            plan,
            goals=[
                {
                    "name": "保修单提交成功率",
                    "unit": "%",
                    "baseline": "85",
                    "target": "99",
                    "direction": "higher",
                }
            ],
            measures=[
                _measure("更新签名证书", "tool", "IT专员", plan["start_on"], plan["execution_to"])
            ],
        ),
        plan["start_on"],
    )
    p = _sign_all(p, plan["start_on"], users.get("manager_sh001"), east, users.get("director_east"))
    p = services.start(project=p, actor=east, at=_at(plan["start_on"], 15))
    _run(p, east, today, [(10, 50, "on_plan", [], {1: "95"}), (7, 100, "ahead", [], {1: "99.5"})])
    services.update_measure(
        project=p,
        measure_id=p.measures.get().pk,
        actor=east,
        status="done",
        at=_at(today - dt.timedelta(days=7), 18),
    )
    services.submit(project=p, actor=east, at=_at(today - dt.timedelta(days=6), 10))

    # 9. Cancelled, with its reason.
    plan = _plan(today, -5, 10)
    p = new(
        "GZ001",
        south,
        _kickoff(
            stores["GZ001"],
            "紧急订单无法加急",
            "VOR 紧急订单没有加急通道，车辆趴窝。",
            "B",
            south,
            plan,
            goals=[
                {
                    "name": "VOR 订单到货天数",
                    "unit": "天",
                    "baseline": "6",
                    "target": "2",
                    "direction": "lower",
                }
            ],
            measures=[
                _measure(
                    "申请紧急订单通道", "root", "配件经理", plan["start_on"], plan["execution_to"]
                )
            ],
        ),
        plan["start_on"],
    )
    services.cancel(
        project=p,
        actor=south,
        reason="总部已上线全国紧急订单通道，本店不再单独整改。",
        at=_at(today - dt.timedelta(days=3), 11),
    )

    # 10. A draft from an issue, two of three signatures in.
    issue = None
    from issues.models import Issue

    issue = (
        Issue.objects.filter(store=stores["HZ001"], category="process")
        .order_by("-submitted_at")
        .first()
    )
    plan = _plan(today, 2, 10)
    data = _kickoff(
        stores["HZ001"],
        "保修审批流程过长",
        "一笔保修索赔要经过4级审批，平均6天，客户抱怨。",
        "B",
        east,
        plan,
        goals=[
            {
                "name": "保修审批平均时长",
                "unit": "天",
                "baseline": "6",
                "target": "2",
                "direction": "lower",
            }
        ],
        measures=[
            _measure(
                "审批层级从4级压缩到2级", "root", "售后经理", plan["start_on"], plan["execution_to"]
            )
        ],
    )
    if issue is not None:
        data["issue"] = issue
    p = new("HZ001", east, data, today - dt.timedelta(days=1))
    _sign_all(p, today, users.get("manager_hz001"), east)

    # 11–13. Drafts elsewhere, waiting for their kick-off to be completed and signed.
    for code, ops_name, title, problem, level in (
        ("BJ001", "ops_north", "技师诊断设备培训不足", "新诊断设备只有一个技师会用。", "B"),
        (
            "XA001",
            "ops_northwest",
            "新车型保养问题答不上来",
            "新车型上市，顾问回答不了客户的保养问题。",
            "A",
        ),
        (
            "DG001",
            "ops_south",
            "人员流失导致周末排班紧张",
            "两名技师离职，周末排班紧张，等待时间变长。",
            "C",
        ),
    ):
        ops = users.get(ops_name)
        if ops is None or code not in stores:
            continue
        plan = _plan(today, 3, 10)
        data = _kickoff(
            stores[code],
            title,
            problem,
            level,
            ops,
            plan,
            goals=[dict(wait_goal)] if level != "A" else [],
            measures=[
                _measure(
                    "制定培训/排班计划", "root", "店长", plan["start_on"], plan["execution_to"]
                )
            ],
        )
        new(code, ops, data, today)
    return created


def load_projects(*, now=None) -> int:
    """The case and the others; 0 when projects already exist."""
    if Project.objects.exists():
        return 0
    now = now or timezone.now()
    with transaction.atomic(), recording_history():
        case = load_case()
        count = (1 if case else 0) + load_others(now)
        # Health as of today (deadlines passed since the records were written), and the
        # missed-tracking reminders today would raise, recorded in the inboxes.
        for project in Project.objects.filter(status__in=ACTIVE_STATUSES):
            services.refresh_health(project=project, at=now)
        alerts.sweep(now)
    return count


def load_demo(options) -> str:
    if not User.objects.filter(role=Role.OPS_SPECIALIST).exists():
        return _("演示整改项目：没有运营专员，未生成。")
    created = load_projects()
    # The source's case ends 完全闭环 and closed, its case in the library (part B).
    from .closure_demo import complete_source_case

    with transaction.atomic(), recording_history():
        complete_source_case()
    return _("演示整改项目：新增 %(n)d 个（已有项目时不再生成）。") % {"n": created}
