"""The weighted 0–100 score (inspections/rules.py): score items count score ÷ maximum of
their weight, pass/fail items their full weight when passed and nothing when failed;
rounded half up to one decimal. The report fixes it; sections have their own."""

from decimal import Decimal

import pytest

from inspections import rules, services
from inspections.rules import Scored

from .helpers import perform

D = Decimal


def test_score_and_pass_fail_items_together():
    items = [
        Scored("score", D(2), D(10), score=D(8)),  # 2 × 0.8
        Scored("pass_fail", D(1), passed=True),  # 1 × 1
        Scored("pass_fail", D(1), passed=False),  # 1 × 0
    ]
    assert rules.weighted_score(items) == D("65.0")


def test_full_marks_and_nothing():
    assert rules.weighted_score([Scored("score", D(3), D(5), score=D(5))]) == D("100.0")
    assert rules.weighted_score([Scored("pass_fail", D(3), passed=False)]) == D("0.0")


def test_a_failed_pass_fail_item_costs_its_whole_weight():
    passed = [Scored("score", D(1), D(10), score=D(10)), Scored("pass_fail", D(3), passed=True)]
    failed = [Scored("score", D(1), D(10), score=D(10)), Scored("pass_fail", D(3), passed=False)]
    assert rules.weighted_score(passed) == D("100.0")
    assert rules.weighted_score(failed) == D("25.0")  # 1 of 4 weight units


def test_items_without_a_result_do_not_count_and_none_gives_none():
    assert rules.weighted_score([Scored("score", D(1), D(10))]) is None
    items = [Scored("score", D(1), D(10), score=D(5)), Scored("pass_fail", D(5))]
    assert rules.weighted_score(items) == D("50.0")


def test_rounding_is_half_up_to_one_decimal():
    # 2/3 of 100 = 66.666… → 66.7; 1/8 = 12.5 exactly; 0.05 share → 5.0
    assert rules.weighted_score([Scored("score", D(1), D(3), score=D(2))]) == D("66.7")
    assert rules.weighted_score([Scored("score", D(1), D(8), score=D(1))]) == D("12.5")
    # 100 × 1/16 = 6.25 → 6.3 (half up, not banker's 6.2)
    assert rules.weighted_score([Scored("score", D(1), D(16), score=D(1))]) == D("6.3")


def test_fractional_weights_and_scores():
    items = [
        Scored("score", D("1.5"), D("4"), score=D("3.5")),  # 1.5 × 0.875 = 1.3125
        Scored("pass_fail", D("0.5"), passed=True),  # 0.5
    ]
    # 100 × 1.8125 / 2 = 90.625 → 90.6
    assert rules.weighted_score(items) == D("90.6")


def test_failed_items_are_below_60_percent_or_not_passed():
    assert rules.is_failed(Scored("score", D(1), D(10), score=D("5.99")))
    assert not rules.is_failed(Scored("score", D(1), D(10), score=D(6)))
    assert rules.is_failed(Scored("pass_fail", D(1), passed=False))
    assert not rules.is_failed(Scored("pass_fail", D(1), passed=True))
    assert not rules.is_failed(Scored("score", D(1), D(10)))  # not scored yet


@pytest.mark.django_db
def test_the_issued_report_carries_the_weighted_score_of_the_default_checklist(
    cast, settings, tmp_path
):
    """The default checklist weighs 23 units: 14 on score items, 9 on pass/fail ones."""
    settings.MEDIA_ROOT = tmp_path
    # pe_training (pass/fail, weight 2) fails; pr_progress (weight 3) scores 5/10.
    inspection = perform(cast, pe_training=False, pr_progress=5)
    # lost: 2 × 1 + 3 × 0.5 = 3.5 of 23 → 100 × 19.5 / 23 = 84.78… → 84.8
    assert inspection.score == D("84.8")
    sections = dict(services.section_scores(inspection))
    assert sections["人员能力"] == D("60.0")  # 2 + 1 of 5 units (pe_training lost)
    assert sections["流程执行"] == D("81.3")  # 6.5 of 8 units = 81.25 → 81.3
    assert sections["硬件设施"] == D("100.0")
    assert [i.key for i in services.failed_items(inspection)] == ["pr_progress", "pe_training"]
