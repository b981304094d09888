"""Scorecards and rechecks for tests, through the services."""

from rectification import acceptance as acc
from rectification import services

from .helpers import at, day, executing


def pending(cast, **over):
    """The helper project (one core goal: waiting time 47 → 30 min; satisfaction watched)
    submitted for acceptance on 9/27."""
    project = executing(cast, **over)
    return services.submit(project=project, actor=cast.ops, at=at(2025, 9, 27, 20))


def card(project, **over) -> dict:
    """An initial scorecard of 82 (良好 → pass) for the one-goal project: 29 + 26 + 8 + 10
    + 9 (waiting time 31 min: 94 %, band 24–28 for one goal)."""
    wait = project.goals.get(order=1)
    data = {
        "kind": "initial",
        "date": "2025-09-28",
        "process": {"documents": 10, "mastery": 9, "execution": 10},
        "goals": [{"goal": wait.pk, "actual": 31, "score": 26}],
        "satisfaction": {"value": 84, "score": 8},
        "interviews": {"positive": 4, "neutral": 1, "negative": 0, "score": 10},
        "sustainability": 9,
        "suggestions": ["巩固新流程"],
    }
    data.update(over)
    return data


def accept(cast, project, when=None, **over):
    return acc.record_acceptance(
        project=project, actor=cast.ops, data=card(project, **over), at=when or at(2025, 9, 28, 10)
    )


def observing(cast, **over):
    project = pending(cast, **over)
    accept(cast, project)
    project.refresh_from_db()
    return project


def recheck(cast, project, date, wait, sat=None, when=None):
    goals = {g.order: g for g in project.goals.all()}
    readings = [{"goal": goals[1].pk, "value": wait}]
    if sat is not None:
        readings.append({"goal": goals[2].pk, "value": sat})
    return acc.record_recheck(
        project=project,
        actor=cast.ops,
        data={"date": date, "method": "onsite", "readings": readings, "findings": "稳定"},
        at=when or at(date.year, date.month, date.day, 18),
    )


__all__ = ["accept", "card", "day", "observing", "pending", "recheck"]
