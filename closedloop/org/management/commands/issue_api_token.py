from django.core.management.base import BaseCommand, CommandError

from closedloop.errors import DomainError
from closedloop.org.models import User


class Command(BaseCommand):
    help = (
        "Create a new API token for <username> and print it (shown once; only its hash is "
        "stored), limited to --scopes and, when given, to --stores / --regions."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--scopes",
            help="comma-separated, e.g. issues:read,issues:write (default: the client's own)",
        )
        parser.add_argument("--stores", help="comma-separated store codes the token is bound to")
        parser.add_argument("--regions", help="comma-separated region codes the token is bound to")
        parser.add_argument("--days", type=int, help="expires after N days (default: never)")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--rate", default="", help="own throttle rate, e.g. 600/min")

    def handle(self, *args, username, **options):
        from integrations.services.tokens import issue_token

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        if not user.is_active:
            raise CommandError(f"user is inactive: {username}")
        try:
            _token, key = issue_token(
                user=user,
                scopes=options["scopes"],
                stores=options["stores"],
                regions=options["regions"],
                days=options["days"],
                name=options["name"],
                throttle_rate=options["rate"],
            )
        except DomainError as exc:
            problems = "; ".join(
                f"{field}: {message}"
                for field, messages in (exc.errors or {"": [exc.message]}).items()
                for message in messages
            )
            raise CommandError(problems) from exc
        self.stdout.write(key)
