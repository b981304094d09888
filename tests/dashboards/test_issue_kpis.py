"""Issue KPIs computed in the database (DOMAIN.md §9) on hand-built data with known
answers: resolution rate, average resolution time, backlog at a past period's end,
response rate per priority and per department; Beijing-time edges; rejected and
duplicate issues never count; slices; scoping by who asks."""

from decimal import Decimal

import pytest

from dashboards import metrics, periods
from dashboards.metrics import Slices

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db

NOVEMBER = periods.parse({"period": "2026-11"})
OCTOBER = periods.parse({"period": "2026-10"})
AFTER = bj(2026, 12, 15)  # "now" for the tests: both months are over


@pytest.fixture
def november(cast):
    """The hand-built month (see the module docstring of each expectation)."""
    issues = {
        # 00:30 on the 1st, Beijing time (16:30 UTC the day before): November's.
        "A": make_issue(
            cast,
            submitted_at=bj(2026, 11, 1, 0, 30),
            status="resolved",
            resolved_at=bj(2026, 11, 5, 0, 30),
        ),
        # 23:50 on October 31: October's, resolved in November after 2 days.
        "B": make_issue(
            cast,
            submitted_at=bj(2026, 10, 31, 23, 50),
            status="closed",
            resolved_at=bj(2026, 11, 2, 23, 50),
            closed_at=bj(2026, 11, 9, 23, 50),
        ),
        "C": make_issue(cast, submitted_at=bj(2026, 11, 10, 10), status="in_progress"),
        # Resolved only after the month ended: open at November's end.
        "D": make_issue(
            cast,
            submitted_at=bj(2026, 11, 15, 9),
            status="resolved",
            resolved_at=bj(2026, 12, 2, 9),
        ),
        "E": make_issue(
            cast,
            submitted_at=bj(2026, 11, 20, 9),
            status="closed",
            resolved_at=bj(2026, 11, 22, 9),
            closed_at=bj(2026, 11, 25, 9),
        ),
        # Rejected and duplicate: never counted, wherever their dates fall.
        "F": make_issue(
            cast, submitted_at=bj(2026, 11, 3, 9), status="rejected", closed_at=bj(2026, 11, 3, 10)
        ),
        "G": make_issue(
            cast, submitted_at=bj(2026, 11, 4, 9), status="duplicate", closed_at=bj(2026, 11, 4, 10)
        ),
        "H": make_issue(cast, submitted_at=bj(2026, 9, 1, 9), status="waiting_for_store"),
        "I": make_issue(
            cast,
            submitted_at=bj(2026, 9, 2, 9),
            status="closed",
            resolved_at=bj(2026, 10, 10, 9),
            closed_at=bj(2026, 10, 17, 9),
        ),
    }
    return issues


def kpis(user, *period_list, slices=None, now=AFTER):
    return metrics.issue_kpis(metrics.counted_issues(user, slices), list(period_list), now=now)


def test_resolution_rate_average_time_and_backlog(cast, november):
    nov, octo = kpis(cast.lead, NOVEMBER, OCTOBER)
    # Submitted in November: A, C, D, E (F and G are rejected/duplicate, B is October's).
    assert nov.submitted == 4
    # Resolved or closed at November's end: A and E (D only in December).
    assert nov.solved == 2
    assert nov.resolution_rate == Decimal("0.5")
    # Resolved in November: A (4 days), B (2 days), E (2 days) → 8 / 3.
    assert nov.resolved == 3
    assert nov.avg_resolution_days == Decimal("2.67")
    # Open at December 1, 00:00 Beijing: C, D (resolved later) and H.
    assert nov.backlog == 3
    # October: only B submitted, not resolved by the end → 0 %; open at its end: B and H.
    assert (octo.submitted, octo.solved, octo.backlog) == (1, 0, 2)
    assert octo.resolution_rate == Decimal(0)
    # I was resolved in October: October's average is its 38 days.
    assert octo.avg_resolution_days == Decimal("38.00")


def test_an_issue_at_half_past_midnight_on_the_first_belongs_to_the_new_month(cast):
    make_issue(cast, submitted_at=bj(2026, 11, 1, 0, 30))
    nov, octo = kpis(cast.lead, NOVEMBER, OCTOBER)
    assert (nov.submitted, octo.submitted) == (1, 0)
    # …and it was not open at October's end.
    assert octo.backlog == 0 and nov.backlog == 1


