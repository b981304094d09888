"""``manage.py benchmark board`` generates issues, times the board for a month and a year
(computation, pages, API) and removes everything it generated."""

import io

import pytest
from django.core.management import CommandError, call_command

from closedloop.org.models import Region, Store, User
from issues.models import Issue

from .helpers import bj, make_issue

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_board_benchmark_runs_and_cleans_up():
    out = io.StringIO()
    call_command("benchmark", "board", "--issues", "300", "--runs", "1", stdout=out)
    text = out.getvalue()
    for line in (
        "generated 300 issues",
        "(computation)",
        "365 days",
        "/dashboards/process/",
        "/api/v1/kpis/",
        "Cleaned up",
    ):
        assert line in text, line
    assert not Issue.objects.exists()
    assert not Store.objects.filter(code__startswith="BENCHKPI-").exists()
    assert not User.objects.filter(username="bench_kpi_lead").exists()
    assert not Region.objects.exists()


def test_it_refuses_a_database_with_real_issues(cast):
    make_issue(cast, submitted_at=bj(2026, 11, 2))
    with pytest.raises(CommandError, match="other issue"):
        call_command("benchmark", "board", "--issues", "10", stdout=io.StringIO())
    assert Issue.objects.count() == 1
