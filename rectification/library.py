"""The case library (案例库, DOMAIN.md §7): closure step 5 (经验总结) writes a project's
case — problem, root cause, solution with its cost and duration, the effect (a metric
before → after and its change %), ROI, replicability (1–5 stars), the recommended scope —
and keeps it editable. The triage queue suggests the matching cases of every new issue.

``change_percent`` is the arithmetic (pure, table-tested); ``save_case`` the one service
that writes a case (atomic, every bad field named at once, nothing half-saved)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from closedloop.core.queries import ids_of_each
from issues.choices import Category

from .choices import MAX_STARS, MIN_STARS, SUGGESTED_CASES, Action
from .models import Case, Project, Reading
from .services import _check_text, _decimal, _Errors, _int
from .workflow import PROJECT_FLOW

TEXT_FIELDS = {
    # field: (required message or None, max length or None)
    "title": (gettext_lazy("请填写案例标题。"), 200),
    "problem": (gettext_lazy("请填写问题。"), None),
    "root_cause": (gettext_lazy("请填写根因。"), None),
    "solution": (gettext_lazy("请填写解决方案。"), None),
    "metric": (gettext_lazy("请填写效果指标。"), 100),
    "unit": (None, 20),
    "cost_note": (None, 300),
    "roi_note": (None, 300),
    "recommended_scope": (None, 300),
}
MAX_DURATION_DAYS = 3650


def change_percent(before, after) -> Decimal | None:
    """The effect's change in % of the value before, to one decimal (47 → 29.5: −37.2);
    None when there is no value before to compare with."""
    if before is None or after is None:
        return None
    before, after = Decimal(before), Decimal(after)
    if before == 0:
        return None
    return ((after - before) / before * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def project_category(project: Project) -> str:
    """The project's issue category (the category of the issue it came from), or ""."""
    return project.issue.category if project.issue_id else ""


def _latest_reading(goal) -> Decimal | None:
    reading = (
        Reading.objects.filter(goal=goal).order_by("-log__date", "-pk").values("value").first()
    )
    return reading["value"] if reading else None


def _effect_after(project: Project, goal) -> Decimal | None:
    """The goal's value after: the observation's mean (the sustainability verdict's), else
    its latest tracking reading."""
    for row in project.sustainability_goals or []:
        if row.get("goal") == goal.pk and row.get("mean") is not None:
            return Decimal(str(row["mean"]))
    return _latest_reading(goal)


def case_initial(project: Project) -> dict:
    """A new case pre-filled from its project: the kick-off's problem, root causes,
    measures, execution period and first core goal (before = its baseline, after = the
    observation's mean, else its latest reading)."""
    goal = project.goals.filter(core=True).order_by("order", "pk").first()
    duration = None
    if project.execution_from and project.execution_to:
        duration = (project.execution_to - project.execution_from).days + 1
    return {
        "title": project.title,
        "category": project_category(project),
        "problem": project.problem,
        "root_cause": "；".join(project.root_causes.values_list("text", flat=True)),
        "solution": "\n".join(project.measures.values_list("text", flat=True)),
        "duration_days": duration,
        "metric": goal.name if goal else "",
        "unit": goal.unit if goal else "",
        "before": goal.baseline if goal else None,
        "after": _effect_after(project, goal) if goal else None,
        "replicability": 3,
    }


def case_data(case: Case) -> dict:
    """A case as the dict ``save_case`` takes (the edit form's initial values)."""
    return {
        field: getattr(case, field)
        for field in (
            "title",
            "category",
            "problem",
            "root_cause",
            "solution",
            "cost",
            "cost_note",
            "duration_days",
            "metric",
            "unit",
            "before",
            "after",
            "roi",
            "roi_note",
            "replicability",
            "recommended_scope",
        )
    }


def _clean(data: Mapping, project: Project) -> dict:
    errors = _Errors()
    cleaned: dict = {}
    for field, (required, limit) in TEXT_FIELDS.items():
        cleaned[field] = _check_text(
            errors,
            field,
            data.get(field),
            required_message=str(required) if required else None,
            limit=limit,
        )
    category = data.get("category") or project_category(project)
    if category in (None, ""):
        errors.add("category", _("请选择问题分类。"))
    elif category not in Category.values:
        errors.add(
            "category",
            _("问题分类应为以下之一：%(c)s。") % {"c": "、".join(str(c.label) for c in Category)},
        )
    cleaned["category"] = category or ""
    cleaned["before"] = _decimal(
        errors, "before", data.get("before"), required_message=_("请填写整改前的数值。")
    )
    cleaned["after"] = _decimal(
        errors, "after", data.get("after"), required_message=_("请填写整改后的数值。")
    )
    for field in ("cost", "roi"):
        value = _decimal(errors, field, data.get(field))
        if value is not None and value < 0:
            errors.add(field, _("不能为负数。"))
        cleaned[field] = value
    cleaned["duration_days"] = _int(
        errors, "duration_days", data.get("duration_days"), low=1, high=MAX_DURATION_DAYS
    )
    stars = data.get("replicability")
    cleaned["replicability"] = _int(
        errors,
        "replicability",
        stars,
        low=MIN_STARS,
        high=MAX_STARS,
        required_message=_("请评定可复制性（%(a)d–%(b)d 星）。") % {"a": MIN_STARS, "b": MAX_STARS},
    )
    if errors.get("replicability") and stars not in (None, ""):
        errors["replicability"] = [
            _("可复制性应为 %(a)d–%(b)d 星。") % {"a": MIN_STARS, "b": MAX_STARS}
        ]
    errors.raise_if_any()
    return cleaned


@transaction.atomic
def save_case(*, project: Project, actor, data: Mapping, at: dt.datetime | None = None) -> Case:
    """Write (or rewrite) the project's case from closure step 5. The project's ops
    specialist (or the quality lead) writes it while the project waits for closure or
    after it closed."""
    at = at or timezone.now()
    project = PROJECT_FLOW.lock(project)
    PROJECT_FLOW.check(project, Action.WRITE_CASE, actor)
    cleaned = _clean(data, project)
    case = Case.objects.filter(project=project).first()
    created = case is None
    if created:
        case = Case(
            project=project,
            store_tier=project.store.tier,
            created_by=actor,
            created_at=at,
        )
    for field, value in cleaned.items():
        setattr(case, field, value)
    case.updated_at = at
    case.save()
    PROJECT_FLOW.record(
        project,
        actor=actor,
        at=at,
        action=Action.WRITE_CASE,
        body=case.title,
        data={"case": case.pk, "created": created},
    )
    return case


#: The order of suggested cases (``Case.Meta.indexes`` holds it per category).
BEST_FIRST = [F("replicability").desc(), F("created_at").desc(), F("pk").desc()]


def suggested_cases(user, categories: Iterable[str], limit: int = SUGGESTED_CASES) -> dict:
    """category -> the ``limit`` best cases of that category ``user`` may see (most
    replicable first, then the newest), in two queries whatever the number of
    categories: each category's ids from its own index range, then those rows."""
    categories = sorted({c for c in categories if c})
    if not categories:
        return {}
    visible = Case.objects.visible_to(user)
    ids = ids_of_each(
        {
            category: visible.filter(category=category)
            .order_by(*BEST_FIRST)
            .values_list("pk", flat=True)[:limit]
            for category in categories
        }
    )
    rows = Case.objects.select_related("project__store").in_bulk(
        [pk for pks in ids.values() for pk in pks]
    )
    found = {c: [rows[pk] for pk in ids[c] if pk in rows] for c in categories}
    return found
