"""Tracking cadence by level (DOMAIN.md §5: A 1 day / 1 week, B 2 days / 2 weeks, C 3 days
/ 1 month), overridable per project; day N of execution; the next tracking date from the
last record (or the start) plus one interval."""

import pytest

from closedloop.errors import DomainError, InvalidTransition
from rectification import rules, services

from .helpers import add_log, at, day, executing, kicked_off, new_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("level", "cadence"), [("A", (1, 7)), ("B", (2, 14)), ("C", (3, 30))])
def test_default_cadence_by_level(cast, level, cadence):
    project = new_project(cast, level=level)
    assert (project.execution_every_days, project.observation_every_days) == cadence


def test_kickoff_overrides_the_cadence(cast):
    project = new_project(
        cast, level="C", tracking={"execution_every_days": 1, "methods": ["onsite", "video"]}
    )
    # The given phase is overridden, the other keeps the level's default.
    assert (project.execution_every_days, project.observation_every_days) == (1, 30)
    assert project.tracking_methods == ["onsite", "video"]


def test_changing_the_level_of_a_draft_takes_the_new_defaults(cast):
    project = new_project(cast, level="A", tracking={"methods": ["phone"]})
    project = services.update_project(project=project, actor=cast.ops, data={"level": "B"})
    assert (project.execution_every_days, project.observation_every_days) == (2, 14)
    assert project.tracking_methods == ["phone"]


def test_override_while_executing_moves_the_next_date(cast):
    project = executing(cast)
    add_log(cast, project, day(2025, 9, 24))
    project.refresh_from_db()
    assert project.next_tracking_on == day(2025, 9, 25)
    project = services.change_cadence(
        project=project,
        actor=cast.ops,
        execution_every_days=2,
        observation_every_days=7,
        at=at(2025, 9, 24, 20),
    )
    assert project.next_tracking_on == day(2025, 9, 26)
    assert project.events.filter(action="change_cadence").get().data == {
        "old": [1, 7],
        "new": [2, 7],
    }


@pytest.mark.parametrize("value", [0, 91, "x"])
def test_cadence_out_of_range_is_refused_on_the_field(cast, value):
    project = executing(cast)
    with pytest.raises(DomainError) as caught:
        services.change_cadence(
            project=project, actor=cast.ops, execution_every_days=value, observation_every_days=7
        )
    assert "tracking.execution_every_days" in caught.value.errors
    project.refresh_from_db()
    assert project.execution_every_days == 1


def test_cadence_of_a_cancelled_project_cannot_change(cast):
    project = new_project(cast)
    services.cancel(project=project, actor=cast.ops, reason="重复立项")
    with pytest.raises(InvalidTransition):
        services.change_cadence(
            project=project, actor=cast.ops, execution_every_days=2, observation_every_days=7
        )


def test_next_tracking_counts_from_the_start_then_from_each_record(cast):
    project = kicked_off(cast)
    assert project.next_tracking_on is None  # nothing to track before the start
    project = services.start(project=project, actor=cast.ops, at=at(2025, 9, 22, 14))
    # Execution starts 9/23: the first tracking falls due one interval after it.
    assert project.next_tracking_on == day(2025, 9, 24)
    log = add_log(cast, project, day(2025, 9, 23))
    assert (log.day, log.next_on) == (1, day(2025, 9, 24))
    project.refresh_from_db()
    assert (project.last_tracked_on, project.next_tracking_on) == (
        day(2025, 9, 23),
        day(2025, 9, 24),
    )
    log = add_log(cast, project, day(2025, 9, 26), progress=60)
    assert log.day == 4
    project.refresh_from_db()
    assert project.next_tracking_on == day(2025, 9, 27) and project.progress == 60


def test_a_late_start_counts_from_the_real_start(cast):
    project = kicked_off(cast)
    project = services.start(project=project, actor=cast.ops, at=at(2025, 9, 25, 9))
    assert project.next_tracking_on == day(2025, 9, 26)


def test_level_b_tracks_every_second_day(cast):
    project = executing(cast, level="B")
    assert project.next_tracking_on == day(2025, 9, 25)
    add_log(cast, project, day(2025, 9, 24))
    project.refresh_from_db()
    assert project.next_tracking_on == day(2025, 9, 26)


def test_next_date_given_on_the_record_must_respect_the_cadence(cast):
    project = executing(cast, level="B")
    log = add_log(cast, project, day(2025, 9, 24), next_on=day(2025, 9, 25))
    assert log.next_on == day(2025, 9, 25)
    with pytest.raises(DomainError) as caught:
        add_log(cast, project, day(2025, 9, 25), next_on=day(2025, 9, 28))
    assert "next_on" in caught.value.errors
    with pytest.raises(DomainError) as caught:
        add_log(cast, project, day(2025, 9, 25), next_on=day(2025, 9, 25))
    assert "next_on" in caught.value.errors


@pytest.mark.parametrize(
    ("today", "count", "latest", "escalate"),
    [
        (day(2025, 9, 23), 0, None, False),  # before the due date
        (day(2025, 9, 24), 0, None, False),  # the due date itself: still time
        (day(2025, 9, 25), 1, day(2025, 9, 24), False),  # missed once
        (day(2025, 9, 26), 2, day(2025, 9, 25), True),  # missed by two intervals
        (day(2025, 9, 28), 4, day(2025, 9, 27), True),
    ],
)
def test_missed_trackings_every_day(today, count, latest, escalate):
    missed = rules.missed(day(2025, 9, 24), 1, today)
    assert (missed.count, missed.latest, missed.escalate) == (count, latest, escalate)


@pytest.mark.parametrize(
    ("today", "count", "latest"),
    [
        (day(2025, 9, 26), 0, None),
        (day(2025, 9, 27), 1, day(2025, 9, 26)),
        (day(2025, 9, 28), 1, day(2025, 9, 26)),
        (day(2025, 9, 29), 2, day(2025, 9, 28)),
    ],
)
def test_missed_trackings_every_second_day(today, count, latest):
    missed = rules.missed(day(2025, 9, 26), 2, today)
    assert (missed.count, missed.latest) == (count, latest)


def test_day_of_execution():
    assert rules.day_of_execution(day(2025, 9, 23), day(2025, 9, 23)) == 1
    assert rules.day_of_execution(day(2025, 9, 23), day(2025, 9, 27)) == 5
    assert rules.next_tracking_on(day(2025, 9, 27), 7) == day(2025, 10, 4)
    assert rules.tracking_base(
        last_tracked_on=None, execution_from=day(2025, 9, 23), started_on=day(2025, 9, 22)
    ) == day(2025, 9, 23)
    assert rules.next_tracking_on(None, 1) is None
