import json

from django.core.management.base import BaseCommand, CommandError

from closedloop.core import jobs


class Command(BaseCommand):
    help = "Run a scheduled job now, as if the clock read --at (ISO 8601)."

    def add_arguments(self, parser):
        parser.add_argument("job", help="job name; `run_job list` shows them")
        parser.add_argument("--at", help="ISO time, e.g. 2026-11-21T09:00:00+08:00")

    def handle(self, *args, job, at=None, **options):
        available = jobs.names()
        if job == "list":
            self.stdout.write("\n".join(available))
            return
        if job not in available:
            raise CommandError(f"unknown job {job!r}; known: {', '.join(available)}")
        try:
            moment = jobs.parse_moment(at)
        except ValueError as exc:
            raise CommandError(f"--at: {exc}") from exc
        result = jobs.run(job, moment)
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
