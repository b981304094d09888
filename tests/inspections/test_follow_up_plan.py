"""The follow-up plan is dated from the report date (source 二, DOMAIN.md §8): the call
within 24 h, the kick-off within 3 days, a weekly follow-up for four weeks, the remote
spot check in week 2, the on-site one in week 4, the acceptance in weeks 4–6, the
experience within a week after acceptance. Each record completes its step."""

import datetime as dt

import pytest

from closedloop.errors import DomainError, InvalidTransition
from inspections import services
from inspections.models import FollowUpStep

from .helpers import finding, moment, perform

pytestmark = pytest.mark.django_db

INSPECTED = dt.date(2026, 11, 18)
REPORT = dt.date(2026, 11, 20)  # a Friday; calendar days count, weekends too


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def steps(inspection):
    return {
        s.kind: (s.starts_on, s.due_on, s.done_on)
        for s in FollowUpStep.objects.filter(inspection=inspection)
    }


def day(n):
    return REPORT + dt.timedelta(days=n)


def test_every_step_is_dated_from_the_report_date_not_the_inspection(cast):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT)
    assert inspection.reported_on == REPORT
    assert steps(inspection) == {
        "call": (REPORT, dt.date(2026, 11, 21), None),  # within 24 h
        "kickoff": (REPORT, dt.date(2026, 11, 23), None),  # within 3 days
        "weekly_1": (day(1), dt.date(2026, 11, 27), None),
        "weekly_2": (day(8), dt.date(2026, 12, 4), None),
        "weekly_3": (day(15), dt.date(2026, 12, 11), None),
        "weekly_4": (day(22), dt.date(2026, 12, 18), None),
        "spot_remote": (day(8), dt.date(2026, 12, 4), None),  # week 2
        "spot_onsite": (day(22), dt.date(2026, 12, 18), None),  # week 4
        "acceptance": (day(22), dt.date(2027, 1, 1), None),  # weeks 4–6
        "experience": (day(22), dt.date(2027, 1, 8), None),  # until accepted: R+42+7
    }


def test_the_api_lists_the_plan_with_step_due_on_and_done_on(cast, api):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT)
    body = api.as_(cast.ops).get(f"/api/v1/inspections/{inspection.pk}/").json()
    plan = {row["step"]: (row["due_on"], row["done_on"]) for row in body["follow_up"]}
    assert plan["call"] == ("2026-11-21", None)
    assert plan["acceptance"] == ("2027-01-01", None)
    assert len(plan) == 10


def test_call_and_kickoff_are_recorded_with_their_date(cast):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT, findings=[finding()])
    services.record_step(
        inspection=inspection, actor=cast.ops, kind="call", done_on=day(1), at=moment(day(1))
    )
    with pytest.raises(DomainError) as refused:
        services.record_step(
            inspection=inspection, actor=cast.ops, kind="kickoff", done_on=day(2), at=moment(day(2))
        )
    assert refused.value.field == "kind" and "#1" in refused.value.message
    (row,) = inspection.findings.all()
    services.update_finding(finding=row, actor=cast.ops, owner_name="服务经理", due_on=day(10))
    services.record_step(
        inspection=inspection, actor=cast.ops, kind="kickoff", done_on=day(2), at=moment(day(2))
    )
    assert steps(inspection)["call"][2] == day(1)
    assert steps(inspection)["kickoff"][2] == day(2)
    with pytest.raises(InvalidTransition):
        services.record_step(
            inspection=inspection, actor=cast.ops, kind="call", done_on=day(2), at=moment(day(2))
        )


@pytest.mark.parametrize(
    ("offset", "week"),
    [(0, 1), (1, 1), (7, 1), (8, 2), (14, 2), (15, 3), (21, 3), (22, 4), (28, 4), (35, 4)],
)
def test_a_log_completes_the_weekly_step_of_its_week(cast, offset, week):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT)
    services.add_follow_up_log(
        inspection=inspection,
        actor=cast.ops,
        date=day(offset),
        participants="店长张三、运营专家李四",
        at=moment(day(35)),
    )
    done = {k for k, (_s, _d, done_on) in steps(inspection).items() if done_on}
    assert done == {f"weekly_{week}"}


def test_spot_checks_complete_their_steps(cast):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT)
    for kind, offset in (("remote", 10), ("onsite", 25)):
        services.record_spot_check(
            inspection=inspection,
            actor=cast.ops,
            kind=kind,
            date=day(offset),
            hardware="ok",
            process="partial",
            people="ok",
            data="fail",
            at=moment(day(30)),
        )
    plan = steps(inspection)
    assert plan["spot_remote"][2] == day(10) and plan["spot_onsite"][2] == day(25)


def test_acceptance_moves_the_experience_to_a_week_after_it(cast):
    inspection = perform(
        cast,
        day=INSPECTED,
        report_day=REPORT,
        metrics=[{"metric": "waiting_minutes", "baseline": 45, "standard": 30}],
    )
    metric = inspection.metrics.get()
    review = services.reinspect(
        inspection=inspection,
        actor=cast.ops,
        date=day(30),
        readings={metric.pk: 28},
        at=moment(day(30)),
    )
    assert review.passed
    plan = steps(inspection)
    assert plan["acceptance"][2] == day(30)
    assert plan["experience"][:2] == (day(30), day(37))


def test_a_log_cannot_be_dated_in_the_future_or_before_the_report(cast):
    inspection = perform(cast, day=INSPECTED, report_day=REPORT)
    for date, words in ((day(8), "今天"), (REPORT - dt.timedelta(days=1), "报告日期")):
        with pytest.raises(DomainError) as refused:
            services.add_follow_up_log(
                inspection=inspection,
                actor=cast.ops,
                date=date,
                participants="店长",
                at=moment(day(7)),
            )
        assert refused.value.field == "date" and words in refused.value.message
    assert not inspection.logs.exists()
    assert not any(done for *_rest, done in steps(inspection).values())
