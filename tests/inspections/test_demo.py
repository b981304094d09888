"""The demo puts the source's improvement board on screen (A店 11/20 12 findings 8/3/1
67 %, B店 11/15 10 → 9/1/0 90 %, C店 11/22 15 → 5/7/3 33 % red) on demo stores, with a
few more in every state; loading again adds nothing, and nobody is mailed."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from closedloop.notifications.models import Delivery
from closedloop.org.demo import load_org
from inspections import board
from inspections.demo import load_inspections
from inspections.models import Inspection

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)  # the source's board was read on 12/01


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_sources_board_and_every_state(db):
    load_org()
    assert load_inspections(today=TODAY) == 11
    rows = {r.store.code: r for r in board.board_queryset(Inspection.objects.all())}
    expected = {
        "HZ001": (dt.date(2026, 11, 20), 12, 8, 3, 1, "green"),  # A店 67 %
        "SH001": (dt.date(2026, 11, 15), 10, 9, 1, 0, "green"),  # B店 90 %
        "GZ001": (dt.date(2026, 11, 22), 15, 5, 7, 3, "red"),  # C店 33 %
    }
    for code, values in expected.items():
        row = rows[code]
        assert (
            row.inspected_on,
            row.findings_n,
            row.solved_n,
            row.in_progress_n,
            row.not_started_n,
            row.risk,
        ) == values, code
    assert [round(rows[c].completion * 100) for c in ("HZ001", "SH001", "GZ001")] == [67, 90, 33]
    # A few more, in every state and colour.
    assert {r.risk for r in rows.values()} == {"red", "yellow", "green"}
    assert rows["NB001"].risk == "yellow" and rows["NB001"].needs_support
    statuses = set(Inspection.objects.values_list("status", flat=True))
    assert statuses == {"draft", "following_up", "accepted", "closed"}
    closed = Inspection.objects.get(store__code="CD001")
    assert [f"{m.current.normalize():f}" for m in closed.metrics.order_by("pk")] == [
        "28",
        "72",
        "1.5",
    ]
    assert closed.experience.title.startswith("通过系统优化和流程改进")
    # The source's stores have a score history for their trend.
    assert Inspection.objects.filter(store__code="HZ001").exclude(status="draft").count() == 2


def test_load_demo_loads_them_once_and_mails_nobody(db):
    out = io.StringIO()
    call_command("load_demo", "--issues", "0", stdout=out)
    assert "演示巡检：新增 11 次" in out.getvalue()
    out = io.StringIO()
    call_command("load_demo", "--issues", "0", stdout=out)
    assert "演示巡检：新增 0 次" in out.getvalue()
    assert Inspection.objects.count() == 11
    assert not Delivery.objects.exists()
    out = io.StringIO()
    call_command("load_demo", "--issues", "0", "--no-inspections", stdout=out)
    assert "演示巡检" not in out.getvalue()
