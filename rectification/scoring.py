"""The acceptance scorecard's arithmetic (整改验收评分表, DOMAIN.md §6): achievement rate,
goal bands scaled to the goal's share, rubric and feedback bands, total, rating and the
suggested conclusion. Pure: no database, no models; table-tested in
``tests/rectification/test_scoring.py``. Services store the results; the page's live
band hints call the same functions through a preview endpoint.

Every number is a ``Decimal``; a band's lower bound belongs to it (exactly 90 % is in
90–110 %, a satisfaction of exactly 85 is 优秀)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from closedloop.core.metrics import Number, achievement_rate, percent, to_decimal

from .choices import Conclusion, GoalBand, Rating, RubricBand

__all__ = [
    "GOAL_POINTS",
    "Decimal",
    "Band",
    "Number",
    "achievement_rate",
    "goal_band",
    "goal_bands",
    "goal_share",
    "interview_band",
    "interview_share",
    "percent",
    "rating",
    "rubric_band",
    "satisfaction_band",
    "suggested_conclusion",
    "to_decimal",
    "total",
]

ONE_DECIMAL = Decimal("0.1")

#: Section maxima (tool 3): process 3 × 10, goals 40, feedback 2 × 10, sustainability 10.
PROCESS_POINTS = Decimal(30)
GOAL_POINTS = Decimal(40)
FEEDBACK_POINTS = Decimal(20)
SUSTAINABILITY_POINTS = Decimal(10)
TOTAL_POINTS = Decimal(100)
RUBRIC_MAX = Decimal(10)


@dataclass(frozen=True)
class Band:
    """A band: its code and the scores allowed in it (both bounds included)."""

    code: str
    low: Decimal
    high: Decimal

    def allows(self, score: Number | None) -> bool:
        score = to_decimal(score)
        return score is not None and self.low <= score <= self.high

    @property
    def range_label(self) -> str:
        return f"{_fmt(self.low)}–{_fmt(self.high)}"


def _fmt(value: Decimal) -> str:
    """12 → "12", 13.3 → "13.3" (no trailing zeros, no exponent)."""
    text = format(value.normalize(), "f")
    return text


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


# --- rubrics (process execution, sustainability) and feedback ---------------------------

#: 优秀 9–10 · 良好 7–8 · 一般 5–6 · 不合格 0–4, in the form's order.
RUBRIC: tuple[Band, ...] = (
    Band(RubricBand.EXCELLENT, Decimal(9), Decimal(10)),
    Band(RubricBand.GOOD, Decimal(7), Decimal(8)),
    Band(RubricBand.FAIR, Decimal(5), Decimal(6)),
    Band(RubricBand.UNQUALIFIED, Decimal(0), Decimal(4)),
)
RUBRIC_BY_CODE = {band.code: band for band in RUBRIC}


def rubric_band(score: Number | None) -> Band | None:
    """The rubric band a score lies in; None for a score in no band (4.5, 11, −1)."""
    score = to_decimal(score)
    if score is None:
        return None
    for band in RUBRIC:
        if band.allows(score):
            return band
    return None


#: Satisfaction score lower bounds: ≥ 85 优秀 · 75–85 良好 · 65–75 一般 · < 65 不合格.
SATISFACTION_FLOORS = (
    (Decimal(85), RubricBand.EXCELLENT),
    (Decimal(75), RubricBand.GOOD),
    (Decimal(65), RubricBand.FAIR),
)
#: Interviews, share of positive answers: ≥ 80 % · 60–80 % · 40–60 % · < 40 %.
INTERVIEW_FLOORS = (
    (Decimal("0.8"), RubricBand.EXCELLENT),
    (Decimal("0.6"), RubricBand.GOOD),
    (Decimal("0.4"), RubricBand.FAIR),
)


def _floor_band(value: Decimal, floors) -> Band:
    for floor, code in floors:
        if value >= floor:
            return RUBRIC_BY_CODE[code]
    return RUBRIC_BY_CODE[RubricBand.UNQUALIFIED]


def satisfaction_band(value: Number | None) -> Band | None:
    """The band (and its allowed scores) for a customer satisfaction score."""
    value = to_decimal(value)
    if value is None:
        return None
    return _floor_band(value, SATISFACTION_FLOORS)


def interview_share(positive: int, neutral: int, negative: int) -> Decimal | None:
    """The share of positive answers among all interviews; None without interviews."""
    counted = positive + neutral + negative
    if counted <= 0:
        return None
    return Decimal(positive) / Decimal(counted)


def interview_band(positive: int, neutral: int, negative: int) -> Band | None:
    """The band for the interviews' positive share; None without interviews."""
    share = interview_share(positive, neutral, negative)
    if share is None:
        return None
    return _floor_band(share, INTERVIEW_FLOORS)


