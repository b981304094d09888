"""API permissions: scopes for machine clients and API tokens, read-only for executives."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import token_bound


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


def _org_admin(user) -> bool:
    """Quality lead, superuser or a client with ``org:write``; never through a token
    bound to certain stores (organisation data is the whole network's)."""
    if user.is_superuser or user.role in (Role.QUALITY_LEAD, Role.API_CLIENT):
        return user.has_scope(ApiScope.ORG_WRITE) and not token_bound(user)
    return False


class OrgAdminWrite(BasePermission):
    """Organisation writes: the quality lead, a superuser, or a client with ``org:write``."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return _org_admin(user)


class UserAdminWrite(BasePermission):
    """``PUT /users/``: quality lead or superuser only (API.md)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return True
        return _org_admin(user) and user.role != Role.API_CLIENT
