"""The observation period's sustainability verdict (持续性, DOMAIN.md §7). Pure: readings in,
verdicts out; table-tested in ``tests/rectification/test_sustainability.py``.

Per goal, from the readings of the rechecks:

- 优秀: the mean meets the target and every reading is within 5 % of the target or better;
- 良好: the mean meets the target;
- 一般: the mean misses the target by at most 15 %;
- 不佳: otherwise.

"Within x % of the target" is measured on the target's magnitude in the goal's bad
direction (≤ 30 min: a reading of 31.5 is within 5 %, 31.6 is not). The project's verdict
is the worst of its goals'. A single reading worse than the target by more than 15 % is a
regression (反弹)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from closedloop.core.metrics import LOWER, Number, to_decimal

from .choices import Sustainability

WITHIN = Decimal("0.05")
MISS_TOLERANCE = Decimal("0.15")
REBOUND_TOLERANCE = Decimal("0.15")

#: Best first: the project's verdict is the last of its goals' in this order.
ORDER = (Sustainability.EXCELLENT, Sustainability.GOOD, Sustainability.FAIR, Sustainability.POOR)


def _limit(target: Decimal, direction: str, tolerance: Decimal) -> Decimal:
    """The worst value still within ``tolerance`` of the target."""
    slack = abs(target) * tolerance
    return target + slack if direction == LOWER else target - slack


def _at_least_as_good(value: Decimal, limit: Decimal, direction: str) -> bool:
    return value <= limit if direction == LOWER else value >= limit


@dataclass(frozen=True)
class GoalSustainability:
    mean: Decimal
    min: Decimal
    max: Decimal
    readings: int
    #: How many readings are within 5 % of the target or better.
    within: int
    verdict: str


def goal_verdict(
    readings: Sequence[Number], *, target: Number, direction: str
) -> GoalSustainability | None:
    """The verdict of one goal from its observation readings; None without readings."""
    values = [v for v in (to_decimal(r) for r in readings) if v is not None]
    target = to_decimal(target)
    if not values or target is None:
        return None
    mean = sum(values, Decimal(0)) / len(values)
    near = _limit(target, direction, WITHIN)
    within = sum(1 for v in values if _at_least_as_good(v, near, direction))
    if _at_least_as_good(mean, target, direction):
        verdict = Sustainability.EXCELLENT if within == len(values) else Sustainability.GOOD
    elif _at_least_as_good(mean, _limit(target, direction, MISS_TOLERANCE), direction):
        verdict = Sustainability.FAIR
    else:
        verdict = Sustainability.POOR
    return GoalSustainability(
        mean=mean,
        min=min(values),
        max=max(values),
        readings=len(values),
        within=within,
        verdict=verdict,
    )


def project_verdict(verdicts: Iterable[str]) -> str | None:
    """The worst of the goals' verdicts; None when no goal has one."""
    worst = None
    for verdict in verdicts:
        if worst is None or ORDER.index(verdict) > ORDER.index(worst):
            worst = verdict
    return worst


def is_regression(value: Number, *, target: Number, direction: str) -> bool:
    """True when a reading is worse than the target by more than 15 % (反弹)."""
    value, target = to_decimal(value), to_decimal(target)
    if value is None or target is None:
        return False
    return not _at_least_as_good(value, _limit(target, direction, REBOUND_TOLERANCE), direction)