# --- core goals --------------------------------------------------------------------------

#: Achievement-rate lower bounds and the bands for a goal worth 20 points (two goals):
#: ≥ 110 % → 15–20 · 90–110 % → 12–14 · 70–90 % → 8–11 · < 70 % → 0–7.
GOAL_BANDS_FOR_20 = (
    (Decimal("1.1"), GoalBand.EXCEEDED, Decimal(15), Decimal(20)),
    (Decimal("0.9"), GoalBand.MET, Decimal(12), Decimal(14)),
    (Decimal("0.7"), GoalBand.BASIC, Decimal(8), Decimal(11)),
    (None, GoalBand.MISSED, Decimal(0), Decimal(7)),
)


def goal_share(goals: int) -> Decimal:
    """The points one core goal is worth: 40 split evenly, to one decimal (3 → 13.3)."""
    if goals < 1:
        raise ValueError("a scorecard needs at least one core goal")
    return _one_decimal(GOAL_POINTS / goals)


def goal_bands(goals: int) -> tuple[Band, ...]:
    """The four goal bands for a scorecard with ``goals`` core goals, bounds scaled from
    the 20-point table to the goal's share and rounded to one decimal (one goal: ×2,
    two: as printed, three: ×⅔ → 10–13.3 · 8–9.3 · 5.3–7.3 · 0–4.7)."""
    if goals < 1:
        raise ValueError("a scorecard needs at least one core goal")
    factor = GOAL_POINTS / Decimal(20) / Decimal(goals)
    return tuple(
        Band(code, _one_decimal(low * factor), _one_decimal(high * factor))
        for _floor, code, low, high in GOAL_BANDS_FOR_20
    )


def goal_band(rate: Number | None, goals: int) -> Band | None:
    """The band (with the scores allowed) for a goal's achievement rate (a fraction,
    1.1 for 110 %); None when the rate could not be computed."""
    rate = to_decimal(rate)
    if rate is None:
        return None
    bands = goal_bands(goals)
    for (floor, *_rest), band in zip(GOAL_BANDS_FOR_20, bands, strict=True):
        if floor is None or rate >= floor:
            return band
    raise AssertionError("unreachable")  # pragma: no cover


# --- total, rating, conclusion -------------------------------------------------------------


def total(scores: Iterable[Number]) -> Decimal:
    """The sum of the scores (each to one decimal)."""
    return sum((to_decimal(score) or Decimal(0) for score in scores), Decimal(0))


#: 优秀 ≥ 90 · 良好 80–89 · 合格 70–79 · 不合格 < 70.
RATING_FLOORS = (
    (Decimal(90), Rating.EXCELLENT),
    (Decimal(80), Rating.GOOD),
    (Decimal(70), Rating.QUALIFIED),
)


def rating(total_score: Number) -> str:
    score = to_decimal(total_score) or Decimal(0)
    for floor, code in RATING_FLOORS:
        if score >= floor:
            return code
    return Rating.UNQUALIFIED


SUGGESTED = {
    Rating.EXCELLENT: Conclusion.PASS,
    Rating.GOOD: Conclusion.PASS,
    Rating.QUALIFIED: Conclusion.BASIC_PASS,
    Rating.UNQUALIFIED: Conclusion.FAIL,
}


def suggested_conclusion(rating_code: str) -> str:
    """优秀/良好 → pass · 合格 → basic pass · 不合格 → fail."""
    return SUGGESTED[rating_code]
