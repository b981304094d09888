"""The SLA escalation ladder (DOMAIN.md §3, §9): at 50 % and 75 % of a clock the owner is
warned, at 100 % the department head and the store's ops specialists, at 200 % the quality
lead — in calendar hours (P0, P1) or working hours (P2, P3: Mon–Fri 09:00–18:00 Shanghai,
holidays off, make-up days on), stopped while the issue waits for the store.

Driven the way operations and beat drive it: ``closedloop.core.jobs.run("sla_sweep", at)`` and
``manage.py run_job sla_sweep --at …``."""

import io
import json

import pytest
from django.core.management import call_command

from closedloop.core import jobs
from closedloop.notifications.models import Notification
from issues import services
from issues.models import CalendarDay, EscalationLevel, SlaAlert, SlaMilestone
from issues.sla import invalidate_calendar_cache
from tests.celery_fixtures import seed_reference_data
from tests.factories import at, new_issue, to_triaged

MON = (2026, 11, 23)  # a Monday; 2026-11-23..27 has no holiday


@pytest.fixture(autouse=True)
def ladder(db):
    seed_reference_data()  # default levels 50/75/100/200 and the 2026 calendar
    invalidate_calendar_cache()
    yield
    invalidate_calendar_cache()  # the rows this test added are rolled back


def sweep(when) -> dict:
    return jobs.run("sla_sweep", when)


def sweep_command(when) -> dict:
    out = io.StringIO()
    call_command("run_job", "sla_sweep", "--at", when.isoformat(), stdout=out)
    return json.loads(out.getvalue())


def fired(issue) -> set[tuple[str, int]]:
    return set(SlaAlert.objects.filter(issue=issue).values_list("clock", "percent"))


def told(issue, percent: int, clock: str = "response") -> set[str]:
    """Who was notified of this rung (in-app inbox; e-mail and bots follow the inbox)."""
    return set(
        Notification.objects.filter(dedupe_key=f"sla:{issue.pk}:{clock}:{percent}").values_list(
            "recipient__username", flat=True
        )
    )


def milestones(issue, clock: str = "response") -> dict[int, object]:
    return dict(
        SlaMilestone.objects.filter(issue=issue, clock=clock).values_list("percent", "due_at")
    )


def p1_assigned(cast, **fields):
    """A P1 issue submitted Monday 10:00, triaged and assigned to a department member."""
    issue = new_issue(cast, impact_scope="region", when=at(*MON, 10, 0), **fields)
    issue = to_triaged(cast, issue, at(*MON, 10, 5), "P1")
    return services.assign(issue=issue, actor=cast.head, assignee=cast.member, at=at(*MON, 10, 10))


# --------------------------------------------------------------------------- calendar hours


def test_p1_ladder_in_calendar_hours(cast):
    issue = p1_assigned(cast)
    # P1 answers in 24 calendar hours: 50 % = 12 h, 75 % = 18 h, 100 %, 200 % = 48 h.
    assert issue.response_due_at == at(2026, 11, 24, 10, 0)
    assert milestones(issue) == {
        50: at(2026, 11, 23, 22, 0),
        75: at(2026, 11, 24, 4, 0),
        100: at(2026, 11, 24, 10, 0),
        200: at(2026, 11, 25, 10, 0),
    }

    assert sweep(at(2026, 11, 23, 21, 59)) == {"alerts": 0, "notifications": 0}
    assert fired(issue) == set()

    assert sweep_command(at(2026, 11, 23, 22, 0))["alerts"] == 1
    assert fired(issue) == {("response", 50)}
    assert told(issue, 50) == {"member"}  # the assignee

    assert sweep(at(2026, 11, 24, 3, 59))["alerts"] == 0
    assert sweep(at(2026, 11, 24, 4, 0))["alerts"] == 1
    assert told(issue, 75) == {"member"}

    assert sweep_command(at(2026, 11, 24, 10, 0))["alerts"] == 1
    assert told(issue, 100) == {"head", "ops"}  # department head + the store's ops

    assert sweep(at(2026, 11, 25, 9, 59))["alerts"] == 0
    assert sweep(at(2026, 11, 25, 10, 0))["alerts"] == 1
    assert told(issue, 200) == {"lead"}  # the quality lead
    assert fired(issue) == {("response", p) for p in (50, 75, 100, 200)}

    levels = Notification.objects.filter(dedupe_key__startswith=f"sla:{issue.pk}:")
    assert dict(levels.values_list("dedupe_key", "kind").distinct()) == {
        f"sla:{issue.pk}:response:50": "sla_due_soon",
        f"sla:{issue.pk}:response:75": "sla_due_soon",
        f"sla:{issue.pk}:response:100": "sla_overdue",
        f"sla:{issue.pk}:response:200": "sla_escalated",
    }


def test_a_late_sweep_raises_every_rung_that_came_due_meanwhile(cast):
    """Beat was down for a day: the first sweep after it raises all the missed rungs."""
    issue = p1_assigned(cast)
    assert sweep(at(2026, 11, 25, 12, 0)) == {"alerts": 4, "notifications": 5}
    assert fired(issue) == {("response", p) for p in (50, 75, 100, 200)}


