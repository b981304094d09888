"""Pure arithmetic shared by the KPI board and the acceptance scorecard (DOMAIN.md §6):
the achievement rate (达成率) and its whole-percent display. No database, no Django models.

Numbers are handled as ``Decimal`` so that band boundaries are exact (exactly 90 % is
90 %, not a float's 89.99999999999999 %)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

Number = int | float | Decimal | str

#: The codes of a metric's direction and method (identical in every app's choices).
LOWER = "lower"
HIGHER = "higher"
STANDARD = "standard"
PROGRESS = "progress"


def to_decimal(value: Number | None) -> Decimal | None:
    """``value`` as a Decimal, None when it is None or no number."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, bool):
        return None
    try:
        # str() first: Decimal(0.82) would carry the float's binary noise.
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def achievement_rate(
    *,
    current: Number | None,
    target: Number | None,
    baseline: Number | None = None,
    direction: str = HIGHER,
    method: str = STANDARD,
) -> Decimal | None:
    """达成率 as a fraction (0.96 for 96 %), or None when it cannot be computed.

    - higher is better: current / target;
    - lower is better: (baseline − current) / (baseline − target), or target / current
      when there is no baseline;
    - method "progress" (either direction): (current − baseline) / (target − baseline).
    """
    current, target, baseline = to_decimal(current), to_decimal(target), to_decimal(baseline)
    if current is None or target is None:
        return None
    if method == PROGRESS:
        if baseline is None or target == baseline:
            return None
        return (current - baseline) / (target - baseline)
    if direction == LOWER:
        if baseline is not None:
            if baseline == target:
                return None
            return (baseline - current) / (baseline - target)
        if current == 0:
            return None
        return target / current
    if target == 0:
        return None
    return current / target


def percent(rate: Decimal | None) -> int | None:
    """A fraction as the whole percent the source prints (0.9647 → 96, half up)."""
    if rate is None:
        return None
    return int((rate * 100).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
