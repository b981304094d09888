"""Recording a scorecard (DOMAIN.md §5–6): the computed total, rating and conclusion, the
lifecycle the conclusion drives for the initial and the formal acceptance, the store
manager's signature, and bad input refused with the field and its allowed range, nothing
saved."""

import datetime as dt
from decimal import Decimal as D

import pytest

from closedloop.errors import DomainError, InvalidTransition, PermissionDenied
from rectification import acceptance as acc
from rectification import services
from rectification.models import Acceptance, ProjectEvent

from .acceptance_helpers import accept, card, observing, pending, recheck
from .helpers import at, day, executing

pytestmark = pytest.mark.django_db


def test_initial_pass_starts_the_observation(cast):
    project = pending(cast)
    acceptance = accept(cast, project)
    project.refresh_from_db()
    assert (acceptance.total, acceptance.rating) == (D(82), "good")
    assert (acceptance.suggested_conclusion, acceptance.conclusion) == ("pass", "pass")
    assert (acceptance.from_status, acceptance.to_status) == ("pending_acceptance", "observing")
    line = acceptance.goals.get()
    assert (line.band, line.points, line.score) == ("met", D(40), D(26))
    assert line.achievement_rate == D("0.941176")
    assert project.status == "observing"
    # The plan's observation period, weekly rechecks for a level A project: first due 10/7.
    assert (project.observation_from, project.observation_to) == (
        day(2025, 10, 1),
        day(2025, 10, 31),
    )
    assert project.next_recheck_on == day(2025, 10, 7)
    assert project.next_tracking_on is None
    event = ProjectEvent.objects.filter(project=project, action="accept_pass").get()
    assert (event.from_status, event.to_status, event.data["total"]) == (
        "pending_acceptance",
        "observing",
        "82.0",
    )


def test_initial_pass_without_a_planned_observation_takes_a_month(cast):
    project = pending(cast)
    project.observation_from = project.observation_to = None
    project.save()
    accept(cast, project)
    project.refresh_from_db()
    assert (project.observation_from, project.observation_to) == (
        day(2025, 9, 29),
        day(2025, 10, 28),
    )


def test_basic_pass_waits_for_another_acceptance(cast):
    project = pending(cast)
    # 29 + 24 + 8 + 5(2/2/1 = 40 %) + 5 → 71 合格
    acceptance = accept(
        cast,
        project,
        goals=[{"goal": project.goals.get(order=1).pk, "actual": 31, "score": 24}],
        interviews={"positive": 2, "neutral": 2, "negative": 1, "score": 5},
        sustainability=5,
    )
    project.refresh_from_db()
    assert (acceptance.total, acceptance.rating, acceptance.conclusion) == (
        D(71),
        "qualified",
        "basic_pass",
    )
    assert project.status == "pending_acceptance"
    # Another acceptance after the improvement passes.
    again = accept(cast, project, date="2025-09-30", when=at(2025, 9, 30, 10))
    project.refresh_from_db()
    assert (again.conclusion, project.status) == ("pass", "observing")
    assert list(project.acceptances.values_list("conclusion", flat=True)) == ["basic_pass", "pass"]


def test_fail_returns_to_execution_and_tracking_restarts(cast):
    project = pending(cast)
    # 15 + 14 + 4 + 4 + 4 = 41 不合格
    acceptance = accept(
        cast,
        project,
        process={"documents": 5, "mastery": 5, "execution": 5},
        goals=[{"goal": project.goals.get(order=1).pk, "actual": 40, "score": 14}],
        satisfaction={"value": 60, "score": 4},
        interviews={"positive": 1, "neutral": 1, "negative": 3, "score": 4},
        sustainability=4,
    )
    project.refresh_from_db()
    assert (acceptance.total, acceptance.rating, acceptance.conclusion) == (
        D(41),
        "unqualified",
        "fail",
    )
    assert project.status == "executing"
    # Daily tracking restarts from the failed acceptance, not from the last record.
    assert project.next_tracking_on == day(2025, 9, 29)


def test_override_needs_a_reason(cast):
    project = pending(cast)
    with pytest.raises(DomainError) as error:
        accept(cast, project, conclusion="basic_pass")
    assert "override_reason" in error.value.errors
    assert "通过验收" in error.value.errors["override_reason"][0]
    assert not Acceptance.objects.exists()
    acceptance = accept(cast, project, conclusion="basic_pass", override_reason="现场复核有偏差")
    project.refresh_from_db()
    assert (acceptance.suggested_conclusion, acceptance.conclusion) == ("pass", "basic_pass")
    assert project.status == "pending_acceptance"


def _formal(cast, project, when, **over):
    return accept(cast, project, when=when, kind="formal", **over)