def test_unassigned_issue_warns_the_department_head(cast):
    issue = new_issue(cast, impact_scope="region", when=at(*MON, 10, 0))
    to_triaged(cast, issue, at(*MON, 10, 5), "P1")

    sweep(at(2026, 11, 23, 22, 0))
    assert told(issue, 50) == {"head"}


def test_untriaged_issue_warns_the_stores_ops_specialists(cast):
    """Before triage the clock runs on the suggested priority and nobody owns it yet."""
    issue = new_issue(cast, impact_scope="region", when=at(*MON, 10, 0))  # suggested P1

    sweep(at(2026, 11, 23, 22, 0))
    assert told(issue, 50) == {"ops"}


# --------------------------------------------------------------------------- working hours


def test_p2_ladder_in_working_hours(cast):
    issue = new_issue(cast, impact_scope="store", when=at(*MON, 10, 0))
    issue = to_triaged(cast, issue, at(*MON, 10, 5), "P2")
    # P2 answers in 72 working hours. 50 % is 36 working hours after Mon 10:00:
    #   Mon 10:00–18:00  8 h  ( 8)
    #   Tue 09:00–18:00  9 h  (17)
    #   Wed              9 h  (26)
    #   Thu              9 h  (35)
    #   Fri 09:00–10:00  1 h  (36)  → Fri 2026-11-27 10:00
    # 75 % (54 h): Fri ends at 44, the weekend does not count, Mon 30 ends at 53 →
    # Tue 2026-12-01 10:00. 100 % (72 h): Wed 2 ends at 71 → Thu 2026-12-03 10:00.
    assert milestones(issue) == {
        50: at(2026, 11, 27, 10, 0),
        75: at(2026, 12, 1, 10, 0),
        100: at(2026, 12, 3, 10, 0),
        200: at(2026, 12, 15, 10, 0),
    }
    assert issue.response_due_at == at(2026, 12, 3, 10, 0)

    assert sweep(at(2026, 11, 27, 9, 59))["alerts"] == 0
    assert sweep(at(2026, 11, 27, 10, 0))["alerts"] == 1
    assert told(issue, 50) == {"head"}
    assert sweep(at(2026, 11, 30, 23, 0))["alerts"] == 0  # a whole weekend later: no 75 % yet
    assert sweep_command(at(2026, 12, 1, 10, 0))["alerts"] == 1
    assert fired(issue) == {("response", 50), ("response", 75)}


def test_working_hours_skip_national_day_and_count_the_make_up_saturday(cast):
    """2026 National Day: Thu 1 – Wed 7 October off, Saturday 10 October worked (调休).

    Submitted Wed 2026-09-30 10:00, 36 working hours:
      Wed 30 Sep 10:00–18:00   8 h ( 8)
      1–7 Oct holiday/weekend  0 h
      Thu  8 Oct               9 h (17)
      Fri  9 Oct               9 h (26)
      Sat 10 Oct (make-up)     9 h (35)
      Sun 11 Oct               0 h
      Mon 12 Oct 09:00–10:00   1 h (36) → Mon 2026-10-12 10:00.
    Counting Mon–Fri only would say Tue 6 Oct 10:00; ignoring the make-up day, Tue 13."""
    issue = new_issue(cast, impact_scope="store", when=at(2026, 9, 30, 10, 0))
    issue = to_triaged(cast, issue, at(2026, 9, 30, 10, 5), "P2")
    assert milestones(issue)[50] == at(2026, 10, 12, 10, 0)

    assert sweep(at(2026, 10, 6, 10, 0))["alerts"] == 0
    assert sweep(at(2026, 10, 12, 9, 59))["alerts"] == 0
    assert sweep(at(2026, 10, 12, 10, 0))["alerts"] == 1
    assert fired(issue) == {("response", 50)}


def test_a_calendar_day_added_by_the_quality_lead_moves_the_ladder(cast):
    """A company holiday on Wed 25 Nov and a make-up Saturday 28 Nov (CalendarDay rows):
    Mon 8 h, Tue 17, Wed off, Thu 26, Fri 35, Sat 28 09:00–10:00 → 36."""
    CalendarDay.objects.create(date=at(2026, 11, 25, 0, 0).date(), is_workday=False, name="司庆")
    CalendarDay.objects.create(date=at(2026, 11, 28, 0, 0).date(), is_workday=True, name="司庆调休")
    issue = new_issue(cast, impact_scope="store", when=at(*MON, 10, 0))
    issue = to_triaged(cast, issue, at(*MON, 10, 5), "P2")
    assert milestones(issue)[50] == at(2026, 11, 28, 10, 0)

    assert sweep(at(2026, 11, 27, 10, 0))["alerts"] == 0  # where it was without the rows
    assert sweep(at(2026, 11, 28, 10, 0))["alerts"] == 1


# --------------------------------------------------------------------------- response, pause


