"""The pure functions of the board (DOMAIN.md §6, §9): achievement rate in both
directions and both methods, deviation classes at their boundaries, trend arrows
coloured by direction — with the source's own figures."""

from decimal import Decimal

import pytest

from dashboards import formatting
from dashboards.kpi import achievement_rate, deviation, percent, ratio, trend

# (current, target, baseline, direction, method, expected achievement in whole percent)
SOURCE_CHECKS = [
    # 问题解决率 58% → 85%, now 82% → 96 %
    (0.82, 0.85, 0.58, "higher", "standard", 96),
    # 平均解决时长 45 → 15 days, now 18 → 90 %
    (18, 15, 45, "lower", "standard", 90),
    # 待解决问题数 1200 → 300, now 380 → 91 %
    (380, 300, 1200, "lower", "standard", 91),
    # 门店NPS 48 → 65, now 62 → 95 %
    (62, 65, 48, "higher", "standard", 95),
    # 门店满意度 35 → 75, now 77 → 103 %
    (77, 75, 35, "higher", "standard", 103),
]


@pytest.mark.parametrize(
    ("current", "target", "baseline", "direction", "method", "want"), SOURCE_CHECKS
)
def test_the_sources_board(current, target, baseline, direction, method, want):
    rate = achievement_rate(
        current=current, target=target, baseline=baseline, direction=direction, method=method
    )
    assert percent(rate) == want


@pytest.mark.parametrize(
    ("kwargs", "want"),
    [
        # higher is better: current / target, the baseline plays no part
        ({"current": 45, "target": 50, "direction": "higher"}, Decimal("0.9")),
        ({"current": 45, "target": 50, "baseline": 10, "direction": "higher"}, Decimal("0.9")),
        ({"current": 60, "target": 50, "direction": "higher"}, Decimal("1.2")),
        # lower is better with a baseline: (baseline − current) / (baseline − target)
        ({"current": 31, "target": 30, "baseline": 47, "direction": "lower"}, Decimal(16) / 17),
        ({"current": 47, "target": 30, "baseline": 47, "direction": "lower"}, Decimal(0)),
        ({"current": 25, "target": 30, "baseline": 47, "direction": "lower"}, Decimal(22) / 17),
        # lower is better without a baseline: target / current
        ({"current": 40, "target": 30, "direction": "lower"}, Decimal("0.75")),
        # progress, either direction: (current − baseline) / (target − baseline)
        (
            {
                "current": 0.82,
                "target": 0.85,
                "baseline": 0.58,
                "direction": "higher",
                "method": "progress",
            },
            Decimal("0.24") / Decimal("0.27"),
        ),
        (
            {
                "current": 18,
                "target": 15,
                "baseline": 45,
                "direction": "lower",
                "method": "progress",
            },
            Decimal("0.9"),
        ),
    ],
)
def test_achievement_rate_table(kwargs, want):
    assert achievement_rate(**kwargs) == want


@pytest.mark.parametrize(
    "kwargs",
    [
        {"current": None, "target": 1},
        {"current": 1, "target": None},
        {"current": 5, "target": 0, "direction": "higher"},
        {"current": 0, "target": 3, "direction": "lower"},  # target / 0
        {"current": 5, "target": 30, "baseline": 30, "direction": "lower"},
        {"current": 5, "target": 3, "direction": "higher", "method": "progress"},  # no baseline
        {"current": 5, "target": 3, "baseline": 3, "method": "progress"},
    ],
)
def test_achievement_rate_is_none_when_it_cannot_be_computed(kwargs):
    assert achievement_rate(**kwargs) is None


@pytest.mark.parametrize(
    ("rate", "want"),
    [
        (Decimal("1.20"), "normal"),
        (Decimal("1"), "normal"),
        (Decimal("0.96"), "normal"),
        (Decimal("0.95"), "normal"),  # shortfall exactly 5 %: still 正常
        (0.95, "normal"),  # the same from a float (no binary noise)
        (Decimal("0.9499"), "controllable"),
        (Decimal("0.90"), "controllable"),
        (Decimal("0.85"), "controllable"),  # exactly 15 %: 可控
        (Decimal("0.8499"), "major"),
        (Decimal("0"), "major"),
        (None, None),
    ],
)
def test_deviation_classes(rate, want):
    assert deviation(rate) == want


def test_the_sources_deviations():
    assert deviation(achievement_rate(current=0.82, target=0.85, baseline=0.58)) == "normal"
    assert deviation(achievement_rate(current=18, target=15, baseline=45, direction="lower")) == (
        "controllable"
    )
    assert deviation(
        achievement_rate(current=380, target=300, baseline=1200, direction="lower")
    ) == ("controllable")


@pytest.mark.parametrize(
    ("current", "previous", "direction", "arrow", "tone"),
    [
        (0.82, 0.58, "higher", "up", "good"),  # resolution rate rises: green
        (0.50, 0.58, "higher", "down", "bad"),
        (18, 45, "lower", "down", "good"),  # days fall: green
        (380, 1200, "lower", "down", "good"),  # backlog falls: green
        (400, 380, "lower", "up", "bad"),  # backlog grows: red
        (3, 3, "lower", "flat", "neutral"),
        (None, 3, "higher", "flat", "neutral"),
        (3, None, "higher", "flat", "neutral"),
    ],
)
def test_trend_is_coloured_by_direction(current, previous, direction, arrow, tone):
    result = trend(current=current, previous=previous, direction=direction)
    assert (result.trend, result.tone) == (arrow, tone)


def test_trend_delta_and_its_writing():
    up = trend(current=Decimal("0.82"), previous=Decimal("0.58"))
    assert up.delta == Decimal("0.24") and up.arrow == "↑"
    assert formatting.delta(up.delta, "rate") == "+24pp"
    down = trend(current=18, previous=45, direction="lower")
    assert formatting.delta(down.delta, "days") == "−27 天"
    assert formatting.delta(Decimal(-820), "count") == "−820"


def test_percent_rounds_half_up_and_ratio_guards_zero():
    assert percent(Decimal("0.905")) == 91
    assert percent(Decimal("0.9647")) == 96
    assert percent(None) is None
    assert ratio(3, 4) == Decimal("0.75")
    assert ratio(0, 0) is None
