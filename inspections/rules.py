"""The arithmetic and the rules of inspections, as plain functions over plain values (no
database), so that each boundary is tested directly.

Weighted score (0–100)
    Every checklist item i has a weight wᵢ > 0 and a fraction fᵢ ∈ [0, 1]:
    a score item scores sᵢ out of its maximum mᵢ, fᵢ = sᵢ / mᵢ; a pass/fail item counts
    its full weight when passed (fᵢ = 1) and nothing when failed (fᵢ = 0).
    score = 100 × Σ wᵢ·fᵢ / Σ wᵢ over the items with a result, rounded half up to one
    decimal. An issued inspection has a result for every item, so the sum runs over the
    whole template version. A section's score is the same sum over its items.
    Example: a score item 8/10 with weight 2, a passed item with weight 1 and a failed
    one with weight 1: 100 × (2·0.8 + 1 + 0) / 4 = 65.0.

Failed items
    A pass/fail item marked 不合格, or a score item below 60 % of its maximum. The
    acceptance re-inspection rescores these and only these; the acceptance score is the
    same weighted score with each rescored item's new value in place of the old.

Acceptance (效果验收, source 步骤4)
    passes when high-priority findings are 100 % solved, medium ones ≥ 80 % solved (none
    of a priority counts as met), and every core metric is ≥ 20 % better than its
    baseline or at its standard; at least one core metric with a reading is needed.
    Improvement: (baseline − current) / baseline when lower is better, (current −
    baseline) / baseline when higher is better (a zero baseline: only the standard counts).

Closure (闭环, source 六): all five necessary conditions and at least two of the four
sufficient ones. Risk on the board: red below 50 % completion, else yellow when the
store needs support, else green; no findings is 100 % complete."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import (
    ACCEPT_HIGH_SOLVED,
    ACCEPT_MEDIUM_SOLVED,
    ACCEPT_METRIC_IMPROVEMENT,
    PASS_SHARE,
    RED_BELOW,
    SUFFICIENT_NEEDED,
    Direction,
    FindingStatus,
    ItemKind,
    Priority,
    Risk,
)

ONE_DECIMAL = Decimal("0.1")


# --- weighted score ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One item's result as the arithmetic needs it."""

    kind: str
    weight: Decimal
    max_score: Decimal | None = None
    score: Decimal | None = None
    passed: bool | None = None

    @property
    def has_result(self) -> bool:
        return (
            self.passed is not None if self.kind == ItemKind.PASS_FAIL else self.score is not None
        )

    @property
    def fraction(self) -> Fraction:
        if self.kind == ItemKind.PASS_FAIL:
            return Fraction(1 if self.passed else 0)
        return Fraction(Decimal(self.score)) / Fraction(Decimal(self.max_score))


def weighted_score(items: Iterable[Scored]) -> Decimal | None:
    """100 × Σ w·f / Σ w over the items with a result; None when none has one."""
    earned, total = Fraction(0), Fraction(0)
    for item in items:
        if not item.has_result:
            continue
        weight = Fraction(Decimal(item.weight))
        earned += weight * item.fraction
        total += weight
    if total == 0:
        return None
    value = 100 * earned / total
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def is_failed(item: Scored) -> bool:
    """不合格: a failed pass/fail item, or a score below 60 % of the maximum."""
    if not item.has_result:
        return False
    if item.kind == ItemKind.PASS_FAIL:
        return item.passed is False
    return Fraction(Decimal(item.score)) < Fraction(PASS_SHARE) * Fraction(Decimal(item.max_score))


# --- acceptance -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A core metric at acceptance."""

    name: str
    direction: str
    baseline: Decimal
    current: Decimal | None
    standard: Decimal | None = None

    @property
    def improvement(self) -> Fraction | None:
        if self.current is None or self.baseline == 0:
            return None
        baseline, current = Fraction(Decimal(self.baseline)), Fraction(Decimal(self.current))
        change = baseline - current if self.direction == Direction.LOWER else current - baseline
        return change / abs(baseline)

    @property
    def at_standard(self) -> bool:
        if self.current is None or self.standard is None:
            return False
        if self.direction == Direction.LOWER:
            return self.current <= self.standard
        return self.current >= self.standard

    @property
    def met(self) -> bool:
        improvement = self.improvement
        return self.at_standard or (
            improvement is not None and improvement >= Fraction(ACCEPT_METRIC_IMPROVEMENT)
        )


@dataclass
class Check:
    key: str
    label: str
    met: bool
    detail: str = ""


@dataclass
class Verdict:
    passed: bool
    checks: list[Check] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "checks": [
                {"key": c.key, "label": str(c.label), "met": c.met, "detail": c.detail}
                for c in self.checks
            ],
        }

    @property
    def unmet(self) -> list[Check]:
        return [c for c in self.checks if not c.met]


def percent(value: Fraction | Decimal | float | None) -> str:
    if value is None:
        return "—"
    number = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(str(value))
    )
    return f"{(number * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def solved_share(statuses: Sequence[str]) -> Fraction | None:
    if not statuses:
        return None
    return Fraction(sum(1 for s in statuses if s == FindingStatus.SOLVED), len(statuses))


