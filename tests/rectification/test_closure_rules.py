"""The closure checklist's pure rules (DOMAIN.md §7, tool 4): a step's state from its
items, the verdict from the seven states, the closure level on the source's ladder."""

import pytest

from rectification.closure import LADDER, STEPS, closable, level, step_state, verdict

C, P, N = "complete", "partial", "not_done"


@pytest.mark.parametrize(
    ("done", "state"),
    [
        ([True, True, True, True], C),
        ([True], C),
        ([True, False, True], P),
        ([False, False, True], P),
        ([False, False, False], N),
        ([False], N),
        ([], N),
    ],
)
def test_step_state(done, state):
    assert step_state(done) == state


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([C] * 7, "full"),  # 完全闭环: 7 steps complete
        ([C] * 5 + [P, P], "basic"),  # 基本闭环: 1–5 complete, 6–7 partial
        ([C] * 5 + [C, P], "basic"),
        ([C] * 5 + [P, C], "basic"),
        ([C] * 5 + [C, N], "open"),  # step 7 missing
        ([C] * 5 + [N, C], "open"),  # step 6 missing
        ([C] * 5 + [N, N], "open"),
        ([C] * 4 + [P, C, C], "open"),  # step 5 only partial
        ([P] + [C] * 6, "open"),  # step 1 partial
        ([C, C, N, C, C, C, C], "open"),  # step 3 missing
        ([N] * 7, "open"),
    ],
)
def test_verdict(states, expected):
    assert verdict(states) == expected
    assert closable(expected) == (expected in ("full", "basic"))


def test_verdict_needs_seven_states():
    with pytest.raises(ValueError):
        verdict([C] * 6)


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([N] * 7, 0),
        ([P] + [C] * 6, 0),  # the ladder starts at 验收通过
        ([C] + [N] * 6, 80),
        ([C, C, P, C, C, C, C], 80),  # observation not confirmed: rungs above stay empty
        ([C, C, C] + [N] * 4, 85),
        ([C] * 4 + [N] * 3, 90),
        ([C] * 5 + [P, P], 90),  # 基本闭环: experience not shared yet
        ([C] * 6 + [P], 95),
        ([C] * 6 + [N], 95),
        ([C] * 7, 100),
    ],
)
def test_level(states, expected):
    assert level(states) == expected


def test_the_source_form():
    """Tool 4's seven steps, in order, with its item counts; the ladder 80 → 100."""
    assert [(s.step, str(s.title), len(s.items)) for s in STEPS] == [
        (1, "验收通过确认", 5),
        (2, "持续观察期设定", 4),
        (3, "效果持续性确认", 3),
        (4, "根因消除确认", 3),
        (5, "经验总结提炼", 3),
        (6, "知识共享传播", 4),
        (7, "机制优化改进", 4),
    ]
    assert [points for points, _steps, _label in LADDER] == [80, 85, 90, 95, 100]
    auto = [i.key for s in STEPS for i in s.items if i.auto]
    assert auto == [
        "acceptance_result",
        "period_set",
        "recheck_plan",
        "rechecks_done",
        "trend",
        "case_written",
    ]