def test_formal_pass_moves_to_pending_closure(cast):
    project = observing(cast)
    with pytest.raises(DomainError) as early:
        _formal(cast, project, at(2025, 10, 20, 10), date="2025-10-20")
    assert "2025-10-31" in early.value.errors["date"][0]
    acceptance = _formal(cast, project, at(2025, 11, 1, 10), date="2025-11-01")
    project.refresh_from_db()
    assert (acceptance.kind, acceptance.conclusion, project.status) == (
        "formal",
        "pass",
        "pending_closure",
    )
    assert project.next_recheck_on is None
    assert [a.kind for a in project.acceptances.all()] == ["initial", "formal"]


@pytest.mark.parametrize(
    "score,conclusion,status",
    [(26, "pass", "pending_closure"), (16, "basic_pass", "observing"), (0, "fail", "executing")],
)
def test_formal_conclusions(cast, score, conclusion, status):
    project = observing(cast)
    goal = project.goals.get(order=1).pk
    over = {"goals": [{"goal": goal, "actual": 31, "score": 26}]}
    if conclusion == "basic_pass":  # 24 + 24 + 8 + 7 + 7 = 70 合格
        over = {
            "process": {"documents": 8, "mastery": 8, "execution": 8},
            "goals": [{"goal": goal, "actual": 31, "score": 24}],
            "sustainability": 7,
            "interviews": {"positive": 3, "neutral": 1, "negative": 1, "score": 7},
        }
    if conclusion == "fail":
        over = {
            "process": {"documents": 4, "mastery": 4, "execution": 4},
            "goals": [{"goal": goal, "actual": 45, "score": score}],
            "satisfaction": {"value": 60, "score": 2},
            "interviews": {"positive": 0, "neutral": 1, "negative": 4, "score": 1},
            "sustainability": 3,
        }
    acceptance = _formal(cast, project, at(2025, 11, 1, 10), date="2025-11-01", **over)
    project.refresh_from_db()
    assert (acceptance.conclusion, project.status) == (conclusion, status)


@pytest.mark.parametrize(
    "status_of,kind",
    [("executing", "initial"), ("pending", "formal"), ("observing", "initial")],
)
def test_wrong_state_is_an_invalid_transition(cast, status_of, kind):
    project = {"executing": executing, "pending": pending, "observing": observing}[status_of](cast)
    before = Acceptance.objects.count()
    with pytest.raises(InvalidTransition):
        accept(cast, project, kind=kind, date="2025-11-01", when=at(2025, 11, 1, 10))
    assert Acceptance.objects.count() == before


def test_only_the_ops_specialist_or_quality_lead_scores(cast):
    project = pending(cast)
    for user in (cast.manager, cast.director, cast.executive):
        with pytest.raises(PermissionDenied):
            acc.record_acceptance(project=project, actor=user, data=card(project))
    assert (
        acc.record_acceptance(
            project=project, actor=cast.lead, data=card(project), at=at(2025, 9, 28, 10)
        ).assessor
        == cast.lead
    )


def test_store_manager_signs_once(cast):
    project = pending(cast)
    acceptance = accept(cast, project)
    with pytest.raises(PermissionDenied):
        acc.sign_acceptance(acceptance=acceptance, actor=cast.neighbour)
    signed = acc.sign_acceptance(acceptance=acceptance, actor=cast.manager, at=at(2025, 9, 28, 11))
    assert (signed.store_manager, signed.store_manager_signed_at) == (
        cast.manager,
        at(2025, 9, 28, 11),
    )
    with pytest.raises(InvalidTransition):
        acc.sign_acceptance(acceptance=acceptance, actor=cast.manager)


BAD = [
    ({"process": {"documents": 11, "mastery": 9, "execution": 10}}, "process.documents", "0–10"),
    (
        {"process": {"documents": "4.5", "mastery": 9, "execution": 10}},
        "process.documents",
        "不合格 0–4",
    ),
    (
        {"process": {"documents": "9.25", "mastery": 9, "execution": 10}},
        "process.documents",
        "一位小数",
    ),
    ({"goals": [{"goal": "W", "actual": 31, "score": 30}]}, "goals[0].score", "24–28"),
    ({"goals": [{"goal": "W", "actual": 31, "score": 41}]}, "goals[0].score", "0–40"),
    ({"goals": [{"goal": "W", "actual": 28, "score": 28}]}, "goals[0].score", "30–40"),
    ({"goals": [{"goal": "S", "actual": 85, "score": 9}]}, "goals[0].goal", "监测指标"),
    ({"goals": []}, "goals", "客户平均等待时间"),
    ({"satisfaction": {"value": 84, "score": 9}}, "satisfaction.score", "7–8"),
    ({"satisfaction": {"value": 101, "score": 9}}, "satisfaction.value", "0–100"),
    (
        {"interviews": {"positive": 3, "neutral": 2, "negative": 0, "score": 10}},
        "interviews.score",
        "7–8",
    ),
    (
        {"interviews": {"positive": -1, "neutral": 2, "negative": 0, "score": 1}},
        "interviews.positive",
        "负数",
    ),
    (
        {"interviews": {"positive": 0, "neutral": 0, "negative": 0, "score": 1}},
        "interviews.positive",
        "至少 1 人",
    ),
    (
        {"interviews": {"positive": 4, "neutral": 1, "negative": 0, "total": 6, "score": 10}},
        "interviews.total",
        "（5）",
    ),
    ({"sustainability": 12}, "sustainability", "0–10"),
    ({"conclusion": "maybe"}, "conclusion", "maybe"),
    ({"date": "2025-09-01"}, "date", "2025-09-23"),
]