def test_accepting_before_50_percent_means_no_response_alerts(cast):
    issue = p1_assigned(cast)
    services.accept(issue=issue, actor=cast.member, at=at(2026, 11, 23, 21, 0))

    assert sweep(at(2026, 11, 25, 10, 0)) == {"alerts": 0, "notifications": 0}  # 200 % gone by
    assert fired(issue) == set()
    # The resolution clock still runs: 50 % of 7 days is Thu 22:00.
    assert sweep(at(2026, 11, 26, 22, 0))["alerts"] == 1
    assert fired(issue) == {("resolution", 50)}
    assert told(issue, 50, "resolution") == {"member"}


def test_waiting_for_the_store_stops_the_ladder_and_moves_it_by_the_pause(cast):
    issue = p1_assigned(cast)
    issue = services.accept(issue=issue, actor=cast.member, at=at(2026, 11, 23, 11, 0))
    assert milestones(issue, "resolution")[50] == at(2026, 11, 26, 22, 0)  # 84 h

    issue = services.ask_store(
        issue=issue, actor=cast.member, question="请提供报错截图", at=at(2026, 11, 26, 20, 0)
    )
    # While the store is asked, nothing is due: the clock stands still.
    assert sweep(at(2026, 11, 26, 22, 0))["alerts"] == 0
    assert sweep(at(2026, 11, 27, 19, 59))["alerts"] == 0
    assert fired(issue) == set()

    # The store answers 24 h later: every rung moves by 24 h.
    issue = services.store_reply(
        issue=issue, actor=cast.manager, body="截图已上传", at=at(2026, 11, 27, 20, 0)
    )
    assert milestones(issue, "resolution") == {
        50: at(2026, 11, 27, 22, 0),
        75: at(2026, 11, 29, 16, 0),
        100: at(2026, 12, 1, 10, 0),
        200: at(2026, 12, 8, 10, 0),
    }
    assert sweep(at(2026, 11, 27, 21, 59))["alerts"] == 0
    assert sweep(at(2026, 11, 27, 22, 0))["alerts"] == 1
    assert fired(issue) == {("resolution", 50)}


def test_only_open_issues_have_a_ladder(cast):
    """Resolving removes the ladder (the sweep reads open issues' ladders only), reopening
    brings it back: the resolution clock never stopped, so what came due meanwhile is
    raised by the next sweep."""
    issue = p1_assigned(cast)
    issue = services.accept(issue=issue, actor=cast.member, at=at(2026, 11, 23, 11, 0))
    issue = services.resolve(
        issue=issue, actor=cast.member, resolution="已修复", at=at(2026, 11, 25, 10, 0)
    )
    assert not SlaMilestone.objects.filter(issue=issue).exists()
    assert sweep(at(2026, 11, 26, 22, 0))["alerts"] == 0  # resolution 50 % while resolved

    issue = services.reopen(
        issue=issue, actor=cast.manager, reason="问题复现", at=at(2026, 11, 27, 9, 0)
    )
    assert milestones(issue, "resolution")[50] == at(2026, 11, 26, 22, 0)
    assert sweep(at(2026, 11, 27, 9, 2))["alerts"] == 1
    assert fired(issue) == {("resolution", 50)}

    other = new_issue(cast, impact_scope="region", when=at(*MON, 10, 0))
    other = services.reject(
        issue=other, actor=cast.ops, reason="不属于售后问题", at=at(*MON, 11, 0)
    )
    assert not SlaMilestone.objects.filter(issue=other).exists()


# --------------------------------------------------------------------------- configurable


def test_a_deactivated_level_fires_for_nobody(cast):
    before = p1_assigned(cast, title="停用前分级的问题")
    assert 75 in milestones(before)
    EscalationLevel.objects.filter(percent=75).update(active=False)
    after = p1_assigned(cast, title="停用后分级的问题")
    assert sorted(milestones(after)) == [50, 100, 200]  # recomputed on triage without it

    assert sweep(at(2026, 11, 24, 4, 0)) == {"alerts": 2, "notifications": 2}  # the two 50 %
    assert fired(before) == fired(after) == {("response", 50)}
    assert sweep(at(2026, 11, 24, 10, 0))["alerts"] == 2
    assert fired(before) == fired(after) == {("response", 50), ("response", 100)}


def test_an_added_level_is_used_for_issues_triaged_afterwards(cast):
    EscalationLevel.objects.create(percent=90, audience=EscalationLevel.Audience.OWNER)
    issue = p1_assigned(cast)
    # 90 % of 24 h = 21 h 36 min after Mon 10:00.
    assert milestones(issue)[90] == at(2026, 11, 24, 7, 36)

    sweep(at(2026, 11, 24, 4, 0))
    assert sweep(at(2026, 11, 24, 7, 35))["alerts"] == 0
    assert sweep(at(2026, 11, 24, 7, 36))["alerts"] == 1
    assert told(issue, 90) == {"member"}
    assert Notification.objects.get(dedupe_key=f"sla:{issue.pk}:response:90").kind == (
        "sla_due_soon"
    )
