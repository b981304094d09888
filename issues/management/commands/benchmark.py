"""``manage.py benchmark sla_sweep --issues 100000``: time the SLA sweep on a big backlog.

Generates open issues with their ladder milestones straight in SQL (generate_series), as a
busy network would have them, times ``sla_sweep`` twice (the run that raises what is due,
then a run that finds nothing new) and removes everything it generated unless ``--keep``.

The generated backlog, at the benchmark moment ``now``:
- ``--due-share`` (default 2 %) of the issues have a rung of their response ladder that
  came due in the last ``--window`` minutes (default 10: a sweep backlog), untriaged or
  triaged and not yet answered, so the first sweep raises an alert for each;
- the rest were submitted over the last days or weeks (longer for lower priorities), in
  every open status; their milestones that came due before the window were raised by
  earlier sweeps (their ``SlaAlert`` rows exist), the others lie ahead.
Working-time clocks (P2, P3) are approximated in calendar time (1 working day ≈ 1.4
days): the sweep compares stored moments and never computes them.

The benchmark people have no e-mail address and there are no group bots, so nothing is
sent; their inbox rows are written as in production. Everyone else is left alone, except
that active quality leads outside the benchmark are notified of the 200 % rungs too —
which is why it refuses to run on a database holding other issues unless ``--yes``."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from closedloop.core import jobs
from closedloop.core.bench import add_harness_arguments, run_harness
from closedloop.org.choices import Role
from closedloop.org.models import Department, Region, Store, User

PREFIX = "BENCH-"  # store, department and region codes
USER_PREFIX = "bench_"
#: Issue numbers keep the real format (ISS-YYYY-NNNNN, which the URLs require) in a
#: year no real issue has.
ISSUE_PREFIX = "ISS-1900-"
STORES = 200
DEPARTMENTS = ("IT", "OPS", "SCM", "TRN")

# Calendar seconds of each clock per priority (working time stretched by 7/5 × 24/9).
HOUR, DAY = 3600, 86400
WORKING_HOUR = 7 / 5 * 24 / 9 * HOUR
RESPONSE = {"P0": 1 * HOUR, "P1": 24 * HOUR, "P2": 72 * WORKING_HOUR, "P3": 168 * WORKING_HOUR}
RESOLUTION = {
    "P0": 3 * DAY,
    "P1": 7 * DAY,
    "P2": 15 * 9 * WORKING_HOUR,
    "P3": 30 * 9 * WORKING_HOUR,
}
#: How far back open issues of each priority were submitted (uniformly).
AGE = {"P0": 2 * DAY, "P1": 10 * DAY, "P2": 30 * DAY, "P3": 60 * DAY}


def _case(mapping: dict[str, float], column: str = "p.priority") -> str:
    whens = " ".join(f"WHEN '{key}' THEN {value!r}" for key, value in mapping.items())
    return f"(CASE {column} {whens} END)"


class Command(BaseCommand):
    help = (
        "Without arguments: measure every app's benchmark cases (closedloop/core/bench.py) on "
        "the data in the database (manage.py generate_load) and print the table. "
        "`benchmark sla_sweep --issues 100000` generates open issues with SLA milestones, "
        "times the sweep twice and cleans up."
    )

    def add_arguments(self, parser):
        parser.add_argument("job", nargs="?", choices=["sla_sweep", "board"])
        add_harness_arguments(parser)
        parser.add_argument("--issues", type=int, default=100_000, help="open issues")
        parser.add_argument(
            "--closed",
            type=int,
            default=0,
            help="closed issues of the last six months on top (their milestones stay stored)",
        )
        parser.add_argument(
            "--due-share",
            type=float,
            default=0.02,
            help="share of issues with a ladder rung due at the benchmark moment (default 0.02)",
        )
        parser.add_argument(
            "--window",
            type=int,
            default=10,
            help="minutes of sweep backlog the due rungs fall in (default 10)",
        )
        parser.add_argument("--seed", type=float, default=0.42, help="random seed, -1..1")
        parser.add_argument("--keep", action="store_true", help="leave the generated data")
        parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE")
        parser.add_argument(
            "--yes", action="store_true", help="run even if the database holds other issues"
        )

    # ----------------------------------------------------------------------- main

    def handle(
        self, *args, job, issues, closed, due_share, window, seed, keep, explain, yes, **options
    ):
        if job is None:
            run_harness(self, **options)
            return
        if job == "board":  # the KPI board for a month and a year (dashboards/bench.py)
            from dashboards.bench import run_board_benchmark

            try:
                run_board_benchmark(
                    self.say, issues=issues, runs=options["runs"], keep=keep, yes=yes
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            return
        if issues <= 0 or closed < 0:
            raise CommandError("--issues must be positive, --closed not negative")
        if not 0 <= due_share <= 1:
            raise CommandError("--due-share must be between 0 and 1")
        self._refuse_unless_empty(yes)
        if self._leftovers():
            self.say("Removing the data of an earlier --keep run …")
            self._clean()

        now = timezone.now().replace(microsecond=0)
        window_td = dt.timedelta(minutes=window)
        db = connection.settings_dict
        self.say(
            f"Database {db['NAME']} on {db.get('HOST') or 'localhost'}; "
            f"benchmark moment {timezone.localtime(now):%Y-%m-%d %H:%M:%S %Z}."
        )
        try:
            self._generate(issues, closed, due_share, window_td, seed, now)
            self._measure(now, explain)
        finally:
            if keep:
                self.say(
                    f"Kept the generated data (issues {ISSUE_PREFIX}*, codes {PREFIX}*, "
                    f"users {USER_PREFIX}*)."
                )
            else:
                started = time.perf_counter()
                self._clean()
                self.say(f"Cleaned up in {time.perf_counter() - started:.1f} s.")

    def say(self, text: str) -> None:
        self.stdout.write(text)

    # ----------------------------------------------------------------------- safety

    def _refuse_unless_empty(self, yes: bool) -> None:
        from issues.models import Issue

        others = Issue.objects.exclude(number__startswith=ISSUE_PREFIX).count()
        leads = (
            User.objects.filter(role=Role.QUALITY_LEAD, is_active=True)
            .exclude(username__startswith=USER_PREFIX)
            .count()
        )
        if (others or leads) and not yes:
            raise CommandError(
                f"This database holds {others} other issue(s) and {leads} active quality "
                "lead(s), who would be notified of the generated 200 % rungs. Run it on a "
                "scratch database, or pass --yes."
            )

    def _leftovers(self) -> bool:
        return Region.objects.filter(code=f"{PREFIX}R").exists()

    # ----------------------------------------------------------------------- data

    def _generate(self, issues, closed, due_share, window, seed, now) -> None:
        from issues.models import EscalationLevel

        percents = list(
            EscalationLevel.objects.filter(active=True)
            .order_by("percent")
            .values_list("percent", flat=True)
        )
        if not percents:
            raise CommandError("No active escalation level: nothing would ever be due.")
        self.say(
            f"Generating {issues:,} open and {closed:,} closed issues in {STORES} stores, "
            f"{len(DEPARTMENTS)} "
            f"departments; ladder {'/'.join(map(str, percents))} %; "
            f"{due_share:.1%} due within the last {window.seconds // 60} min …"
        )
        started = time.perf_counter()
        with transaction.atomic():
            org = self._org()
            counts = self._issues_sql(issues, closed, due_share, window, seed, now, percents, org)
        self.say(
            f"  generated {counts['issues']:,} issues, {counts['milestones']:,} milestones, "
            f"{counts['alerts']:,} alerts raised by earlier sweeps "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE issues_issue; ANALYZE issues_slamilestone; ANALYZE issues_slaalert;"
            )

    def _org(self) -> dict:
        region = Region.objects.create(code=f"{PREFIX}R", name="压测区域")
        stores = Store.objects.bulk_create(
            Store(
                code=f"{PREFIX}S{n:04d}",
                name=f"压测门店 {n}",
                city="压测",
                region=region,
                tier="B",
                monthly_throughput=300,
            )
            for n in range(STORES)
        )

        def person(name, role, **fields):
            user = User(username=f"{USER_PREFIX}{name}", role=role, email="", **fields)
            user.set_unusable_password()
            user.save()
            return user

        departments, heads, members = [], [], []
        for code in DEPARTMENTS:
            department = Department.objects.create(code=f"{PREFIX}{code}", name=f"压测{code}")
            head = person(f"head_{code.lower()}", Role.DEPARTMENT_HEAD, department=department)
            department.head = head
            department.save(update_fields=["head"])
            members.append(
                person(f"member_{code.lower()}", Role.DEPARTMENT_MEMBER, department=department)
            )
            departments.append(department)
            heads.append(head)
        ops = person("ops", Role.OPS_SPECIALIST)
        ops.stores.set(stores)
        person("lead", Role.QUALITY_LEAD)
        manager = person("manager", Role.STORE_MANAGER, store=stores[0])
        return {
            "stores": [s.pk for s in stores],
            "departments": [d.pk for d in departments],
            "members": [m.pk for m in members],
            "manager": manager.pk,
        }

    def _issues_sql(self, issues, closed, due_share, window, seed, now, percents, org) -> dict:
        from issues import alerts

        params = {
            "n": issues + closed,
            "open": issues,
            "due_share": due_share,
            "window": window.total_seconds(),
            "now": now,
            "seed": seed,
            "stores": org["stores"],
            "departments": org["departments"],
            "members": org["members"],
            "manager": org["manager"],
            "percents": percents,
            "prefix": ISSUE_PREFIX,
        }
        response = _case(RESPONSE)
        resolution = _case(RESOLUTION)
        age = _case(AGE)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%(seed)s)", params)
            # One row per issue with its random draws and derived plan.
            cursor.execute(
                f"""
                CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
                WITH draws AS (
                    SELECT g AS n, random() AS r_pri, random() AS r_kind, random() AS r_status,
                           random() AS r_time, random() AS r_rung, random() AS r_assign
                    FROM generate_series(1, %(n)s) AS g
                ), p AS (
                    SELECT d.*,
                           CASE WHEN r_pri < 0.05 THEN 'P0' WHEN r_pri < 0.30 THEN 'P1'
                                WHEN r_pri < 0.75 THEN 'P2' ELSE 'P3' END AS priority,
                           n > %(open)s AS closed,
                           n <= %(open)s AND r_kind < %(due_share)s AS due
                    FROM draws d
                )
                SELECT p.n, p.priority, p.due, p.closed, p.r_assign,
                       CASE WHEN p.closed THEN 'closed'
                            WHEN p.due THEN
                                CASE WHEN p.r_status < 0.3 THEN 'submitted' ELSE 'triaged' END
                            WHEN p.r_status < 0.10 THEN 'submitted'
                            WHEN p.r_status < 0.30 THEN 'triaged'
                            WHEN p.r_status < 0.90 THEN 'in_progress'
                            ELSE 'waiting_for_store' END AS status,
                       CASE WHEN p.closed THEN
                                %(now)s - interval '1 day' * (14 + p.r_time * 166)
                            WHEN p.due THEN
                                -- a response rung lands in (now - window, now]
                                %(now)s - make_interval(secs =>
                                    (%(percents)s::int[])[1 + floor(p.r_rung
                                        * array_length(%(percents)s::int[], 1))::int]
                                    / 100.0 * {response} + p.r_time * %(window)s)
                            ELSE %(now)s - make_interval(secs => p.r_time * {age})
                       END AS submitted_at,
                       {response} AS response_s, {resolution} AS resolution_s
                FROM p
                """,
                params,
            )
            cursor.execute(
                """
                INSERT INTO issues_issue (
                    number, store_id, category, title, description, impact_scope, channel,
                    external_ref, external_source, status, priority, suggested_priority,
                    department_id, suggested_department_id, assignee_id, submitted_by_id,
                    submitted_at, triaged_at, first_response_at, resolved_at, closed_at, updated_at,
                    response_due_at, resolution_due_at, sla_business_hours, sla_paused_at,
                    sla_calendar_gap, resolution, reject_reason, rating_comment, reopen_count
                )
                SELECT
                    %(prefix)s || lpad(p.n::text, 8, '0'),
                    (%(stores)s::bigint[])[1 + p.n %% array_length(%(stores)s::bigint[], 1)],
                    (ARRAY['system', 'process', 'supply_chain', 'people'])[1 + p.n %% 4],
                    '压测问题 ' || p.n, '由 manage.py benchmark 生成', 'store', 'web', '', '',
                    p.status,
                    CASE WHEN p.status = 'submitted' THEN '' ELSE p.priority END,
                    p.priority,
                    CASE WHEN p.status = 'submitted' THEN NULL ELSE dept END,
                    dept,
                    CASE WHEN p.status IN ('in_progress', 'waiting_for_store', 'closed')
                              AND p.r_assign < 0.6
                         THEN (%(members)s::bigint[])[1 + p.n %% 4] END,
                    %(manager)s,
                    p.submitted_at,
                    CASE WHEN p.status <> 'submitted'
                         THEN least(p.submitted_at + interval '5 minutes', %(now)s) END,
                    first_response,
                    resolved,
                    resolved + interval '7 days',
                    %(now)s,
                    p.submitted_at + make_interval(secs => p.response_s),
                    p.submitted_at + make_interval(secs => p.resolution_s),
                    p.priority IN ('P2', 'P3'),
                    CASE WHEN p.status = 'waiting_for_store'
                         THEN first_response + (%(now)s - first_response) / 2 END,
                    false, '', '', '', 0
                FROM bench_plan p,
                LATERAL (SELECT
                    (%(departments)s::bigint[])[1 + p.n %% 4] AS dept,
                    CASE WHEN p.status IN ('in_progress', 'waiting_for_store', 'closed')
                         THEN least(p.submitted_at + make_interval(secs => 0.3 * p.response_s),
                                    %(now)s)
                    END AS first_response,
                    CASE WHEN p.closed
                         THEN least(p.submitted_at + make_interval(secs => 0.6 * p.resolution_s),
                                    %(now)s - interval '8 days')
                    END AS resolved
                ) AS x
                ORDER BY p.n
                """,
                params,
            )
            issue_count = cursor.rowcount
            self.say(f"  issues inserted ({time.perf_counter() - started:.1f} s)")
            # Every active rung of both clocks; none after the start of an open pause
            # (the clock stands still there, so the service stores no such moment).
            cursor.execute(
                """
                INSERT INTO issues_slamilestone (issue_id, clock, percent, due_at)
                SELECT i.id, c.clock, l.percent,
                       i.submitted_at + make_interval(secs => l.percent / 100.0
                           * CASE c.clock WHEN 'response' THEN p.response_s
                                          ELSE p.resolution_s END)
                FROM bench_plan p
                JOIN issues_issue i ON i.number = %(prefix)s || lpad(p.n::text, 8, '0')
                CROSS JOIN (VALUES ('response'), ('resolution')) AS c(clock)
                CROSS JOIN unnest(%(percents)s::int[]) AS l(percent)
                WHERE NOT p.closed  -- a closed issue has no ladder any more
                """,
                params,
            )
            cursor.execute(
                """
                DELETE FROM issues_slamilestone m USING issues_issue i
                WHERE i.id = m.issue_id AND i.number LIKE %(prefix)s || '%%'
                  AND i.sla_paused_at IS NOT NULL AND m.due_at > i.sla_paused_at
                """,
                params,
            )
            cursor.execute(
                "SELECT count(*) FROM issues_slamilestone m JOIN issues_issue i "
                "ON i.id = m.issue_id WHERE i.number LIKE %(prefix)s || '%%'",
                params,
            )
            milestone_count = cursor.fetchone()[0]
            self.say(f"  milestones inserted ({time.perf_counter() - started:.1f} s)")
        # What earlier sweeps raised: the same statement, at the start of the window,
        # without notifying anyone.
        raised = len(alerts._raise_due_alerts(now - window))
        with connection.cursor() as cursor:
            # Closed issues keep the alerts they had while open (about half had one).
            cursor.execute(
                """
                INSERT INTO issues_slaalert (issue_id, clock, percent, created_at)
                SELECT i.id, 'response', (%(percents)s::int[])[1], i.submitted_at
                FROM bench_plan p
                JOIN issues_issue i ON i.number = %(prefix)s || lpad(p.n::text, 8, '0')
                WHERE p.closed AND p.r_assign < 0.5
                """,
                params,
            )
            raised += cursor.rowcount
        self.say(f"  earlier alerts inserted ({time.perf_counter() - started:.1f} s)")
        return {"issues": issue_count, "milestones": milestone_count, "alerts": raised}

    # ----------------------------------------------------------------------- timing

    def _due_now(self, now) -> tuple[int, int]:
        """(alerts, issues) the sweep would raise at ``now``."""
        from issues import alerts

        with transaction.atomic():
            raised = alerts._raise_due_alerts(now)
            transaction.set_rollback(True)
        return len(raised), len({issue_id for issue_id, _clock, _p in raised})

    def _explain(self, now) -> None:
        from issues import alerts
        from issues.models import EscalationLevel, Issue, SlaAlert, SlaMilestone

        sql = alerts._SWEEP_SQL.format(
            alert=SlaAlert._meta.db_table,
            milestone=SlaMilestone._meta.db_table,
            issue=Issue._meta.db_table,
            level=EscalationLevel._meta.db_table,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, {"now": now})
            plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
        self.say(plan)

    def _measure(self, now, explain: bool) -> None:
        from issues.models import Issue

        open_issues = Issue.objects.open().filter(number__startswith=ISSUE_PREFIX).count()
        alerts_due, issues_due = self._due_now(now)
        self.say(
            f"Due at the benchmark moment: {alerts_due:,} alerts on {issues_due:,} issues "
            f"({issues_due / open_issues:.2%} of {open_issues:,})."
        )
        if explain:
            self.say("EXPLAIN ANALYZE of the sweep statement (rolled back):")
            self._explain(now)
        for label in ("first run", "second run"):
            started = time.perf_counter()
            result = jobs.run("sla_sweep", now)
            elapsed = time.perf_counter() - started
            self.say(
                f"sla_sweep {label}: {elapsed:.2f} s — {result['alerts']:,} alerts, "
                f"{result['notifications']:,} notifications"
            )
        if explain:
            self.say("EXPLAIN ANALYZE when nothing is due any more (rolled back):")
            self._explain(now)

    # ----------------------------------------------------------------------- cleanup

    def _clean(self) -> None:
        prefix = PREFIX + "%"
        issues = ISSUE_PREFIX + "%"
        users = USER_PREFIX + "%"
        statements = [
            # Inbox rows and deliveries of the generated issues, whoever received them.
            """DELETE FROM notifications_delivery WHERE notification_id IN (
                   SELECT id FROM notifications_notification
                   WHERE object_type = 'issue' AND object_ref LIKE %(issues)s
                      OR recipient_id IN (SELECT id FROM org_user WHERE username LIKE %(users)s))""",
            """DELETE FROM notifications_notification
               WHERE object_type = 'issue' AND object_ref LIKE %(issues)s
                  OR recipient_id IN (SELECT id FROM org_user WHERE username LIKE %(users)s)""",
            """DELETE FROM notifications_preference
               WHERE user_id IN (SELECT id FROM org_user WHERE username LIKE %(users)s)""",
            """DELETE FROM issues_slaalert WHERE issue_id IN (
                   SELECT id FROM issues_issue WHERE number LIKE %(issues)s)""",
            """DELETE FROM issues_slamilestone WHERE issue_id IN (
                   SELECT id FROM issues_issue WHERE number LIKE %(issues)s)""",
            """DELETE FROM issues_issueevent WHERE issue_id IN (
                   SELECT id FROM issues_issue WHERE number LIKE %(issues)s)""",
            "DELETE FROM issues_issue WHERE number LIKE %(issues)s",
            """UPDATE org_department SET head_id = NULL WHERE code LIKE %(prefix)s""",
            """DELETE FROM org_user_stores
               WHERE user_id IN (SELECT id FROM org_user WHERE username LIKE %(users)s)""",
            """DELETE FROM org_userevent WHERE pgh_obj_id IN (
                   SELECT id FROM org_user WHERE username LIKE %(users)s)""",
            "DELETE FROM org_user WHERE username LIKE %(users)s",
            """DELETE FROM org_departmentevent WHERE pgh_obj_id IN (
                   SELECT id FROM org_department WHERE code LIKE %(prefix)s)""",
            "DELETE FROM org_department WHERE code LIKE %(prefix)s",
            """DELETE FROM org_storeevent WHERE pgh_obj_id IN (
                   SELECT id FROM org_store WHERE code LIKE %(prefix)s)""",
            "DELETE FROM org_store WHERE code LIKE %(prefix)s",
            """DELETE FROM org_regionevent WHERE pgh_obj_id IN (
                   SELECT id FROM org_region WHERE code LIKE %(prefix)s)""",
            "DELETE FROM org_region WHERE code LIKE %(prefix)s",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, {"prefix": prefix, "issues": issues, "users": users})
