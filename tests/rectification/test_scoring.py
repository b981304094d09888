"""The scorecard's arithmetic (DOMAIN.md §6), table-tested at every boundary: achievement
rate in both directions and methods, goal bands for one, two and three goals, rubric,
satisfaction and interview bands, ratings and the suggested conclusions."""

from decimal import Decimal as D

import pytest

from dashboards import kpi
from rectification import scoring
from rectification.choices import Conclusion, GoalBand, Rating, RubricBand


@pytest.mark.parametrize(
    "current,target,baseline,direction,method,expected",
    [
        # higher is better: current / target
        (82, 85, 58, "higher", "standard", D(82) / D(85)),
        (90, 100, None, "higher", "standard", D("0.9")),
        # lower is better with a baseline: (baseline − current) / (baseline − target)
        (31, 30, 47, "lower", "standard", D(16) / D(17)),
        (18, 15, 45, "lower", "standard", D("0.9")),
        (1, 2, 4, "lower", "standard", D("1.5")),  # complaints −75 % vs target −50 %
        # lower is better without a baseline: target / current
        (20, 18, None, "lower", "standard", D("0.9")),
        # progress, both directions: (current − baseline) / (target − baseline)
        (79, 85, 58, "higher", "progress", D(21) / D(27)),
        (380, 300, 1200, "lower", "progress", D(820) / D(900)),
        # not computable
        (10, 30, None, "higher", "progress", None),
        (0, 30, None, "lower", "standard", None),
        (None, 30, 47, "lower", "standard", None),
    ],
)
def test_achievement_rate(current, target, baseline, direction, method, expected):
    rate = scoring.achievement_rate(
        current=current, target=target, baseline=baseline, direction=direction, method=method
    )
    assert rate == expected


def test_one_source_for_the_achievement_rate():
    assert scoring.achievement_rate is kpi.achievement_rate


# Two goals (20 points each): ≥110 % 15–20 · 90–110 % 12–14 · 70–90 % 8–11 · <70 % 0–7.
@pytest.mark.parametrize(
    "rate,band,low,high",
    [
        ("1.5", GoalBand.EXCEEDED, 15, 20),
        ("1.1", GoalBand.EXCEEDED, 15, 20),  # exactly 110 %: the upper band
        ("1.0999", GoalBand.MET, 12, 14),
        ("0.9", GoalBand.MET, 12, 14),  # exactly 90 %
        ("0.8999", GoalBand.BASIC, 8, 11),
        ("0.7", GoalBand.BASIC, 8, 11),  # exactly 70 %
        ("0.6999", GoalBand.MISSED, 0, 7),
        ("0", GoalBand.MISSED, 0, 7),
        ("-0.5", GoalBand.MISSED, 0, 7),
    ],
)
def test_goal_band_boundaries_for_two_goals(rate, band, low, high):
    result = scoring.goal_band(D(rate), 2)
    assert (result.code, result.low, result.high) == (band, D(low), D(high))


@pytest.mark.parametrize(
    "goals,expected",
    [
        (1, [(30, 40), (24, 28), (16, 22), (0, 14)]),
        (2, [(15, 20), (12, 14), (8, 11), (0, 7)]),
        (3, [("10", "13.3"), ("8", "9.3"), ("5.3", "7.3"), ("0", "4.7")]),
        (4, [("7.5", "10"), ("6", "7"), ("4", "5.5"), ("0", "3.5")]),
    ],
)
def test_goal_bands_scaled_to_the_share(goals, expected):
    bands = scoring.goal_bands(goals)
    assert [(b.low, b.high) for b in bands] == [(D(lo), D(hi)) for lo, hi in expected]
    assert [b.code for b in bands] == [
        GoalBand.EXCEEDED,
        GoalBand.MET,
        GoalBand.BASIC,
        GoalBand.MISSED,
    ]


@pytest.mark.parametrize(
    "goals,share", [(1, D(40)), (2, D(20)), (3, D("13.3")), (4, D(10)), (6, D("6.7"))]
)
def test_goal_share(goals, share):
    assert scoring.goal_share(goals) == share


@pytest.mark.parametrize("goals", [1, 3])
@pytest.mark.parametrize("rate", ["1.1", "0.9", "0.7", "0.69"])
def test_boundaries_hold_for_one_and_three_goals(goals, rate):
    expected = scoring.goal_band(D(rate), 2).code
    assert scoring.goal_band(D(rate), goals).code == expected


def test_goal_band_of_no_rate_is_none():
    assert scoring.goal_band(None, 2) is None
    with pytest.raises(ValueError):
        scoring.goal_bands(0)


