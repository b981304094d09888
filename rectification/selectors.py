"""Read-side querysets shared by the pages and the API: visible projects with everything
their lists and detail views read joined or prefetched, so that the number of queries
does not grow with the rows, the tracking records or the measures."""

from __future__ import annotations

from django.db.models import Prefetch

from .models import (
    Acceptance,
    AcceptanceGoal,
    Measure,
    Project,
    ProjectEvent,
    Recheck,
    SignOff,
    TrackingLog,
)

LIST_RELATED = ("store__region", "issue", "ops_specialist", "regional_director")


def list_queryset(user):
    return (
        Project.objects.visible_to(user)
        .select_related(*LIST_RELATED)
        .order_by("-created_at", "-pk")
    )


def detail_queryset(user):
    logs = (
        TrackingLog.objects.select_related("recorder")
        .prefetch_related("in_progress", "difficulties", "solutions", "readings")
        .order_by("date", "pk")
    )
    return (
        Project.objects.visible_to(user)
        .select_related(*LIST_RELATED, "created_by")
        .prefetch_related(
            "symptoms",
            "whys",
            "root_causes",
            "goals",
            Prefetch("measures", queryset=Measure.objects.select_related("owner")),
            Prefetch("signoffs", queryset=SignOff.objects.select_related("user")),
            Prefetch("tracking_logs", queryset=logs),
            Prefetch("events", queryset=ProjectEvent.objects.select_related("actor")),
            Prefetch("acceptances", queryset=acceptances_queryset()),
            Prefetch("rechecks", queryset=rechecks_queryset()),
        )
    )


def acceptances_queryset():
    """Scorecards with their goals and signers, oldest first."""
    goals = AcceptanceGoal.objects.select_related("goal").order_by("goal__order", "pk")
    return (
        Acceptance.objects.select_related("assessor", "store_manager")
        .prefetch_related(Prefetch("goals", queryset=goals))
        .order_by("date", "created_at", "pk")
    )


def rechecks_queryset():
    return (
        Recheck.objects.select_related("recorder")
        .prefetch_related("readings")
        .order_by("date", "pk")
    )


def latest_readings(project) -> dict:
    """goal id -> its latest reading (from the prefetched tracking records)."""
    latest = {}
    for log in project.tracking_logs.all():
        for reading in log.readings.all():
            latest[reading.goal_id] = reading.value
    return latest


def issue_project_number():
    """Subquery: the REF number of an issue's project (the latest one not cancelled, else
    the latest), for the issues API's ``rectification`` field."""
    from django.db.models import Case, OuterRef, Subquery, Value, When

    from .choices import Status

    projects = (
        Project.objects.filter(issue=OuterRef("pk"))
        .order_by(
            Case(When(status=Status.CANCELLED, then=Value(1)), default=Value(0)), "-created_at"
        )
        .values("number")[:1]
    )
    return Subquery(projects)


# --- acceptance and observation (read by the closure checklist) -------------------------


def latest_acceptance(project, kind: str | None = None):
    """The project's latest scorecard (of ``kind`` when given), or None. Uses the
    prefetched ``acceptances`` when the project has them."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "acceptances" in cache:
        rows = [a for a in project.acceptances.all() if kind is None or a.kind == kind]
        rows.sort(key=lambda a: (a.date, a.created_at, a.pk))
        return rows[-1] if rows else None
    from .models import Acceptance

    queryset = Acceptance.objects.filter(project=project)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset.order_by("-date", "-created_at", "-pk").first()


def observation_period(project) -> tuple | None:
    """(from, to) of the observation period, or None when it is not planned."""
    if project.observation_from is None or project.observation_to is None:
        return None
    return project.observation_from, project.observation_to


def rechecks_planned(project) -> int:
    """How many rechecks the observation period holds at the project's observation
    cadence (DOMAIN.md §7: 10/1–10/31 weekly → 4); 0 without a period."""
    period = observation_period(project)
    if period is None or project.observation_every_days < 1:
        return 0
    days = (period[1] - period[0]).days + 1
    return max(days // project.observation_every_days, 0)


def rechecks_done(project) -> int:
    """How many observation rechecks were recorded."""
    cache = getattr(project, "_prefetched_objects_cache", {})
    if "rechecks" in cache:
        return len(project.rechecks.all())
    return project.rechecks.count()


def project_sustainability(project) -> dict | None:
    """The API's ``sustainability``: ``{"verdict", "goals": [{"goal", "name", "mean",
    "min", "max", "readings", "within", "verdict"}]}`` (numbers as floats), or None before
    the first recheck."""
    if not project.sustainability_verdict:
        return None
    goals = []
    for row in project.sustainability_goals:
        goals.append(
            {
                "goal": row["goal"],
                "name": row.get("name", ""),
                "mean": float(row["mean"]),
                "min": float(row["min"]),
                "max": float(row["max"]),
                "readings": row["readings"],
                "within": row["within"],
                "verdict": row["verdict"],
            }
        )
    return {"verdict": project.sustainability_verdict, "goals": goals}


def triage_hints(user, issues) -> dict:
    """For the triage queue (DOMAIN.md §7): issue pk -> ``{"recurrences": [projects it may
    be the recurrence of], "cases": [suggested cases of its category]}``, only what
    ``user`` may see, in three queries whatever the number of issues."""
    from .library import suggested_cases
    from .models import Recurrence

    issues = list(issues)
    if not issues:
        return {}
    links = (
        Recurrence.objects.filter(issue__in=[i.pk for i in issues])
        .filter(project__in=Project.objects.visible_to(user))
        .select_related("project")
        .order_by("issue_id", "-project__created_at")
    )
    recurrences: dict[int, list] = {}
    for link in links:
        recurrences.setdefault(link.issue_id, []).append(link.project)
    cases = suggested_cases(user, (i.category for i in issues))
    return {
        i.pk: {"recurrences": recurrences.get(i.pk, []), "cases": cases.get(i.category, [])}
        for i in issues
    }
