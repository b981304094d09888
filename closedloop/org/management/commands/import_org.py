from django.core.management.base import BaseCommand, CommandError

from closedloop.errors import DomainError
from closedloop.org.services import import_org


class Command(BaseCommand):
    help = "Import stores (sheet 门店) and users (sheet 用户) from an .xlsx file, all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as fh:
                result = import_org(fh)
        except FileNotFoundError as exc:
            raise CommandError(f"file not found: {file}") from exc
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} error(s); nothing was imported")
        self.stdout.write(
            "stores: {} created, {} updated; users: {} created, {} updated".format(
                result.created["stores"],
                result.updated["stores"],
                result.created["users"],
                result.updated["users"],
            )
        )