@pytest.mark.parametrize(
    "score,band",
    [
        (10, RubricBand.EXCELLENT),
        (9, RubricBand.EXCELLENT),
        (8, RubricBand.GOOD),
        (7, RubricBand.GOOD),
        (6, RubricBand.FAIR),
        (5, RubricBand.FAIR),
        (4, RubricBand.UNQUALIFIED),
        (0, RubricBand.UNQUALIFIED),
        ("4.5", None),
        ("8.5", None),
        (11, None),
        (-1, None),
        (None, None),
    ],
)
def test_rubric_band(score, band):
    result = scoring.rubric_band(score)
    assert (result.code if result else None) == band


@pytest.mark.parametrize(
    "value,band,low,high",
    [
        (100, RubricBand.EXCELLENT, 9, 10),
        (85, RubricBand.EXCELLENT, 9, 10),
        ("84.99", RubricBand.GOOD, 7, 8),
        (84, RubricBand.GOOD, 7, 8),
        (75, RubricBand.GOOD, 7, 8),
        ("74.9", RubricBand.FAIR, 5, 6),
        (65, RubricBand.FAIR, 5, 6),
        ("64.9", RubricBand.UNQUALIFIED, 0, 4),
        (0, RubricBand.UNQUALIFIED, 0, 4),
    ],
)
def test_satisfaction_band(value, band, low, high):
    result = scoring.satisfaction_band(value)
    assert (result.code, result.low, result.high) == (band, D(low), D(high))


@pytest.mark.parametrize(
    "positive,neutral,negative,band",
    [
        (5, 0, 0, RubricBand.EXCELLENT),
        (4, 1, 0, RubricBand.EXCELLENT),  # exactly 80 %
        (79, 21, 0, RubricBand.GOOD),
        (3, 1, 1, RubricBand.GOOD),  # exactly 60 %
        (59, 0, 41, RubricBand.FAIR),
        (2, 2, 1, RubricBand.FAIR),  # exactly 40 %
        (39, 30, 31, RubricBand.UNQUALIFIED),
        (0, 0, 3, RubricBand.UNQUALIFIED),
    ],
)
def test_interview_band(positive, neutral, negative, band):
    assert scoring.interview_band(positive, neutral, negative).code == band


def test_no_interviews_no_band():
    assert scoring.interview_share(0, 0, 0) is None
    assert scoring.interview_band(0, 0, 0) is None


@pytest.mark.parametrize(
    "total,rating,conclusion",
    [
        (100, Rating.EXCELLENT, Conclusion.PASS),
        (90, Rating.EXCELLENT, Conclusion.PASS),
        ("89.9", Rating.GOOD, Conclusion.PASS),
        (89, Rating.GOOD, Conclusion.PASS),
        (80, Rating.GOOD, Conclusion.PASS),
        (79, Rating.QUALIFIED, Conclusion.BASIC_PASS),
        (70, Rating.QUALIFIED, Conclusion.BASIC_PASS),
        (69, Rating.UNQUALIFIED, Conclusion.FAIL),
        ("69.9", Rating.UNQUALIFIED, Conclusion.FAIL),
        (0, Rating.UNQUALIFIED, Conclusion.FAIL),
    ],
)
def test_rating_and_suggested_conclusion(total, rating, conclusion):
    assert scoring.rating(total) == rating
    assert scoring.suggested_conclusion(rating) == conclusion


def test_source_first_acceptance_is_88_good():
    """Hangzhou 9/28: process 10+9+10, waiting time 31 min (94 %: 12–14) → 14, complaints
    −75 % vs −50 % (150 %: 15–20) → 18, satisfaction 84 (7–8) → 8, interviews 4/1/0
    (80 %: 9–10) → 10, sustainability 9."""
    wait = scoring.achievement_rate(current=31, target=30, baseline=47, direction="lower")
    complaints = scoring.achievement_rate(current=1, target=2, baseline=4, direction="lower")
    assert scoring.goal_band(wait, 2).code == GoalBand.MET
    assert scoring.goal_band(complaints, 2).code == GoalBand.EXCEEDED
    assert scoring.satisfaction_band(84).allows(8)
    assert scoring.interview_band(4, 1, 0).allows(10)
    total = scoring.total([10, 9, 10, 14, 18, 8, 10, 9])
    assert total == 88
    assert scoring.rating(total) == Rating.GOOD
    assert scoring.suggested_conclusion(scoring.rating(total)) == Conclusion.PASS


def test_consistency_note_both_goals_met_tops_out_at_86():
    assert scoring.total([10, 10, 10, 14, 14, 8, 10, 10]) == 86


def test_source_formal_acceptance_is_95_excellent():
    total = scoring.total([10, 9, 10, 17, 20, 10, 10, 9])
    assert total == 95
    assert scoring.rating(total) == Rating.EXCELLENT
