"""The arithmetic of tracking (DOMAIN.md §5), as pure functions: cadence by level, day N of
execution, the next tracking date and the missed ones, and the project's health.

No database access here: the services gather the inputs and store the results, the
tests check every boundary directly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import (
    ACTIVE_STATUSES,
    DEFAULT_CADENCE,
    Assessment,
    Health,
    Level,
    MeasureStatus,
    Status,
)


def default_cadence(level: str) -> tuple[int, int]:
    """(execution phase, observation phase) tracking interval in days for a level."""
    return DEFAULT_CADENCE[Level(level)]


def day_of_execution(execution_from: dt.date, date: dt.date) -> int:
    """第 N 天: the execution's first day is day 1."""
    return (date - execution_from).days + 1


def tracking_base(
    *, last_tracked_on: dt.date | None, execution_from: dt.date | None, started_on: dt.date | None
) -> dt.date | None:
    """The date the next tracking counts from: the last log, else the start of execution
    (the planned start, or the day the project really started when that was later)."""
    if last_tracked_on is not None:
        return last_tracked_on
    starts = [d for d in (execution_from, started_on) if d is not None]
    return max(starts) if starts else None


def next_tracking_on(base: dt.date | None, interval_days: int) -> dt.date | None:
    """The next tracking is due one cadence interval after the last (or the start)."""
    if base is None:
        return None
    return base + dt.timedelta(days=interval_days)


@dataclass(frozen=True)
class Missed:
    """The trackings missed by ``today`` since ``due`` (the first one that was due)."""

    count: int
    #: The most recent missed due date (each missed tracking is reminded once, by it).
    latest: dt.date | None

    @property
    def escalate(self) -> bool:
        """Missed by two intervals: the regional director is told."""
        return self.count >= 2


def missed(due: dt.date | None, interval_days: int, today: dt.date) -> Missed:
    """A tracking due on D is missed once D is over without a log (``today`` > D); the
    following ones fall due every interval after it."""
    if due is None or today <= due:
        return Missed(0, None)
    count = (today - due - dt.timedelta(days=1)).days // interval_days + 1
    return Missed(count, due + dt.timedelta(days=interval_days * (count - 1)))


def tracking_late(status: str, next_tracking_on: dt.date | None, today: dt.date) -> bool:
    """An executing project whose next tracking date has passed without a record."""
    return status == Status.EXECUTING and next_tracking_on is not None and next_tracking_on < today


def measure_late(status: str, deadline: dt.date, today: dt.date) -> bool:
    """A measure not done whose deadline has passed (met on its day)."""
    return status != MeasureStatus.DONE and deadline < today


# --- health ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueMeasure:
    text: str
    deadline: dt.date


def compute_health(
    *,
    status: str,
    today: dt.date,
    execution_to: dt.date | None,
    assessment: str | None,
    severe_difficulties: list[str],
    overdue_measures: list[OverdueMeasure],
) -> tuple[str, list[dict]]:
    """Project health (DOMAIN.md §5) and its reasons (codes with parameters, rendered by
    :func:`reason_text` in the reader's language).

    - red: the latest tracking says 严重延迟, or a measure not done is past its deadline,
      or the execution period ended while the project is still executing;
    - yellow: the latest tracking says 略有延迟, or it lists a severe difficulty;
    - green: ahead of or on plan (and anything not yet running, a draft).

    A deadline is met on its day: past it means ``today`` is later."""
    if status not in ACTIVE_STATUSES:
        return Health.GREEN, []
    red, yellow = [], []
    for measure in overdue_measures:
        if measure.deadline < today:
            red.append(
                {
                    "code": "measure_overdue",
                    "text": measure.text[:60],
                    "date": measure.deadline.isoformat(),
                }
            )
    if status == Status.EXECUTING and execution_to is not None and execution_to < today:
        red.append({"code": "execution_over", "date": execution_to.isoformat()})
    if assessment == Assessment.SERIOUSLY_DELAYED:
        red.append({"code": "assessment", "assessment": assessment})
    elif assessment == Assessment.SLIGHTLY_DELAYED:
        yellow.append({"code": "assessment", "assessment": assessment})
    yellow.extend({"code": "severe_difficulty", "text": text[:60]} for text in severe_difficulties)
    if red:
        return Health.RED, red + yellow
    if yellow:
        return Health.YELLOW, yellow
    return Health.GREEN, []


def reason_text(reason: dict) -> str:
    code = reason.get("code")
    if code == "measure_overdue":
        return _("措施“%(t)s”已过完成期限（%(d)s）") % {"t": reason["text"], "d": reason["date"]}
    if code == "execution_over":
        return _("执行期已于 %(d)s 结束，仍未提交验收") % {"d": reason["date"]}
    if code == "assessment":
        label = Assessment(reason["assessment"]).label
        return _("最近一次跟踪评估：%(a)s") % {"a": label}
    if code == "severe_difficulty":
        return _("严重困难未解决：%(t)s") % {"t": reason["text"]}
    return str(reason)
