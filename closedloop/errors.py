"""Domain errors raised by service functions; views and the API translate them."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the request. ``message`` is translated and user-facing."""

    code = "invalid"

    def __init__(self, message, *, field: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {}


class InvalidTransition(DomainError):
    """The object's current state does not allow the requested change (API: 409)."""

    code = "invalid_transition"


class PermissionDenied(DomainError):
    """The object is visible, the action is not allowed for this person (API: 403)."""

    code = "permission_denied"
