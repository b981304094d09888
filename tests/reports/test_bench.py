"""The reports' benchmark cases (``reports/bench.py``): a month's and a week's reports are
generated over generated data through the harness, and rolled back after each run.

Committing test (``transaction=True``): the harness closes the connection after each
request as a server does."""

import datetime as dt

import pytest
from django.db.models import Max

from closedloop.core import bench
from closedloop.org.models import Region
from dashboards import periods
from issues import loadgen
from issues.models import Issue
from reports import bench as report_bench
from reports.models import Report
from tests.celery_fixtures import seed_reference_data

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def data(db):
    seed_reference_data()  # the work calendar a committing test may have truncated
    return loadgen.generate(stores=6, issues=400, people=40, seed=4, now=NOW, say=str)


def _case(name, role="lead"):
    return next(c for c in report_bench.CASES if c.name == name and c.role == role)


def test_the_cases_are_collected():
    cases, facts = bench.collect()
    names = {c.name for c in cases}
    assert {"reports.generate.month", "reports.generate.week", "reports.list"} <= names
    assert report_bench.facts in facts


def test_a_month_of_reports_is_generated_and_rolled_back(data):
    runner = bench.Runner(runs=1, warmup=0, say=str)
    result = runner.measure(_case("reports.generate.month"))
    assert not result.error, result.error
    latest = periods.local_date(Issue.objects.aggregate(at=Max("submitted_at"))["at"])
    assert result.extra["period"] == periods.month(latest).previous().code
    assert result.extra["reports"] == 2 * (1 + Region.objects.count())  # both kinds
    assert not Report.objects.exists()  # rolled back
    page = runner.measure(_case("reports.list", "director"))
    assert page.status == 200 and not page.error
