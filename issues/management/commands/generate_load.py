"""``manage.py generate_load --stores 1000 --issues 1000000``: a national network and its
issues in bulk, for benchmarks (``manage.py benchmark``, ``make bench``).

See ``issues/loadgen.py`` for what is generated. Same ``--seed`` and ``--now`` on the same
starting database give the same rows."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from issues.loadgen import generate
from issues.models import Issue


class Command(BaseCommand):
    help = (
        "Generate a realistic network (stores, people) and years of issues with their "
        "timelines, attachments' rows, SLA due times, ladder moments and alerts, and "
        "rectification projects with their logs, acceptances and rechecks, and inspections "
        "with their results, findings and follow-up, in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument("--stores", type=int, default=1000)
        parser.add_argument("--issues", type=int, default=1_000_000)
        parser.add_argument("--people", type=int, default=5000)
        parser.add_argument(
            "--projects",
            type=int,
            default=None,
            help="rectification projects (default: 2 %% of --issues)",
        )
        parser.add_argument(
            "--inspections",
            type=int,
            default=None,
            help="inspections (default: one per store every 45 days over --years; 0 for none)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=float, default=3, help="history length (default 3)")
        parser.add_argument(
            "--now",
            help="the moment the history ends (ISO 8601; default: now, to the second). "
            "With the same seed and --now the data is the same.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds issues",
        )

    def handle(
        self,
        *args,
        stores,
        issues,
        people,
        projects,
        inspections,
        seed,
        years,
        now,
        if_empty,
        **options,
    ):
        existing = Issue.objects.count()
        if existing:
            if if_empty:
                self.stdout.write(
                    f"The database already holds {existing:,} issues: nothing generated."
                )
                return
            raise CommandError(
                f"The database already holds {existing:,} issues. Generate into an empty "
                "database (or pass --if-empty to skip)."
            )
        if stores < 1 or issues < 0 or people < 1 or years <= 0:
            raise CommandError("--stores, --people and --years must be positive.")
        if projects is not None and projects < 0:
            raise CommandError("--projects must not be negative.")
        if inspections is not None and inspections < 0:
            raise CommandError("--inspections must not be negative.")
        moment = None
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(f"--now: not an ISO 8601 date-time: {now!r}")
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        db = connection.settings_dict
        self.stdout.write(
            f"Generating {stores:,} stores, {people:,} people and {issues:,} issues over "
            f"{years:g} years (seed {seed}) into {db['NAME']} …"
        )
        summary = generate(
            stores=stores,
            issues=issues,
            people=people,
            seed=seed,
            years=years,
            now=moment,
            say=self.stdout.write,
            projects=projects,
            inspections=inspections,
        )
        rect = summary.projects
        rect_statuses = ", ".join(f"{k} {v:,}" for k, v in rect.statuses.items())
        statuses = ", ".join(f"{k} {v:,}" for k, v in summary.statuses.items())
        insp = summary.inspections
        insp_statuses = ", ".join(f"{k} {v:,}" for k, v in insp.statuses.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated in {summary.seconds:.0f} s, history up to "
                f"{summary.now.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC:\n"
                f"  {summary.stores:,} stores, {summary.people:,} people, "
                f"{summary.systemic:,} systemic problems\n"
                f"  {summary.issues:,} issues ({summary.open_issues:,} open: {statuses})\n"
                f"  {summary.events:,} events, {summary.attachments:,} attachment rows, "
                f"{summary.pauses:,} SLA pauses\n"
                f"  {summary.milestones:,} ladder moments, {summary.alerts:,} alerts raised\n"
                f"  {rect.projects:,} rectification projects ({rect_statuses}), "
                f"{rect.logs:,} tracking logs, {rect.acceptances:,} acceptances, "
                f"{rect.rechecks:,} rechecks, {rect.cases:,} cases\n"
                f"  {insp.inspections:,} inspections ({insp_statuses}), "
                f"{insp.findings:,} findings, {insp.logs:,} follow-up logs, "
                f"{insp.reinspections:,} re-inspections, {insp.alerts:,} reminders"
            )
        )
