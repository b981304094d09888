"""``manage.py benchmark board --issues 100000``: time the KPI board for a month and for a
year over generated data.

Generates ``--issues`` issues spread over the last 400 days straight in SQL
(generate_series), stored in order of submission as a live system stores them: every priority, department, category and state, with stored response
due times and first responses (some late), resolutions after 1–40 days, closures a week
later; rejected and duplicate ones too. Then it times, repeatedly, the board of the last
full month and of the last 365 days — the computation (``build_board``) and the whole
page through the WSGI stack as the quality lead — and the process page of the month, and
removes what it generated unless ``--keep``."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from closedloop.org.choices import Role
from closedloop.org.models import Department, Region, Store, User

from .board import build_board
from .periods import Period, local_date, month

PREFIX = "BENCHKPI-"
USER = "bench_kpi_lead"
ISSUE_PREFIX = "ISS-1901-"  # a year no real issue has (the SLA benchmark uses 1900)
STORES = 300
DEPARTMENTS = ("IT", "OPS", "SCM", "TRN")
RESPONSE_HOURS = {"P0": 1, "P1": 24, "P2": 72, "P3": 168}


def _org():
    region = Region.objects.create(code=f"{PREFIX}R", name="压测区域")
    stores = Store.objects.bulk_create(
        Store(
            code=f"{PREFIX}S{n:04d}",
            name=f"压测门店 {n}",
            city="压测",
            region=region,
            tier="ABC"[n % 3],
            monthly_throughput=300,
        )
        for n in range(STORES)
    )
    departments = [
        Department.objects.create(code=f"{PREFIX}{code}", name=f"压测{code}")
        for code in DEPARTMENTS
    ]
    lead = User(username=USER, role=Role.QUALITY_LEAD, email="")
    lead.set_unusable_password()
    lead.save()
    return [s.pk for s in stores], [d.pk for d in departments], lead


def _generate(issues: int, now: dt.datetime) -> tuple[User, int]:
    stores, departments, lead = _org()
    response = (
        "CASE p.priority "
        + " ".join(f"WHEN '{p}' THEN interval '{h} hours'" for p, h in RESPONSE_HOURS.items())
        + " END"
    )
    params = {
        "n": issues,
        "now": now,
        "stores": stores,
        "departments": departments,
        "lead": lead.pk,
        "prefix": ISSUE_PREFIX,
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            f"""
            INSERT INTO issues_issue (
                number, store_id, category, title, description, impact_scope, channel,
                external_ref, external_source, status, priority, suggested_priority,
                department_id, submitted_by_id, submitted_at, first_response_at, resolved_at,
                closed_at, updated_at, response_due_at, resolution_due_at, sla_business_hours,
                sla_calendar_gap, resolution, reject_reason, rating_comment, reopen_count
            )
            SELECT
                %(prefix)s || lpad(p.n::text, 8, '0'),
                (%(stores)s::bigint[])[1 + p.n %% array_length(%(stores)s::bigint[], 1)],
                (ARRAY['system', 'process', 'supply_chain', 'people'])[1 + p.n %% 4],
                '压测问题 ' || p.n, '由 manage.py benchmark board 生成', 'store', 'web', '', '',
                p.status, p.priority, p.priority,
                (%(departments)s::bigint[])[1 + p.n %% array_length(%(departments)s::bigint[], 1)],
                %(lead)s,
                p.submitted_at,
                CASE WHEN p.r_answer < 0.9
                     THEN least(p.submitted_at + ({response}) * (p.r_answer * 1.3), %(now)s) END,
                p.resolved_at,
                CASE WHEN p.status = 'closed' THEN p.resolved_at + interval '7 days'
                     WHEN p.status IN ('rejected', 'duplicate')
                     THEN p.submitted_at + interval '1 hour' END,
                %(now)s,
                p.submitted_at + ({response}),
                p.submitted_at + interval '15 days',
                false, false, '', '', '', 0
            FROM (
                SELECT d.n, d.r_answer,
                       CASE WHEN d.r_pri < 0.05 THEN 'P0' WHEN d.r_pri < 0.30 THEN 'P1'
                            WHEN d.r_pri < 0.75 THEN 'P2' ELSE 'P3' END AS priority,
                       d.submitted_at,
                       CASE WHEN d.kind = 'done'
                            THEN least(d.submitted_at + interval '1 day' * (1 + d.r_days * 39),
                                       %(now)s - interval '8 days') END AS resolved_at,
                       CASE d.kind WHEN 'done' THEN
                                CASE WHEN d.r_state < 0.5 THEN 'closed' ELSE 'resolved' END
                            WHEN 'void' THEN
                                CASE WHEN d.r_state < 0.5 THEN 'rejected' ELSE 'duplicate' END
                            ELSE (ARRAY['submitted', 'triaged', 'in_progress',
                                        'waiting_for_store'])[1 + floor(d.r_state * 4)::int]
                       END AS status
                FROM (
                    SELECT g AS n, random() AS r_pri, random() AS r_answer, random() AS r_days,
                           random() AS r_state,
                           %(now)s - interval '1 day' * (random() * 400) AS submitted_at,
                           CASE WHEN random() < 0.04 THEN 'void'
                                WHEN random() < 0.85 THEN 'done' ELSE 'open' END AS kind
                    FROM generate_series(1, %(n)s) AS g
                ) AS d
            ) AS p
            -- Rows land in the table as issues arrive: in order of submission.
            ORDER BY p.submitted_at
            """,
            params,
        )
        count = cursor.rowcount
        cursor.execute("ANALYZE issues_issue")
    return lead, count


def _clean() -> None:
    statements = [
        "DELETE FROM issues_issue WHERE number LIKE %(issues)s",
        "DELETE FROM org_userevent WHERE pgh_obj_id IN "
        "(SELECT id FROM org_user WHERE username = %(user)s)",
        "DELETE FROM org_user WHERE username = %(user)s",
        "DELETE FROM org_departmentevent WHERE pgh_obj_id IN "
        "(SELECT id FROM org_department WHERE code LIKE %(prefix)s)",
        "DELETE FROM org_department WHERE code LIKE %(prefix)s",
        "DELETE FROM org_storeevent WHERE pgh_obj_id IN "
        "(SELECT id FROM org_store WHERE code LIKE %(prefix)s)",
        "DELETE FROM org_store WHERE code LIKE %(prefix)s",
        "DELETE FROM org_regionevent WHERE pgh_obj_id IN "
        "(SELECT id FROM org_region WHERE code LIKE %(prefix)s)",
        "DELETE FROM org_region WHERE code LIKE %(prefix)s",
    ]
    params = {"issues": ISSUE_PREFIX + "%", "user": USER, "prefix": PREFIX + "%"}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


def _timed(func, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _line(label: str, times: list[float]) -> str:
    return (
        f"  {label:<44} p50 {statistics.median(times):7.0f} ms   "
        f"min {min(times):7.0f} ms   max {max(times):7.0f} ms   ({len(times)} runs)"
    )


def run_board_benchmark(
    say, *, issues: int = 100_000, runs: int = 5, keep: bool = False, yes: bool = False
) -> dict:
    """Generate, time, clean up. ``say`` prints a line. Returns the p50 figures (ms)."""
    from issues.models import Issue

    if issues <= 0 or runs <= 0:
        raise ValueError("--issues and --runs must be positive")
    others = Issue.objects.exclude(number__startswith=ISSUE_PREFIX).count()
    if others and not yes:
        raise ValueError(
            f"This database holds {others} other issue(s); the board would count them too. "
            "Run it on a scratch database, or pass --yes."
        )
    if Region.objects.filter(code=f"{PREFIX}R").exists():
        say("Removing the data of an earlier --keep run …")
        _clean()
    now = timezone.now().replace(microsecond=0)
    db = connection.settings_dict
    say(f"Database {db['NAME']} on {db.get('HOST') or 'localhost'}.")
    say(f"Generating {issues:,} issues over the last 400 days in {STORES} stores …")
    started = time.perf_counter()
    with transaction.atomic():
        lead, count = _generate(issues, now)
    say(f"  generated {count:,} issues in {time.perf_counter() - started:.1f} s")
    today = local_date(now)
    last_month = month(today.replace(day=1) - dt.timedelta(days=1))
    year = Period("range", today - dt.timedelta(days=364), today)
    results = {}
    try:
        client = Client(HTTP_HOST="localhost")
        client.force_login(lead)
        month_query = f"?period={last_month.code}"
        year_query = f"?kind=range&from={year.first_day}&to={year.last_day}"
        cases = [
            (
                "board_month",
                f"board of {last_month.code} (computation)",
                lambda: build_board(lead, last_month, now=now),
            ),
            (
                "board_year",
                "board of the last 365 days (computation)",
                lambda: build_board(lead, year, now=now),
            ),
            (
                "board_month_page",
                f"/dashboards/{month_query} (page)",
                lambda: client.get(f"/dashboards/{month_query}"),
            ),
            (
                "board_year_page",
                "/dashboards/?kind=range… 365 days (page)",
                lambda: client.get(f"/dashboards/{year_query}"),
            ),
            (
                "process_month_page",
                f"/dashboards/process/{month_query} (page)",
                lambda: client.get(f"/dashboards/process/{month_query}"),
            ),
            (
                "kpis_api_month",
                f"/api/v1/kpis/{month_query} (API)",
                lambda: client.get(f"/api/v1/kpis/{month_query}"),
            ),
        ]
        say(f"Timing ({runs} runs each, after one warm-up):")
        for key, label, func in cases:
            func()  # warm-up
            times = _timed(func, runs)
            results[key] = statistics.median(times)
            say(_line(label, times))
        board = build_board(lead, last_month, now=now)
        say(
            f"  (month: {board.kpis.submitted:,} submitted, backlog {board.kpis.backlog:,}, "
            f"resolution rate {float(board.kpis.resolution_rate or 0):.1%})"
        )
    finally:
        if keep:
            say(f"Kept the generated data (issues {ISSUE_PREFIX}*, codes {PREFIX}*, user {USER}).")
        else:
            started = time.perf_counter()
            _clean()
            say(f"Cleaned up in {time.perf_counter() - started:.1f} s.")
    return results
