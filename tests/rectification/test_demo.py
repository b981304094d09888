"""The demo: the source's case as it happened (seeds/002), a dozen other projects across
levels, states and healths, all written through the services; loading twice adds nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from rectification.models import Project, TrackingAlert

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    out = io.StringIO()
    call_command("load_demo", "--issues", "0", stdout=out)
    return out.getvalue()


def test_the_hangzhou_case(demo):
    case = Project.objects.get(store__code="HZ001", title="客户等待时间过长")
    assert case.number == "REF-2025-001"
    assert (case.level, case.status, case.health) == ("A", "closed", "green")  # closed by part B
    assert case.store.name == "杭州XX 4S店" and case.store.tier == "B"
    assert (case.execution_every_days, case.observation_every_days) == (1, 7)
    logs = list(case.tracking_logs.order_by("date"))
    assert [log.date for log in logs] == [dt.date(2025, 9, d) for d in range(23, 28)]
    assert [log.progress for log in logs] == [20, 40, 60, 80, 100]
    assert [log.day for log in logs] == [1, 2, 3, 4, 5]
    wait, complaints, satisfaction = case.goals.order_by("order")
    assert (wait.baseline, wait.target, wait.direction, wait.core) == (47, 30, "lower", True)
    assert (complaints.baseline, complaints.target, complaints.core) == (4, 2, True)
    assert satisfaction.core is False
    assert [r.value for r in wait.readings.order_by("log__date")] == [42, 38, 33, 31]
    assert [r.value for r in satisfaction.readings.order_by("log__date")] == [75, 78, 82, 84]
    assert [r.value for r in complaints.readings.all()] == [Decimal("1")]
    assert case.whys.count() == 5 and case.root_causes.count() == 4
    assert sorted(case.measures.values_list("kind", flat=True)) == [
        "emergency",
        "root",
        "support",
        "tool",
    ]
    assert set(case.measures.values_list("status", flat=True)) == {"done"}
    assert case.signoffs.count() == 3
    # The history: 9/24's slight delay turned the light yellow, 9/25 green again.
    health = list(case.events.filter(action="health").values_list("data__to", flat=True))
    assert health == ["yellow", "green"]


def test_a_dozen_others_across_levels_states_and_healths(demo):
    others = Project.objects.exclude(title="客户等待时间过长")
    assert others.count() >= 12
    assert set(others.values_list("level", flat=True)) == {"A", "B", "C"}
    assert {"draft", "kicked_off", "executing", "pending_acceptance", "cancelled"} <= set(
        others.values_list("status", flat=True)
    )
    executing = others.filter(status="executing")
    assert set(executing.values_list("health", flat=True)) == {"green", "yellow", "red"}
    # The project whose tracking was missed has its reminder (and escalation) recorded.
    assert TrackingAlert.objects.filter(kind="missed").exists()
    assert TrackingAlert.objects.filter(kind="escalated").exists()


def test_loading_again_adds_nothing(demo):
    before = Project.objects.count()
    out = io.StringIO()
    call_command("load_demo", "--issues", "0", stdout=out)
    assert Project.objects.count() == before
    assert "新增 0 个" in out.getvalue()


def test_the_hangzhou_case_accepted_and_observed(demo):
    """The source's figures: 88 良好 on 9/28, rechecks 29/31/28/30 and 85/84/86/85 → 优秀,
    95 优秀 on 11/1, both scorecards signed by the store manager."""
    from rectification.selectors import (
        latest_acceptance,
        project_sustainability,
        rechecks_done,
        rechecks_planned,
    )

    case = Project.objects.get(store__code="HZ001", title="客户等待时间过长")
    initial, formal = case.acceptances.order_by("date")
    assert (initial.kind, initial.date, initial.total, initial.rating, initial.conclusion) == (
        "initial",
        dt.date(2025, 9, 28),
        Decimal(88),
        "good",
        "pass",
    )
    assert [(g.band, g.score) for g in initial.goals.order_by("goal__order")] == [
        ("met", Decimal(14)),
        ("exceeded", Decimal(18)),
    ]
    assert (formal.kind, formal.date, formal.total, formal.rating, formal.conclusion) == (
        "formal",
        dt.date(2025, 11, 1),
        Decimal(95),
        "excellent",
        "pass",
    )
    assert initial.store_manager.username == "manager_hz001"
    assert formal.store_manager_id is not None
    assert latest_acceptance(case, "formal") == formal
    wait, _complaints, satisfaction = case.goals.order_by("order")
    assert [r.value for r in wait.recheck_readings.order_by("recheck__date")] == [29, 31, 28, 30]
    assert [r.value for r in satisfaction.recheck_readings.order_by("recheck__date")] == [
        85,
        84,
        86,
        85,
    ]
    assert (case.observation_from, case.observation_to) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 10, 31),
    )
    assert (rechecks_done(case), rechecks_planned(case)) == (4, 4)
    verdict = project_sustainability(case)
    assert verdict["verdict"] == "excellent"
    assert {row["verdict"] for row in verdict["goals"]} == {"excellent"}
    assert not case.rebound
