"""Project health (DOMAIN.md §5): green = ahead/on plan; yellow = slightly delayed or a
severe difficulty open; red = seriously delayed or past a deadline (a measure not done
past its deadline, or the execution period over while still executing). Each boundary,
and recomputed on every record, every measure change and daily for deadlines passing."""

import pytest

from closedloop.core import jobs
from rectification import rules, services
from rectification.rules import OverdueMeasure

from .helpers import add_log, at, day, executing, new_project

pytestmark = pytest.mark.django_db

TODAY = day(2025, 9, 25)


def health(**over):
    args = {
        "status": "executing",
        "today": TODAY,
        "execution_to": day(2025, 9, 27),
        "assessment": "on_plan",
        "severe_difficulties": [],
        "overdue_measures": [],
    }
    args.update(over)
    return rules.compute_health(**args)[0]


@pytest.mark.parametrize(
    ("assessment", "expected"),
    [
        (None, "green"),
        ("ahead", "green"),
        ("on_plan", "green"),
        ("slightly_delayed", "yellow"),
        ("seriously_delayed", "red"),
    ],
)
def test_assessment_of_the_latest_record(assessment, expected):
    assert health(assessment=assessment) == expected


def test_a_severe_difficulty_is_yellow_a_moderate_one_is_not():
    assert health(severe_difficulties=["显示屏供应商延期"]) == "yellow"
    assert health(severe_difficulties=[]) == "green"


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [(day(2025, 9, 26), "green"), (TODAY, "green"), (day(2025, 9, 24), "red")],
)
def test_measure_deadline_boundary(deadline, expected):
    # A deadline is met on its day; the day after, a measure not done is late.
    assert health(overdue_measures=[OverdueMeasure("流程再造", deadline)]) == expected


@pytest.mark.parametrize(
    ("execution_to", "status", "expected"),
    [
        (TODAY, "executing", "green"),
        (day(2025, 9, 24), "executing", "red"),
        (day(2025, 9, 24), "pending_acceptance", "green"),  # submitted in time for it
    ],
)
def test_execution_end_boundary(execution_to, status, expected):
    assert health(execution_to=execution_to, status=status) == expected


def test_red_wins_over_yellow_and_keeps_all_reasons():
    color, reasons = rules.compute_health(
        status="executing",
        today=TODAY,
        execution_to=day(2025, 9, 24),
        assessment="slightly_delayed",
        severe_difficulties=["缺人"],
        overdue_measures=[],
    )
    assert color == "red"
    assert [r["code"] for r in reasons] == ["execution_over", "assessment", "severe_difficulty"]
    assert rules.reason_text(reasons[0]) == "执行期已于 2025-09-24 结束，仍未提交验收"


def test_a_draft_is_green_whatever_its_dates():
    assert health(status="draft", execution_to=day(2025, 1, 1)) == "green"


# --- recomputed where it changes --------------------------------------------------------


LATER = [
    {"text": "流程再造", "kind": "root", "owner_name": "服务经理", "deadline": "2025-09-27"},
]


def test_each_record_recomputes_health(cast):
    project = executing(cast, measures=LATER)
    add_log(cast, project, day(2025, 9, 23), assessment="slightly_delayed")
    project.refresh_from_db()
    assert project.health == "yellow"
    add_log(
        cast,
        project,
        day(2025, 9, 24),
        difficulties=[{"text": "显示屏未到货", "impact": "severe", "support": "IT 协调"}],
    )
    project.refresh_from_db()
    assert project.health == "yellow"
    assert [rules.reason_text(r) for r in project.health_reasons] == [
        "严重困难未解决：显示屏未到货"
    ]
    add_log(cast, project, day(2025, 9, 25), assessment="seriously_delayed")
    project.refresh_from_db()
    assert project.health == "red"
    add_log(cast, project, day(2025, 9, 26), assessment="ahead")
    project.refresh_from_db()
    assert project.health == "green" and project.health_reasons == []
    changes = project.events.filter(action="health").values_list("data__from", "data__to")
    assert list(changes) == [("green", "yellow"), ("yellow", "red"), ("red", "green")]


def test_a_measure_change_recomputes_health(cast):
    project = executing(cast)
    late = project.measures.get(text="人员补强")  # due 9/23
    add_log(cast, project, day(2025, 9, 24))
    project.refresh_from_db()
    assert project.health == "red"
    services.update_measure(
        project=project,
        measure_id=late.pk,
        actor=cast.ops,
        status="done",
        at=at(2025, 9, 24, 20),
    )
    project.refresh_from_db()
    assert project.health == "green"


def test_the_daily_job_turns_projects_red_when_a_deadline_passes(cast):
    project = executing(cast)
    add_log(cast, project, day(2025, 9, 23))
    project.refresh_from_db()
    assert project.health == "green"
    # 9/23 is the emergency measure's deadline: met that day, late from 9/24 on.
    assert jobs.run("project_health", at(2025, 9, 23, 23, 0)) == {"changed": 0}
    assert jobs.run("project_health", at(2025, 9, 24, 0, 5)) == {"changed": 1}
    project.refresh_from_db()
    assert project.health == "red"
    assert project.events.filter(action="health", actor__isnull=True).count() == 1
    assert jobs.run("project_health", at(2025, 9, 24, 0, 5)) == {"changed": 0}


def test_the_daily_job_leaves_drafts_and_finished_projects_alone(cast):
    draft = new_project(cast)
    cancelled = new_project(cast)
    services.cancel(project=cancelled, actor=cast.ops, reason="重复")
    assert jobs.run("project_health", at(2026, 1, 1, 0, 5)) == {"changed": 0}
    draft.refresh_from_db()
    assert draft.health == "green"