def test_rejected_and_duplicate_never_count(cast):
    for status in ("rejected", "duplicate"):
        make_issue(
            cast,
            submitted_at=bj(2026, 11, 2),
            status=status,
            priority="P1",
            closed_at=bj(2026, 11, 2, 1),
            response_due_at=bj(2026, 11, 3),
        )
    (nov,) = kpis(cast.lead, NOVEMBER)
    assert (nov.submitted, nov.backlog, nov.resolved) == (0, 0, 0)
    assert nov.response["P1"].due == 0
    assert metrics.department_response(metrics.counted_issues(cast.lead), NOVEMBER, now=AFTER) == []


def test_response_rate_per_priority_uses_the_stored_due_times(cast):
    org = cast.org
    # P1, IT: answered before its due time → met.
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 9, 10),
        priority="P1",
        response_due_at=bj(2026, 11, 10, 10),
        first_response_at=bj(2026, 11, 10, 9),
    )
    # P1, IT: answered exactly at the due time → met (in time means not after).
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 9, 10),
        priority="P1",
        response_due_at=bj(2026, 11, 10, 10),
        first_response_at=bj(2026, 11, 10, 10),
    )
    # P1, IT: answered late → not met.
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 11),
        priority="P1",
        response_due_at=bj(2026, 11, 12),
        first_response_at=bj(2026, 11, 13),
    )
    # P1, IT: never answered, fell due → not met.
    make_issue(cast, submitted_at=bj(2026, 11, 13), priority="P1", response_due_at=bj(2026, 11, 14))
    # P1 whose response falls due in December: not November's.
    make_issue(
        cast, submitted_at=bj(2026, 11, 30, 20), priority="P1", response_due_at=bj(2026, 12, 1, 20)
    )
    # Waiting for triage: its clock runs on the suggested priority (P0), no department yet.
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 5, 9),
        priority="",
        suggested_priority="P0",
        department=None,
        status="submitted",
        response_due_at=bj(2026, 11, 5, 10),
        first_response_at=bj(2026, 11, 5, 9, 30),
    )
    # P2, supply chain, met.
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 6),
        priority="P2",
        department=org.supply,
        response_due_at=bj(2026, 11, 8),
        first_response_at=bj(2026, 11, 7),
    )
    (nov,) = kpis(cast.lead, NOVEMBER)
    assert (nov.response["P1"].due, nov.response["P1"].met) == (4, 2)
    assert nov.response_rate("P1") == Decimal("0.5")
    assert (nov.response["P0"].due, nov.response["P0"].met) == (1, 1)
    assert nov.response_rate("P2") == Decimal(1)
    assert nov.response_rate("P3") is None  # nothing fell due: no rate, not 0 %

    departments = metrics.department_response(
        metrics.counted_issues(cast.lead), NOVEMBER, now=AFTER
    )
    by_code = {d.code: d for d in departments}
    # The untriaged P0 has no department yet: it is nobody's response rate.
    assert set(by_code) == {"IT", "SCM"}
    assert (by_code["IT"].due, by_code["IT"].met, by_code["IT"].rate) == (4, 2, Decimal("0.5"))
    assert by_code["IT"].by_priority["P1"].rate == Decimal("0.5")
    assert by_code["SCM"].rate == Decimal(1)


def test_while_the_period_runs_only_what_has_fallen_due_counts(cast):
    make_issue(cast, submitted_at=bj(2026, 11, 9), priority="P1", response_due_at=bj(2026, 11, 10))
    make_issue(cast, submitted_at=bj(2026, 11, 19), priority="P1", response_due_at=bj(2026, 11, 20))
    (nov,) = kpis(cast.lead, NOVEMBER, now=bj(2026, 11, 18))
    # The second is not due yet on the 18th: it is not a miss (yet).
    assert nov.response["P1"].due == 1


def test_slices(cast):
    org = cast.org
    make_issue(cast, submitted_at=bj(2026, 11, 2), store=org.hangzhou, category="system")  # EAST, B
    make_issue(cast, submitted_at=bj(2026, 11, 2), store=org.ningbo, category="process")  # EAST, A
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 2),
        store=org.guangzhou,
        category="system",
        department=org.supply,
    )  # SOUTH, C
    cases = [
        (Slices(), 3),
        (Slices(region="EAST"), 2),
        (Slices(region="SOUTH"), 1),
        (Slices(tier="A"), 1),
        (Slices(tier="C"), 1),
        (Slices(department="SCM"), 1),
        (Slices(department="IT"), 2),
        (Slices(category="system"), 2),
        (Slices(region="EAST", category="system"), 1),
    ]
    for slices, expected in cases:
        (nov,) = kpis(cast.lead, NOVEMBER, slices=slices)
        assert nov.submitted == expected, slices


