"""Rectification metrics on the board (DOMAIN.md §9): on-time completion rate (closed by
the planned closure date, target ≥ 85 %), average cycle (kick-off → closure), red
projects — a guarded hook, because the rectification app is built in parallel.

The figures run on the real ``rectification.Project``: projects are made through the
rectification services (tests/rectification/helpers.py), then given the case's plan
dates; their closure is a row of the status history (the moment of the move to
``closed``), which is what the hook reads. A stand-in table checks a project model
without closure fields."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, models

from dashboards import periods, rectification
from dashboards.board import build_board
from rectification import services
from rectification.choices import Health, Status
from rectification.models import Project, ProjectEvent
from tests.rectification.helpers import executing, kicked_off

from .helpers import bj

pytestmark = pytest.mark.django_db
REAL_MODEL = rectification.project_model()
NOVEMBER = periods.parse({"period": "2026-11"})


class StandInQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(store__in=user.stores.all()) if user.role == "ops_specialist" else self


class StandInWithoutClosure(models.Model):
    """A project model before acceptance and closure exist: no closure dates yet."""

    number = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    store = models.ForeignKey("org.Store", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=1)
    status = models.CharField(max_length=20)
    health = models.CharField(max_length=10)
    next_tracking_on = models.DateField(null=True)
    ops_specialist = models.ForeignKey(
        "org.User", null=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = StandInQuerySet.as_manager()

    class Meta:
        app_label = "dashboards"
        managed = False
        db_table = "test_stand_in_project_without_closure"

    def __str__(self):
        return self.number


def test_without_the_model_the_module_says_it_is_off(cast, client, api, monkeypatch):
    monkeypatch.setattr(rectification, "project_model", lambda: None)
    assert rectification.visible_projects(cast.lead) is None
    assert rectification.kpis(None, NOVEMBER) is None
    assert build_board(cast.lead, NOVEMBER).rectification is None
    assert api.as_(cast.lead).get("/api/v1/kpis/").json()["rectification"] is None
    client.force_login(cast.lead)
    assert 'data-testid="rectification-off"' in client.get("/dashboards/process/").content.decode()
    assert 'data-testid="rectification-off"' in client.get("/dashboards/").content.decode()
    client.force_login(cast.ops)
    assert 'data-testid="rectification-off"' in client.get("/").content.decode()


def test_the_real_model_fits_the_contract():
    assert REAL_MODEL is Project
    assert rectification.measures_closure(Project)


def planned(cast, closure_on, *, kicked_off_at=None, **over):
    """A kicked-off project (through the services) planned to close on ``closure_on``; the
    plan's date and the kick-off moment are then set to the case's."""
    project = kicked_off(cast, **over)
    Project.objects.filter(pk=project.pk).update(
        closure_on=closure_on, kicked_off_at=kicked_off_at or project.kicked_off_at
    )
    project.refresh_from_db()
    return project


def close(project, when):
    """Record the project's closure the way its status history records every transition
    (the acceptance and closure services come later; the hook reads the history)."""
    ProjectEvent.objects.create(
        project=project,
        at=when,
        action="close",
        from_status=Status.PENDING_CLOSURE,
        to_status=Status.CLOSED,
    )
    Project.objects.filter(pk=project.pk).update(status=Status.CLOSED)


def test_on_time_rate_average_cycle_and_red_projects(cast):
    # Planned to close in November: two closed in time (one on the planned day itself,
    # 23:30 Beijing), one late, one still open → 2 / 4; a cancelled one is left out.
    first = planned(cast, dt.date(2026, 11, 10), kicked_off_at=bj(2026, 9, 1))
    close(first, bj(2026, 11, 10, 23, 30))
    second = planned(cast, dt.date(2026, 11, 20), kicked_off_at=bj(2026, 10, 1))
    close(second, bj(2026, 11, 1))
    late = planned(cast, dt.date(2026, 11, 5), kicked_off_at=bj(2026, 10, 1))
    close(late, bj(2026, 11, 11))
    open_red = planned(cast, dt.date(2026, 11, 25))
    cancelled = planned(cast, dt.date(2026, 11, 25))
    services.cancel(project=cancelled, actor=cast.ops, reason="门店整合", at=bj(2026, 11, 2))
    Project.objects.filter(pk__in=[open_red.pk, cancelled.pk]).update(health=Health.RED)
    kpis = rectification.kpis(rectification.visible_projects(cast.lead), NOVEMBER)
    assert (kpis.due, kpis.on_time, kpis.ever_closed) == (4, 2, 3)
    assert kpis.on_time_rate == Decimal("0.5")
    assert kpis.on_time_note is None
    # Closed in November: first (70.98 days), second (31 days), late (41 days).
    assert kpis.closed == 3
    assert kpis.avg_cycle_days == pytest.approx((70 + 23.5 / 24 + 31 + 41) / 3, abs=0.01)
    assert kpis.red == 1
    assert [p.number for p in rectification.red_projects(Project.objects.all())] == [
        open_red.number
    ]
    # Both months in one query: October has nothing planned, nothing closed.
    november, october = rectification.kpis_for(
        Project.objects.all(), [NOVEMBER, NOVEMBER.previous()]
    )
    assert (november.due, november.on_time, november.closed) == (4, 2, 3)
    assert (october.due, october.closed, october.avg_cycle_days) == (0, 0, None)


def test_the_last_move_to_closed_counts(cast):
    project = planned(cast, dt.date(2026, 11, 10), kicked_off_at=bj(2026, 9, 1))
    close(project, bj(2026, 10, 30))
    close(project, bj(2026, 11, 12))  # closed again after a reopening: late
    kpis = rectification.kpis(Project.objects.all(), NOVEMBER)
    assert (kpis.due, kpis.on_time, kpis.closed) == (1, 0, 1)


def test_without_a_closed_project_the_rate_is_empty_with_the_reason(cast, client):
    planned(cast, dt.date(2026, 11, 10))
    kpis = rectification.kpis(rectification.visible_projects(cast.lead), NOVEMBER)
    assert kpis.due == 1
    assert (kpis.on_time_rate, kpis.avg_cycle_days) == (None, None)
    assert kpis.on_time_note == "暂无已闭环项目"
    client.force_login(cast.lead)
    page = client.get("/dashboards/?period=2026-11").content.decode()
    assert 'data-testid="rectification-on-time-note"' in page
    assert "暂无已闭环项目" in page


def test_tracking_due_today(cast):
    projects = [executing(cast) for _ in range(4)]
    for project, due in zip(
        projects,
        (dt.date(2026, 11, 30), dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 11, 1)),
        strict=True,
    ):
        Project.objects.filter(pk=project.pk).update(next_tracking_on=due)
    close(projects[3], bj(2026, 11, 2))
    due = rectification.tracking_due(rectification.visible_projects(cast.ops), dt.date(2026, 12, 1))
    assert [p.number for p in due] == [projects[0].number, projects[1].number]
    # The Ningbo manager sees none of the Hangzhou projects.
    assert (
        rectification.tracking_due(
            rectification.visible_projects(cast.neighbour), dt.date(2026, 12, 1)
        )
        == []
    )


def test_without_closure_dates_red_projects_still_count(cast, monkeypatch):
    with connection.schema_editor() as editor:
        editor.create_model(StandInWithoutClosure)
    monkeypatch.setattr(rectification, "project_model", lambda: StandInWithoutClosure)
    for n, health in ((1, "red"), (2, "green"), (3, "red")):
        StandInWithoutClosure.objects.create(
            number=f"REF-2026-{n:03d}",
            title="x",
            store=cast.org.hangzhou,
            level="B",
            status="executing",
            health=health,
        )
    assert not rectification.measures_closure(StandInWithoutClosure)
    kpis = rectification.kpis(rectification.visible_projects(cast.lead), NOVEMBER)
    assert kpis.red == 2
    assert (kpis.due, kpis.on_time_rate, kpis.avg_cycle_days) == (None, None, None)
    board = build_board(cast.lead, NOVEMBER)
    assert board.rectification.red == 2
