"""The demo's ending of the source's case: after the formal acceptance of 95 (优秀) on
11/1, all seven steps done → 完全闭环 at 100, closed, and its case in the library with the
source's figures; loading again changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from rectification import closure
from rectification.models import Case, Project, ProjectEvent

pytestmark = pytest.mark.django_db


def load():
    call_command("load_demo", "--issues", "0", stdout=io.StringIO())


def test_the_source_case_closes_fully_with_its_case():
    load()
    project = Project.objects.get(store__code="HZ001", title="客户等待时间过长")
    assert project.status == "closed"
    result = closure.checklist(project)
    assert (result.verdict, result.level, result.completed_steps) == ("full", 100, 7)
    items = {i.key: i for s in result.steps for i in s.items}
    assert items["acceptance_result"].value.startswith("95 分 · 优秀")
    assert items["rechecks_done"].value == "4/4"
    assert items["trend"].value == "优秀"
    closed = ProjectEvent.objects.get(project=project, to_status="closed")
    assert timezone.localdate(closed.at) == dt.date(2025, 11, 1)
    assert closed.data == {"verdict": "full", "level": 100, "completed_steps": 7}
    case = Case.objects.get(project=project)
    assert case.title == "客户等待时间优化四步法"
    assert (case.before, case.after, case.change_percent) == (
        Decimal("47"),
        Decimal("29.5"),
        Decimal("-37.2"),
    )
    assert (case.cost, case.duration_days, case.roi, case.replicability) == (
        Decimal("8000"),
        7,
        Decimal("26"),
        5,
    )
    assert (case.category, case.store_tier) == ("process", "B")
    # Loading again adds and changes nothing.
    load()
    assert Case.objects.count() == 1
    assert ProjectEvent.objects.filter(project=project, to_status="closed").count() == 1