def test_slices_refuse_unknown_codes_by_name(cast):
    from closedloop.errors import DomainError

    for params, field in [
        ({"region": "MARS"}, "region"),
        ({"tier": "Z"}, "tier"),
        ({"department": "NOPE"}, "department"),
        ({"category": "weather"}, "category"),
    ]:
        with pytest.raises(DomainError) as caught:
            Slices.from_params(params)
        assert field in caught.value.errors
    assert Slices.from_params({"region": "EAST", "tier": "B"}) == Slices(region="EAST", tier="B")


def test_scoped_by_who_asks(cast):
    org = cast.org
    make_issue(cast, submitted_at=bj(2026, 11, 2), store=org.hangzhou)  # EAST, IT
    make_issue(
        cast,
        submitted_at=bj(2026, 11, 2),
        store=org.ningbo,
        department=org.supply,
        submitted_by=cast.neighbour,
    )
    make_issue(
        cast, submitted_at=bj(2026, 11, 2), store=org.guangzhou, submitted_by=cast.far_manager
    )
    expected = {
        "lead": 3,
        "executive": 3,
        "director": 2,  # 华东: Hangzhou and Ningbo
        "ops": 2,  # his two stores
        "head": 2,  # IT's issues: Hangzhou and Guangzhou
        "scm_head": 1,
        "manager": 1,  # his store
        "outsider": 0,
    }
    for who, count in expected.items():
        (nov,) = kpis(getattr(cast, who), NOVEMBER)
        assert nov.submitted == count, who


def test_the_aggregate_is_one_query_whatever_the_number_of_periods(
    cast, november, django_assert_num_queries
):
    issues = metrics.counted_issues(cast.lead)
    with django_assert_num_queries(1):
        metrics.issue_kpis(issues, periods.series(NOVEMBER, 12), now=AFTER)


def test_category_pareto_and_resolution_distribution(cast):
    for category, n in (("system", 3), ("supply_chain", 2), ("people", 1)):
        for _i in range(n):
            make_issue(cast, submitted_at=bj(2026, 11, 5), category=category)
    make_issue(cast, submitted_at=bj(2026, 11, 5), category="process", status="rejected")
    pareto = metrics.category_pareto(metrics.counted_issues(cast.lead), NOVEMBER)
    assert [(r["category"], r["count"]) for r in pareto] == [
        ("system", 3),
        ("supply_chain", 2),
        ("people", 1),
    ]
    assert pareto[0]["share"] == Decimal("0.5")
    assert pareto[1]["cumulative"] == Decimal(5) / Decimal(6)
    assert pareto[-1]["cumulative"] == Decimal(1)

    start = bj(2026, 11, 1, 8)
    for days in (0.5, 1, 2, 10, 31):
        make_issue(
            cast,
            submitted_at=start,
            status="resolved",
            resolved_at=start + __import__("datetime").timedelta(days=days),
        )
    buckets = {
        r["bucket"]: r["count"]
        for r in metrics.resolution_distribution(metrics.counted_issues(cast.lead), NOVEMBER)
    }
    # ≤1 day: 0.5 and exactly 1; 1–3: 2; 7–15: 10; >30: 31 (resolved December 2: not November's).
    assert buckets == {"d1": 2, "d3": 1, "d7": 0, "d15": 1, "d30": 0, "more": 0}


def test_systemic_counts_as_the_source_counts_them(cast):
    from issues.models import SystemicIssue

    for status, n in (("identified", 4), ("in_progress", 1), ("pushed", 2), ("landed", 5)):
        for i in range(n):
            SystemicIssue.objects.create(title=f"{status}{i}", status=status)
    counts = metrics.systemic_counts(cast.lead)
    # 12 identified, 8 pushed to HQ, 5 landed, 3 still being pushed (the source's figures).
    assert counts == {"identified": 12, "pushed": 8, "landed": 5, "in_progress": 3}
    assert metrics.systemic_counts(cast.manager)["identified"] == 0
