"""``manage.py generate_load`` writes inspections over the generated stores
(``inspections/loadgen.py``): a result per checklist item and the score the services
compute, findings, the follow-up plan and its history cut at ``now``, readable by the list
and the improvement board, repeatable by seed."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from closedloop.org.choices import Role
from closedloop.org.models import User
from inspections import loadgen as inspection_load
from inspections import services
from inspections.choices import (
    FOLLOW_UP_PLAN,
    TRANSITIONS,
    Action,
    ResourceStatus,
    Status,
    StepKind,
)
from inspections.defaults import DEFAULT_CHECKLIST
from inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ClosureCheck,
    CoreMetric,
    Experience,
    Finding,
    FollowUpAlert,
    FollowUpLog,
    Inspection,
    InspectionEvent,
    ItemResult,
    Reinspection,
    ResourceRequest,
    SpotCheck,
)
from issues import loadgen

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)
TODAY = dt.date(2026, 6, 3)  # in Beijing too (15:30)


def _generate(seed=7, issues=2000, inspections=None, stores=20, years=3):
    return loadgen.generate(
        stores=stores,
        issues=issues,
        people=100,
        seed=seed,
        years=years,
        now=NOW,
        say=str,
        projects=0,
        inspections=inspections,
    )


@pytest.fixture
def generated(db):
    """20 stores over three years: the default count, one per store every 45 days."""
    return _generate()


def test_inspections_have_the_life_of_a_network(generated):
    summary = generated.inspections
    expected = inspection_load.default_inspections(20, 3)
    assert Inspection.objects.count() == summary.inspections == expected
    statuses = Counter(Inspection.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] >= 0.8 * expected
    assert statuses[Status.FOLLOWING_UP] and statuses[Status.ACCEPTED]
    # Old ones are finished; the ones still followed up are recent (a few get stuck).
    old = Inspection.objects.filter(inspected_on__lt=TODAY - dt.timedelta(days=120))
    assert old.filter(status=Status.CLOSED).count() >= 0.9 * old.count()
    following = Inspection.objects.filter(status=Status.FOLLOWING_UP)
    recent = following.filter(inspected_on__gte=TODAY - dt.timedelta(days=70))
    assert recent.count() >= 0.6 * following.count()
    # Spread over the period, every store inspected every one to three months or so.
    days = sorted(Inspection.objects.values_list("inspected_on", flat=True))
    assert days[0] < TODAY - dt.timedelta(days=900) and days[-1] >= TODAY - dt.timedelta(days=3)
    assert not [d for d in days if d.weekday() == 6 or d > TODAY]
    per_store = defaultdict(list)
    for store, day in Inspection.objects.order_by("inspected_on").values_list(
        "store", "inspected_on"
    ):
        per_store[store].append(day)
    assert len(per_store) == 20
    gaps = sorted((b - a).days for d in per_store.values() for a, b in pairwise(d))
    assert 25 <= gaps[len(gaps) // 2] <= 60
    assert gaps[len(gaps) // 10] >= 10 and gaps[len(gaps) * 9 // 10] <= 100
    # The inspector is an ops specialist covering the store, mostly the store's own.
    for inspection in Inspection.objects.select_related("inspector"):
        assert inspection.inspector.role == Role.OPS_SPECIALIST
        assert inspection.inspector.stores.filter(pk=inspection.store_id).exists()
    assert Inspection.objects.filter(inspector__username__startswith="ops0").count() >= (
        0.7 * expected
    )
    # The template is the one the migrations seeded.
    template = ChecklistTemplate.objects.current().get()
    assert set(Inspection.objects.values_list("template", flat=True)) == {template.pk}
    assert ChecklistTemplate.objects.count() == 1
    # The follow-up: findings, metrics, steps, logs, spot checks, re-inspections.
    assert Finding.objects.exists() and CoreMetric.objects.exists()
    assert FollowUpLog.objects.filter(needs_support=True).exists()
    assert SpotCheck.objects.exists() and Reinspection.objects.filter(passed=False).exists()
    assert ResourceRequest.objects.filter(status=ResourceStatus.DONE).exists()
    assert Experience.objects.count() >= statuses[Status.CLOSED]
    assert summary.findings == Finding.objects.count()
    assert summary.events == InspectionEvent.objects.count()


def test_recent_inspections_are_drafts_until_reported(db):
    _generate(stores=4, issues=200, inspections=100, years=0.05)
    drafts = Inspection.objects.filter(status=Status.DRAFT)
    assert drafts.exists()
    for draft in drafts:
        assert draft.inspected_on >= TODAY - dt.timedelta(days=5)
        assert draft.reported_at is None and not draft.follow_up.exists()
        assert list(draft.events.values_list("action", "to_status")) == [("start", Status.DRAFT)]
        assert draft.results.exists() and draft.score == services.score_of(draft)
        assert not ClosureCheck.objects.filter(inspection=draft).exists()


def test_every_inspection_has_a_result_per_item_and_the_services_score(generated):
    items = {}
    issued = Inspection.objects.exclude(status=Status.DRAFT)
    for inspection in issued.select_related("template"):
        template_items = items.setdefault(
            inspection.template_id, list(inspection.template.items.all())
        )
        results = services.results_by_item(inspection)
        assert set(results) == {i.pk for i in template_items}
        assert inspection.score == services.score_of(
            inspection, items=template_items, results=results
        )
        if inspection.acceptance_score is not None:
            assert inspection.acceptance_score == services.score_of(
                inspection, rescored=True, items=template_items, results=results
            )
        # Only failed items are rescored; every failed one has a finding.
        failed = {i.pk for i in services.failed_items(inspection, results=results)}
        rescored = {
            pk for pk, r in results.items() if r.rescore is not None or r.repassed is not None
        }
        assert rescored <= failed
        assert failed <= set(inspection.findings.values_list("item", flat=True))
    # A draft's score is over what has been scored so far.
    for draft in Inspection.objects.filter(status=Status.DRAFT):
        assert draft.score == services.score_of(draft)
    assert ItemResult.objects.filter(passed=False).exists()
    assert len(set(issued.values_list("score", flat=True))) > 20


def test_the_verdicts_and_the_steps_are_the_services(generated):
    for inspection in Inspection.objects.exclude(status=Status.DRAFT):
        verdict = services.acceptance_verdict(inspection)
        accepted = inspection.status in (Status.ACCEPTED, Status.CLOSED)
        assert accepted == (inspection.accepted_on is not None)
        if accepted:
            assert inspection.reinspections.filter(passed=True, date=inspection.accepted_on)
            assert verdict.checks[2].met  # the metrics as read at acceptance
        if inspection.status == Status.CLOSED:
            assert services.closure_verdict(inspection).closable
        plan = services.follow_up_plan(inspection.reported_on)
        steps = list(inspection.follow_up.order_by("seq"))
        assert [s.kind for s in steps] == [p.kind for p in FOLLOW_UP_PLAN]
        for step, (kind, _seq, starts_on, due_on) in zip(steps, plan, strict=True):
            if kind == StepKind.EXPERIENCE and inspection.accepted_on:
                assert step.due_on == inspection.accepted_on + dt.timedelta(days=7)
            else:
                assert (step.starts_on, step.due_on) == (starts_on, due_on)
            assert step.done_on is None or inspection.reported_on <= step.done_on <= TODAY
        assert ClosureCheck.objects.filter(inspection=inspection).exists()
    # Reminders: one per missed step, raised the day after its due date.
    for alert in FollowUpAlert.objects.select_related("step"):
        raised = timezone.localtime(alert.created_at).date()
        assert raised == alert.step.due_on + dt.timedelta(days=1)
        assert alert.step.done_on is None or alert.step.done_on > alert.step.due_on
    assert FollowUpAlert.objects.exists()


def test_dates_and_history_are_consistent_and_never_after_now(generated):
    for inspection in Inspection.objects.all():
        if inspection.status == Status.DRAFT:
            assert inspection.reported_on is None and not inspection.follow_up.exists()
            continue
        assert inspection.inspected_on <= inspection.reported_on <= TODAY
        if inspection.accepted_on:
            assert inspection.reported_on + dt.timedelta(days=22) <= inspection.accepted_on
            assert inspection.accepted_on <= TODAY
        if inspection.closed_at:
            assert timezone.localtime(inspection.closed_at).date() >= inspection.accepted_on
        for finding in inspection.findings.all():
            assert finding.solved_on is None or inspection.reported_on <= finding.solved_on
    assert not InspectionEvent.objects.filter(at__gt=NOW).exists()
    assert not Inspection.objects.filter(
        Q(created_at__gt=NOW) | Q(updated_at__gt=NOW) | Q(closed_at__gt=NOW)
    ).exists()
    assert not FollowUpAlert.objects.filter(created_at__gt=NOW).exists()
    assert not Inspection.objects.filter(reported_at__lt=F("created_at")).exists()
    # The history replays to the stored status through the transitions table.
    for inspection in Inspection.objects.prefetch_related("events"):
        status = ""
        for event in inspection.events.all():
            if event.to_status:
                assert event.from_status == status
                if status:
                    assert TRANSITIONS[event.action][status] == event.to_status
                status = event.to_status
        assert status == inspection.status
    closes = InspectionEvent.objects.filter(action=Action.CLOSE)
    assert closes.count() == Inspection.objects.filter(status=Status.CLOSED).count()


def _fingerprint() -> str:
    rows = Inspection.objects.order_by("pk").values_list(
        "store__code", "inspector__username", "inspected_on", "status", "score", "closed_at"
    )
    results = ItemResult.objects.order_by(
        "inspection__store__code", "inspection__inspected_on", "item__key"
    ).values_list("inspection__inspected_on", "item__key", "score", "passed", "rescore")
    events = InspectionEvent.objects.order_by("inspection_id", "at", "pk").values_list(
        "inspection__inspected_on", "action", "at"
    )
    return hashlib.sha256(repr((list(rows), list(results), list(events))).encode()).hexdigest()


def test_the_same_seed_gives_the_same_inspections(db):
    fingerprints = []
    for seed in (5, 5, 6):
        with transaction.atomic():
            _generate(seed=seed, issues=300, inspections=30, stores=8)
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)
    assert fingerprints[0] == fingerprints[1] != fingerprints[2]


@pytest.mark.parametrize("who", ["lead", "ops"])
def test_the_list_and_the_board_answer_in_fixed_queries(
    generated, client, django_assert_max_num_queries, who
):
    if who == "lead":
        user = User.objects.filter(role=Role.QUALITY_LEAD).order_by("pk").first()
    else:
        user = User.objects.get(username="ops_east")
    client.force_login(user)
    visible = Inspection.objects.visible_to(user)
    newest = visible.order_by("-inspected_on", "-pk").first()
    with django_assert_max_num_queries(6):  # the page ids, then their rows
        page = client.get("/inspections/")
    assert page.status_code == 200
    assert newest.store.name in page.content.decode()
    with django_assert_max_num_queries(9):
        board = client.get("/inspections/board/")
    assert board.status_code == 200
    best = visible.exclude(status=Status.DRAFT).order_by("-score").first()
    assert best.store.name in board.content.decode()


def test_the_benchmark_reports_the_inspections_it_ran_on(generated):
    from closedloop.core import bench
    from inspections import bench as inspection_bench

    assert inspection_bench.facts in bench.collect()[1]
    assert inspection_bench.facts(None) == {
        "inspections": generated.inspections.inspections,
        "inspection_findings": generated.inspections.findings,
    }


def test_a_missing_template_is_created_once(db):
    ChecklistItem.objects.all().delete()
    ChecklistTemplate.objects.all().delete()
    _generate(issues=200, inspections=10, stores=4)
    template = ChecklistTemplate.objects.get()
    assert template.items.count() == sum(len(items) for _s, _a, items in DEFAULT_CHECKLIST)
    assert Inspection.objects.filter(template=template).count() == 10


def test_foreign_keys_and_indexes_are_back_after_the_load(db):
    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE contype = 'f'), count(*) FROM pg_constraint
                   WHERE conrelid::regclass::text LIKE 'inspections_%%'"""
            )
            constraints = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'inspections_%%'")
            return constraints, cursor.fetchone()[0]

    before = schema()
    _generate(issues=200, inspections=10, stores=4)
    assert schema() == before
    inspection = Inspection.objects.order_by("-pk").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('inspections_inspection', 'id'))")
        assert cursor.fetchone()[0] > inspection.pk


def test_default_count_and_the_command_reports(db, capsys):
    assert inspection_load.default_inspections(1000, 3) == 24333
    call_command(
        "generate_load",
        "--stores",
        "4",
        "--issues",
        "200",
        "--people",
        "30",
        "--years",
        "1",
        "--now",
        "2026-05-06T10:00:00+08:00",
    )
    expected = inspection_load.default_inspections(4, 1)
    assert Inspection.objects.count() == expected
    assert f"{expected} inspections" in capsys.readouterr().out


def test_command_takes_an_inspection_count_and_rejects_a_negative_one(db):
    with pytest.raises(CommandError, match="--inspections"):
        call_command("generate_load", "--inspections", "-1", "--issues", "10")
    call_command(
        "generate_load",
        "--stores",
        "3",
        "--issues",
        "100",
        "--people",
        "20",
        "--inspections",
        "0",
        "--now",
        "2026-05-06T10:00:00+08:00",
    )
    assert not Inspection.objects.exists()
    assert Inspection.objects.aggregate(n=Count("pk"))["n"] == 0