ACCEPTANCE_LABELS = {
    "high": gettext_lazy("高优先级问题 100% 解决"),
    "medium": gettext_lazy("中优先级问题 ≥ 80% 解决"),
    "metrics": gettext_lazy("核心指标改善 ≥ 20%（或达到标准）"),
}


def _priority_check(key: str, statuses: Sequence[str], needed: Decimal) -> Check:
    share = solved_share(statuses)
    solved = sum(1 for s in statuses if s == FindingStatus.SOLVED)
    if share is None:
        return Check(key, ACCEPTANCE_LABELS[key], True, _("无此类问题"))
    return Check(
        key,
        ACCEPTANCE_LABELS[key],
        share >= Fraction(needed),
        f"{solved}/{len(statuses)}（{percent(share)}）",
    )


def metrics_check(readings: Sequence[Reading]) -> Check:
    label = ACCEPTANCE_LABELS["metrics"]
    if not readings:
        return Check("metrics", label, False, _("尚未设置核心指标"))
    parts, met = [], True
    for r in readings:
        if r.current is None:
            parts.append(_("%(m)s 尚无验收读数") % {"m": r.name})
            met = False
            continue
        improvement = r.improvement
        text = f"{r.name} {r.baseline.normalize():f} → {r.current.normalize():f}"
        if improvement is not None:
            text += f"（{'+' if improvement >= 0 else ''}{percent(improvement)}）"
        if r.at_standard:
            text += _("，达到标准")
        parts.append(text)
        met = met and r.met
    return Check("metrics", label, met, "；".join(parts))


def acceptance(findings: Iterable[tuple[str, str]], readings: Sequence[Reading]) -> Verdict:
    """``findings``: (priority, status) pairs; ``readings``: the core metrics."""
    findings = list(findings)
    checks = [
        _priority_check("high", [s for p, s in findings if p == Priority.HIGH], ACCEPT_HIGH_SOLVED),
        _priority_check(
            "medium", [s for p, s in findings if p == Priority.MEDIUM], ACCEPT_MEDIUM_SOLVED
        ),
        metrics_check(readings),
    ]
    return Verdict(all(c.met for c in checks), checks)


# --- closure ----------------------------------------------------------------------------

NECESSARY_LABELS = {
    "high_solved": gettext_lazy("高优先级问题 100% 解决"),
    "metrics_improved": gettext_lazy("核心指标改善 ≥ 20%（或达到标准）"),
    "new_habits": gettext_lazy("改进措施已形成新的工作习惯"),
    "report_archived": gettext_lazy("验收报告已完成并归档"),
    "experience_captured": gettext_lazy("优秀经验已沉淀为案例"),
}
SUFFICIENT_LABELS = {
    "store_shares": gettext_lazy("门店主动分享改进经验"),
    "others_learn": gettext_lazy("其他门店主动学习该门店做法"),
    "in_standard": gettext_lazy("改进措施被纳入标准流程"),
    "sustained": gettext_lazy("门店在下一次巡检中保持改进成果"),
}


@dataclass
class ClosureVerdict:
    necessary: list[Check]
    sufficient: list[Check]

    @property
    def necessary_met(self) -> bool:
        return all(c.met for c in self.necessary)

    @property
    def sufficient_count(self) -> int:
        return sum(1 for c in self.sufficient if c.met)

    @property
    def closable(self) -> bool:
        return self.necessary_met and self.sufficient_count >= SUFFICIENT_NEEDED

    def as_dict(self) -> dict:
        def rows(checks):
            return [{"key": c.key, "label": str(c.label), "met": c.met} for c in checks]

        return {
            "closable": self.closable,
            "necessary": rows(self.necessary),
            "sufficient": rows(self.sufficient),
            "sufficient_met": self.sufficient_count,
            "sufficient_needed": SUFFICIENT_NEEDED,
        }


def closure(necessary: dict[str, bool], sufficient: dict[str, bool]) -> ClosureVerdict:
    """All five ``necessary`` conditions and ≥ 2 of the four ``sufficient`` ones."""
    return ClosureVerdict(
        necessary=[Check(k, NECESSARY_LABELS[k], bool(necessary.get(k))) for k in NECESSARY_LABELS],
        sufficient=[
            Check(k, SUFFICIENT_LABELS[k], bool(sufficient.get(k))) for k in SUFFICIENT_LABELS
        ],
    )


# --- the board --------------------------------------------------------------------------


def completion_rate(findings: int, solved: int) -> Fraction:
    """Solved ÷ findings; an inspection without findings is complete."""
    return Fraction(1) if findings == 0 else Fraction(solved, findings)


def risk(findings: int, solved: int, needs_support: bool) -> str:
    if completion_rate(findings, solved) < Fraction(RED_BELOW):
        return Risk.RED
    if needs_support:
        return Risk.YELLOW
    return Risk.GREEN
