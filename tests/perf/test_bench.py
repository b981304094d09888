"""The benchmark harness (``closedloop/core/bench.py``, ``manage.py benchmark``): requests
go through the real WSGI application as each role, the page's SQL is captured and timed
bare, jobs are rolled back, exports report their memory, and the table and JSON come out.

These tests commit (``transaction=True``): the harness closes the database connection
after each request as a server does, which a test transaction would not survive."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import connection

from closedloop.core import bench
from issues import bench as issue_bench
from issues import loadgen
from issues.models import Issue, SlaAlert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]

NOW = dt.datetime(2026, 6, 3, 7, 30, tzinfo=dt.UTC)


@pytest.fixture
def data(db):
    return loadgen.generate(stores=12, issues=1500, people=80, seed=4, now=NOW, say=str)


def _case(name, role):
    return next(c for c in issue_bench.CASES if c.name == name and c.role == role)


def test_every_app_contributes_its_cases():
    cases, facts = bench.collect()
    names = {(c.name, c.role) for c in cases}
    for view in issue_bench.VIEWS:
        for role in issue_bench.LIST_ROLES:
            assert (f"issues.list.{view}", role) in names
    for name in ("issues.search.2char", "issues.page.1000", "issues.detail", "issues.triage"):
        assert any(n == name for n, _role in names)
    assert {"issues.api.list", "issues.api.list.deep", "issues.create.api", "issues.sla_sweep"} <= {
        n for n, _role in names
    }
    assert issue_bench.facts in facts
    assert set(bench.ROLES) >= {c.role for c in cases}


def test_a_page_is_measured_through_the_wsgi_app_with_its_bare_sql(data):
    runner = bench.Runner(runs=3, warmup=1, say=str)
    result = runner.measure(_case("issues.list.status", "ops"))
    assert not result.error
    assert result.status == 200 and result.runs == 3
    assert 0 < result.p50_ms <= result.p95_ms <= result.max_ms
    assert 0 < result.queries <= 10
    assert result.main_sql.lstrip().upper().startswith("SELECT")
    assert "issues_issue" in result.main_sql  # the list's query is the slowest
    assert 0 < result.main_sql_ms <= result.all_sql_ms
    assert result.ratio == round(result.p50_ms / result.main_sql_ms, 1)
    assert result.extra["bytes"] > 10_000  # the whole page was read


def test_each_request_gets_a_connection_as_under_a_server(data):
    """With CONN_MAX_AGE = 0 the handler's request_finished closes the connection, as
    gunicorn's requests do; with a positive age it is kept."""
    runner = bench.Runner(runs=1, warmup=1, say=str)
    client = runner.ctx.client("lead")

    def backend_after_request():
        bench._read(client.get("/issues/?view=mine"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    age = connection.settings_dict["CONN_MAX_AGE"]
    try:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()  # the age is read when a connection opens
        first, second = backend_after_request(), backend_after_request()
        assert first != second
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 60
        first, second = backend_after_request(), backend_after_request()
        assert first == second
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = age
        connection.close()


def test_roles_sign_in_as_their_people(data):
    ctx = bench.Context(say=str)
    assert ctx.user("manager").store.monthly_throughput == max(
        Issue.objects.values_list("store__monthly_throughput", flat=True)
    )
    assert ctx.user("ops").stores.count() > 1
    assert ctx.user("head").department == ctx.user("member").department
    response = ctx.client("api").get("/api/v1/issues/?page_size=1")
    assert response.status_code == 200  # a token, not a session
    assert "sessionid" not in ctx.client("api").cookies
    ctx.close()
    from knox.models import AuthToken

    assert not AuthToken.objects.exists()


def test_writes_commit_and_jobs_roll_back(data):
    runner = bench.Runner(runs=2, warmup=1, say=str)
    before = Issue.objects.count()
    created = runner.measure(_case("issues.create.api", "api"))
    assert not created.error and created.status == 201
    assert Issue.objects.count() == before + 4  # warm-up, captured, two timed
    alerts = SlaAlert.objects.count()
    swept = runner.measure(_case("issues.sla_sweep", "lead"))
    assert not swept.error and swept.runs == 3  # the case's own number of runs
    assert swept.extra["open_issues"] == Issue.objects.open().count()
    assert SlaAlert.objects.count() == alerts  # every run rolled back
    form = runner.measure(_case("issues.create.page", "manager"))
    assert not form.error and form.status == 302  # the form's CSRF token was sent
    runner.ctx.close()


def test_an_export_reports_its_rows_and_memory(data):
    runner = bench.Runner(runs=1, warmup=1, say=str)
    result = runner.measure(_case("issues.export.1000", "lead"))
    assert not result.error
    assert result.extra["rows"] >= 1000
    assert result.extra["python_peak_mb"] > 0
    assert "issues_issue" in result.main_sql  # the iterator's DECLARE … FOR SELECT
    assert result.ok is None  # no time budget: reported, not judged


def test_a_failing_case_is_reported_and_the_others_run(data):
    runner = bench.Runner(runs=1, warmup=1, say=str)
    results = runner.run(
        [
            bench.Case("missing", path="/issues/ISS-1999-00001/"),
            bench.Case("home", path="/"),
        ]
    )
    assert results[0].ok is False and "404" in results[0].error
    assert results[1].status == 200 and not results[1].error


def test_command_prints_the_table_and_writes_json(data, tmp_path, capsys):
    target = tmp_path / "bench.json"
    call_command(
        "benchmark",
        "--only",
        "issues.list.priority",
        "--role",
        "manager",
        "--runs",
        "2",
        "--warmup",
        "1",
        "--json",
        str(target),
        "--markdown",
        str(tmp_path / "table.md"),
    )
    out = capsys.readouterr().out
    assert "p50 ms" in out and "issues.list.priority" in out and "manager" in out
    payload = json.loads(target.read_text())
    assert payload["meta"]["issues"] == 1500
    assert payload["meta"]["cpus"] >= 1
    [row] = payload["results"]
    assert row["name"] == "issues.list.priority" and row["runs"] == 2
    assert row["p95_ms"] >= row["p50_ms"] > 0
    assert row["budget_ms"] == bench.PAGE_BUDGET_MS
    header, rule, line = (tmp_path / "table.md").read_text().splitlines()
    assert header.startswith("| case | role | p50 | p95 | q | SQL | ratio |") and "---:" in rule
    assert line.startswith("| issues.list.priority | manager | ")
    assert f"| {row['queries']} |" in line


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 11)]
    assert bench.percentile(values, 50) == 5.0
    assert bench.percentile(values, 95) == 10.0
    assert bench.percentile([3.0], 95) == 3.0
