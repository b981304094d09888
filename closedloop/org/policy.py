"""Who may open the organisation's pages and change the organisation.

The one permission source of the org app: its page gates (``views.py``), its navigation
entries (``navigation.py``) and its API permissions (``closedloop/api/permissions.py``)
all read these predicates, so a link is shown exactly when its page opens. Which rows a
person sees is answered by the models' ``visible_to`` (invisible → 404), not here."""

from __future__ import annotations

from .choices import ApiScope, Role
from .models import token_bound


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_person(user) -> bool:
    """A signed-in person (machine clients use the API, not the pages)."""
    return is_signed_in(user) and (user.is_superuser or user.role != Role.API_CLIENT)


def is_org_admin(user) -> bool:
    """The quality lead (or a superuser) maintains the organisation and its people."""
    return is_signed_in(user) and (user.is_superuser or user.role == Role.QUALITY_LEAD)


def can_view_home(user) -> bool:
    return is_signed_in(user)


def can_view_stores(user) -> bool:
    """The store directory and a store's page (the rows: ``Store.objects.visible_to``)."""
    return is_person(user)


def can_import_org(user) -> bool:
    """The Excel import page and its template workbook."""
    return is_org_admin(user)


def can_write_org(user) -> bool:
    """Upserts of regions, departments and stores through the API: org admins and machine
    clients, holding the ``org:write`` scope (a person's session holds every scope of
    their role), never through a token bound to certain stores or regions (organisation
    data is the whole network's)."""
    return (
        is_signed_in(user)
        and (user.is_superuser or user.role in (Role.QUALITY_LEAD, Role.API_CLIENT))
        and user.has_scope(ApiScope.ORG_WRITE)
        and not token_bound(user)
    )


def can_write_users(user) -> bool:
    """Upserts of people through the API (API.md: quality lead or superuser only)."""
    return can_write_org(user) and user.role != Role.API_CLIENT