@pytest.mark.parametrize("over,field,fragment", BAD)
def test_bad_input_names_the_field_and_range(cast, over, field, fragment):
    project = pending(cast)
    goals = {"W": project.goals.get(order=1).pk, "S": project.goals.get(order=2).pk}
    for row in over.get("goals", []):
        row["goal"] = goals[row["goal"]]
    with pytest.raises(DomainError) as error:
        accept(cast, project, **over)
    assert field in error.value.errors, error.value.errors
    assert fragment in " ".join(str(m) for m in error.value.errors[field])
    project.refresh_from_db()
    assert project.status == "pending_acceptance"
    assert not Acceptance.objects.exists()


def test_three_goals_scores_to_one_decimal(cast):
    goals = [
        {"name": f"指标{i}", "unit": "分", "baseline": 50, "target": 100, "direction": "higher"}
        for i in range(3)
    ]
    project = pending(cast, goals=goals)
    rows = [
        {"goal": g.pk, "actual": actual, "score": score}
        for g, actual, score in zip(
            project.goals.all(), (110, 90, 70), ("13.3", "9.3", "5.3"), strict=True
        )
    ]
    acceptance = accept(cast, project, goals=rows)
    assert [(line.band, line.points) for line in acceptance.goals.all()] == [
        ("exceeded", D("13.3")),
        ("met", D("13.3")),
        ("basic", D("13.3")),
    ]
    assert acceptance.total == D("29") + D("27.9") + D(27)


def test_preview_reports_bands_without_saving(cast):
    project = pending(cast)
    wait = project.goals.get(order=1).pk
    result, errors = acc.preview(
        project,
        {"kind": "initial", "goals": [{"goal": wait, "actual": "28"}]},
        today=day(2025, 9, 28),
    )
    line = result.goals[0]
    assert (line.band.code, line.band.range_label, line.rate_label) == (
        "exceeded",
        "30–40",
        "111.8%",
    )
    assert not Acceptance.objects.exists()


# --- rechecks -------------------------------------------------------------------------------


def test_rechecks_give_the_sustainability_verdict(cast):
    from rectification.selectors import project_sustainability, rechecks_done, rechecks_planned

    project = observing(cast)
    assert project_sustainability(project) is None
    for date, wait, sat in [
        (day(2025, 10, 7), 29, 85),
        (day(2025, 10, 14), 31, 84),
        (day(2025, 10, 21), 28, 86),
        (day(2025, 10, 28), 30, 85),
    ]:
        recheck(cast, project, date, wait, sat)
    project.refresh_from_db()
    result = project_sustainability(project)
    assert result["verdict"] == "excellent"
    wait_row = result["goals"][0]
    assert (wait_row["mean"], wait_row["min"], wait_row["max"], wait_row["within"]) == (
        29.5,
        28,
        31,
        4,
    )
    assert (rechecks_done(project), rechecks_planned(project)) == (4, 4)
    assert project.next_recheck_on == day(2025, 11, 4)
    assert project.rebound_at is None


def test_the_project_verdict_is_the_worst_goal(cast):
    project = observing(cast)
    recheck(cast, project, day(2025, 10, 7), 29, 80)  # satisfaction 80 < 85: misses by 6 %
    project.refresh_from_db()
    assert project.sustainability_verdict == "fair"


def test_recheck_only_while_observing(cast):
    project = pending(cast)
    with pytest.raises(InvalidTransition):
        recheck(cast, project, day(2025, 9, 28), 29)


def test_recheck_bad_input(cast):
    project = observing(cast)
    with pytest.raises(DomainError) as error:
        acc.record_recheck(
            project=project,
            actor=cast.ops,
            data={"date": "2025-09-30", "method": "fax", "readings": []},
            at=at(2025, 10, 7, 18),
        )
    assert {"date", "method", "readings"} <= set(error.value.errors)
    assert not project.rechecks.exists()


def test_tracking_at_observation_cadence_is_unchanged(cast):
    project = observing(cast)
    assert services.tracking_interval(project) == 7
    assert dt.timedelta(days=project.observation_every_days) == dt.timedelta(days=7)
