"""Pure functions of the KPI board (DOMAIN.md §6 and §9): achievement rate, deviation
class and trend. No database, no Django models: table-tested in
``tests/dashboards/test_kpi_functions.py``.

Numbers are handled as ``Decimal`` so that the class boundaries are exact (a shortfall of
exactly 5 % is 正常, not a float's 5.000000000000004 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from closedloop.core.metrics import Number, achievement_rate, percent, to_decimal

from .choices import (
    CONTROLLABLE_SHORTFALL,
    NORMAL_SHORTFALL,
    Deviation,
    Direction,
    Trend,
)

__all__ = ["Number", "TrendArrow", "achievement_rate", "deviation", "percent", "ratio", "trend"]

# The achievement rate has one source, shared with the acceptance scorecard.
_dec = to_decimal


def deviation(rate: Number | None) -> str | None:
    """The deviation class from the shortfall 1 − achievement: ≤ 5 % 正常, 5–15 % 可控,
    > 15 % 重大 (a boundary belongs to the milder class)."""
    rate = _dec(rate)
    if rate is None:
        return None
    shortfall = 1 - rate
    if shortfall <= Decimal(NORMAL_SHORTFALL):
        return Deviation.NORMAL
    if shortfall <= Decimal(CONTROLLABLE_SHORTFALL):
        return Deviation.CONTROLLABLE
    return Deviation.MAJOR


@dataclass(frozen=True)
class TrendArrow:
    trend: str  # Trend: up | down | flat
    #: "good", "bad" or "neutral": the colour, from the metric's direction.
    tone: str
    delta: Decimal | None

    @property
    def arrow(self) -> str:
        return {Trend.UP: "↑", Trend.DOWN: "↓"}.get(self.trend, "→")


def trend(
    *, current: Number | None, previous: Number | None, direction: str = Direction.HIGHER
) -> TrendArrow:
    """The arrow vs the previous period, coloured by the direction: a rising
    resolution rate is good, a rising backlog is bad."""
    current, previous = _dec(current), _dec(previous)
    if current is None or previous is None or current == previous:
        delta = None if current is None or previous is None else Decimal(0)
        return TrendArrow(Trend.FLAT, "neutral", delta)
    delta = current - previous
    went = Trend.UP if delta > 0 else Trend.DOWN
    better = (went == Trend.UP) == (direction != Direction.LOWER)
    return TrendArrow(went, "good" if better else "bad", delta)


def ratio(numerator: int | None, denominator: int | None) -> Decimal | None:
    """numerator ÷ denominator as a Decimal fraction, None when nothing counted."""
    if not denominator:
        return None
    return Decimal(numerator or 0) / Decimal(denominator)
