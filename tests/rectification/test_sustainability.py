"""The observation period's sustainability verdict (DOMAIN.md §7), per goal and for the
project, and the regression (反弹) check, at their boundaries in both directions."""

from decimal import Decimal as D

import pytest

from rectification.choices import Sustainability as S
from rectification.sustainability import goal_verdict, is_regression, project_verdict


@pytest.mark.parametrize(
    "readings,target,direction,verdict",
    [
        # The source's case: ≤ 30 min, weekly 29, 31, 28, 30 → 优秀.
        ([29, 31, 28, 30], 30, "lower", S.EXCELLENT),
        ([85, 84, 86, 85], 85, "higher", S.EXCELLENT),
        # Every reading within 5 % (31.5 is exactly 5 % over 30).
        ([28, "31.5"], 30, "lower", S.EXCELLENT),
        # Mean meets the target, one reading beyond 5 % → 良好.
        ([27, "31.6"], 30, "lower", S.GOOD),
        ([90, "80.7"], 85, "higher", S.GOOD),
        # Mean misses by ≤ 15 % → 一般 (34.5 is exactly 15 % over 30).
        ([34, 35], 30, "lower", S.FAIR),
        (["34.5"], 30, "lower", S.FAIR),
        (["72.25"], 85, "higher", S.FAIR),
        # Beyond → 不佳.
        (["34.51"], 30, "lower", S.POOR),
        (["72.24"], 85, "higher", S.POOR),
        # A negative target (complaints −50 %): the margin is on its size.
        ([-55, "-47.4"], -50, "lower", S.GOOD),
        ([-60, "-47.5"], -50, "lower", S.EXCELLENT),
    ],
)
def test_goal_verdict(readings, target, direction, verdict):
    assert goal_verdict(readings, target=target, direction=direction).verdict == verdict


def test_goal_figures():
    result = goal_verdict([29, 31, 28, 30], target=30, direction="lower")
    assert (result.mean, result.min, result.max, result.readings, result.within) == (
        D("29.5"),
        D(28),
        D(31),
        4,
        4,
    )
    assert goal_verdict([], target=30, direction="lower") is None


@pytest.mark.parametrize(
    "verdicts,worst",
    [
        ([S.EXCELLENT, S.EXCELLENT], S.EXCELLENT),
        ([S.EXCELLENT, S.GOOD], S.GOOD),
        ([S.FAIR, S.GOOD, S.EXCELLENT], S.FAIR),
        ([S.GOOD, S.POOR, S.FAIR], S.POOR),
        ([], None),
    ],
)
def test_project_verdict_is_the_worst(verdicts, worst):
    assert project_verdict(verdicts) == worst


@pytest.mark.parametrize(
    "value,target,direction,regression",
    [
        ("34.5", 30, "lower", False),  # exactly 15 % worse: not yet
        ("34.51", 30, "lower", True),
        (20, 30, "lower", False),
        ("72.25", 85, "higher", False),
        ("72.24", 85, "higher", True),
        (99, 85, "higher", False),
    ],
)
def test_regression(value, target, direction, regression):
    assert is_regression(value, target=target, direction=direction) is regression
