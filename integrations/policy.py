"""Who may do what in the integration. Visibility of rows is each model's ``visible_to``;
this module answers the action question. Through an API token a person or client may do
only what the token's scopes allow (``User.has_scope``), and a token bound to certain
stores never changes network-wide things (tokens, the migration import)."""

from __future__ import annotations

from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import token_bound

from .choices import EVENT_SCOPES
from .models import is_integration_admin


def can_manage_tokens(user) -> bool:
    return (
        is_integration_admin(user) and user.has_scope(ApiScope.ORG_WRITE) and not token_bound(user)
    )


def can_manage_webhooks(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if not (is_integration_admin(user) or user.role == Role.API_CLIENT):
        return False
    return user.has_scope(ApiScope.WEBHOOKS_WRITE)


def may_receive(user, event: str) -> bool:
    """May ``user`` (through this request's token) subscribe to ``event``?"""
    return user.has_scope(EVENT_SCOPES[event])


def can_import_issues(user) -> bool:
    return (
        is_integration_admin(user)
        and user.has_scope(ApiScope.ISSUES_WRITE)
        and not token_bound(user)
    )


def can_push_metrics(user) -> bool:
    if not (user.is_authenticated and user.is_active) or user.is_read_only:
        return False
    if not (is_integration_admin(user) or user.role == Role.API_CLIENT):
        return False
    return user.has_scope(ApiScope.METRICS_WRITE)
