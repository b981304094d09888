from django.core.management.base import BaseCommand, CommandError
from knox.models import AuthToken

from closedloop.org.models import User


class Command(BaseCommand):
    help = "Create a new API token for <username> and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no such user: {username}")
        if not user.is_active:
            raise CommandError(f"user is inactive: {username}")
        _instance, token = AuthToken.objects.create(user=user)
        self.stdout.write(token)
