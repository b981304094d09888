"""The navbar bell: the caller's unread count, counted lazily (at most one query per
request, none when the page does not show the bell)."""

from __future__ import annotations

from django.utils.functional import cached_property

from .models import Notification

#: Above this the badge shows "99+".
BADGE_MAX = 99


class Bell:
    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        # Served by the partial index ``notification_unread`` (recipient, unread only).
        return Notification.objects.filter(recipient=self.user, read_at__isnull=True).count()

    @property
    def badge(self) -> str:
        return f"{BADGE_MAX}+" if self.unread > BADGE_MAX else str(self.unread)


def notification_bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user)}
