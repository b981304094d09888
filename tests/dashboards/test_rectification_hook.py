"""Rectification metrics on the board (DOMAIN.md §9): on-time completion rate (closed by
the planned closure date, target ≥ 85 %), average cycle (kick-off → closure), red
projects — a guarded hook, because the rectification app is built in parallel.

While the project model is absent the dashboards say the module is not enabled (tested
here always); the figures themselves are tested once the model exists (skipped, with the
reason, until then). The project rows are written with the field names of
``dashboards.rectification.FIELDS``; other required fields of the model, if any, get
their defaults from ``_required_defaults``."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, models

from dashboards import periods, rectification
from dashboards.board import build_board

from .helpers import bj

pytestmark = pytest.mark.django_db
REAL_MODEL = rectification.project_model()
NOVEMBER = periods.parse({"period": "2026-11"})


class StandInQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(store__in=user.stores.all()) if user.role == "ops_specialist" else self


class StandInProject(models.Model):
    """The contract of ``dashboards.rectification.FIELDS`` as a throwaway table, so the
    hook's queries run today; the same tests run against the real model once it exists."""

    number = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    store = models.ForeignKey("org.Store", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=1)
    status = models.CharField(max_length=20)
    health = models.CharField(max_length=10)
    closure_on = models.DateField(null=True)
    kicked_off_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    next_tracking_on = models.DateField(null=True)
    ops_specialist = models.ForeignKey(
        "org.User", null=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = StandInQuerySet.as_manager()

    class Meta:
        app_label = "dashboards"
        managed = False
        db_table = "test_stand_in_project"

    def __str__(self):
        return self.number


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


@pytest.fixture(params=["stand-in", "real"])
def MODEL(request, monkeypatch, db):  # noqa: N802 - the model class under test
    if request.param == "real":
        if REAL_MODEL is None:
            pytest.skip(
                "the rectification app's project model (rectification.Project with the fields "
                "of dashboards.rectification.FIELDS) is not installed on this branch yet"
            )
        return REAL_MODEL
    with connection.schema_editor() as editor:  # rolled back with the test's transaction
        editor.create_model(StandInProject)
    monkeypatch.setattr(rectification, "project_model", lambda: StandInProject)
    return StandInProject


@pytest.mark.skipif(REAL_MODEL is not None, reason="the rectification app is installed")
def test_without_the_app_the_module_says_it_is_off(cast, client, api):
    assert rectification.visible_projects(cast.lead) is None
    assert rectification.kpis(None, NOVEMBER) is None
    assert build_board(cast.lead, NOVEMBER).rectification is None
    assert api.as_(cast.lead).get("/api/v1/kpis/").json()["rectification"] is None
    client.force_login(cast.lead)
    assert 'data-testid="rectification-off"' in client.get("/dashboards/process/").content.decode()
    assert 'data-testid="rectification-off"' in client.get("/dashboards/").content.decode()
    client.force_login(cast.ops)
    assert 'data-testid="rectification-off"' in client.get("/").content.decode()


def _required_defaults(model, cast):
    """Values for the model's other required fields (adapt when the app lands)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default() or field.null or field.blank:
            continue
        if field.name in rectification.FIELDS.values():
            continue
        if field.is_relation:
            if field.related_model._meta.label == "org.User":
                values[field.name] = cast.ops
            elif field.related_model._meta.label == "org.Store":
                values[field.name] = cast.org.hangzhou
        elif field.get_internal_type() in ("CharField", "TextField"):
            values[field.name] = "测试"
        elif field.get_internal_type() == "DateField":
            values[field.name] = dt.date(2026, 9, 1)
    return values


def project(model, cast, n, **roles):
    f = rectification.FIELDS
    fields = {
        **_required_defaults(model, cast),
        f["number"]: f"REF-2026-{n:03d}",
        f["title"]: f"整改项目{n}",
        f["store"]: cast.org.hangzhou,
        f["level"]: "A",
        f["status"]: "executing",
        f["health"]: "green",
        f["ops"]: cast.ops,
    }
    fields.update({f[role]: value for role, value in roles.items()})
    return model._default_manager.create(**fields)


def test_on_time_rate_average_cycle_and_red_projects(cast, MODEL):  # noqa: N803
    planned = "planned_closure"
    # Planned to close in November: two closed in time (one on the planned day itself,
    # 23:30 Beijing), one late, one still open → 2 / 4.
    project(
        MODEL,
        cast,
        1,
        **{
            planned: dt.date(2026, 11, 10),
            "status": "closed",
            "kicked_off_at": bj(2026, 9, 1),
            "closed_at": bj(2026, 11, 10, 23, 30),
        },
    )
    project(
        MODEL,
        cast,
        2,
        **{
            planned: dt.date(2026, 11, 20),
            "status": "closed",
            "kicked_off_at": bj(2026, 10, 1),
            "closed_at": bj(2026, 11, 1),
        },
    )
    project(
        MODEL,
        cast,
        3,
        **{
            planned: dt.date(2026, 11, 5),
            "status": "closed",
            "kicked_off_at": bj(2026, 10, 1),
            "closed_at": bj(2026, 11, 11),
        },
    )
    project(MODEL, cast, 4, **{planned: dt.date(2026, 11, 25), "health": "red"})
    project(
        MODEL, cast, 5, **{planned: dt.date(2026, 11, 25), "status": "cancelled", "health": "red"}
    )
    kpis = rectification.kpis(rectification.visible_projects(cast.lead), NOVEMBER)
    assert (kpis.due, kpis.on_time) == (4, 2)
    assert kpis.on_time_rate == Decimal("0.5")
    # Closed in November: 1 (70.9 days), 2 (31 days), 3 (41 days).
    assert kpis.closed == 3
    assert kpis.avg_cycle_days == pytest.approx((70 + 23.5 / 24 + 31 + 41) / 3, abs=0.01)
    assert kpis.red == 1
    assert [
        rectification.project_attr(p, "number")
        for p in rectification.red_projects(rectification.visible_projects(cast.lead))
    ] == ["REF-2026-004"]


def test_tracking_due_today(cast, MODEL):  # noqa: N803
    project(MODEL, cast, 1, next_tracking_on=dt.date(2026, 11, 30))
    project(MODEL, cast, 2, next_tracking_on=dt.date(2026, 12, 1))
    project(MODEL, cast, 3, next_tracking_on=dt.date(2026, 12, 2))
    project(MODEL, cast, 4, next_tracking_on=dt.date(2026, 11, 1), status="closed")
    due = rectification.tracking_due(rectification.visible_projects(cast.ops), dt.date(2026, 12, 1))
    assert [rectification.project_attr(p, "number") for p in due] == [
        "REF-2026-001",
        "REF-2026-002",
    ]


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
