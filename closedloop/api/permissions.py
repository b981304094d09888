"""API permissions: scopes for machine clients and API tokens, read-only for executives."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from closedloop.org import policy as org_policy


class ScopedWrite(BasePermission):
    """Writes need ``view.write_scope``, reads ``view.read_scope`` (or the write scope);
    executives only read.

    A person's session has every scope of their role; a machine client has its
    ``api_scopes``; an API token narrows either to the token's scopes. Rows are filtered
    by ``visible_to``.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            read_scope = getattr(view, "read_scope", None)
            return read_scope is None or _has_any(
                user, read_scope, getattr(view, "write_scope", None)
            )
        if user.is_read_only:
            return False
        scope = getattr(view, "write_scope", None)
        return scope is None or user.has_scope(scope)


def _has_any(user, *scopes):
    return any(s and user.has_scope(s) for s in scopes)


class PolicyWrite(BasePermission):
    """Reads for every authenticated user (rows filtered by ``visible_to``); writes for
    those the app's policy predicate ``allowed_to_write(user)`` admits."""

    allowed_to_write = staticmethod(lambda user: False)

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or self.allowed_to_write(user)


class OrgAdminWrite(PolicyWrite):
    """Organisation writes: the quality lead, a superuser, or a client with ``org:write``."""

    allowed_to_write = staticmethod(org_policy.can_write_org)


class UserAdminWrite(PolicyWrite):
    """``PUT /users/``: quality lead or superuser only (API.md)."""

    allowed_to_write = staticmethod(org_policy.can_write_users)
