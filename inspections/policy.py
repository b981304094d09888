"""Who may do what with a visible inspection. Visibility itself is
``Inspection.objects.visible_to``; this module answers the action question (a visible
inspection, a forbidden action → 403). The navigation uses the page predicates here."""

from __future__ import annotations

from closedloop.org.choices import DEPARTMENT_ROLES, Role

from .choices import ACTION_STATUSES, Action, Status

#: Roles that perform inspections and run their follow-up (运营专家; the quality lead).
INSPECTOR_ROLES = frozenset({Role.OPS_SPECIALIST, Role.QUALITY_LEAD})
#: Roles that read the improvement board (改进仪表盘).
BOARD_ROLES = frozenset(
    {Role.OPS_SPECIALIST, Role.REGIONAL_DIRECTOR, Role.QUALITY_LEAD, Role.EXECUTIVE}
)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _writer(user) -> bool:
    return _active(user) and not user.is_read_only and user.role != Role.API_CLIENT


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.QUALITY_LEAD


def _covers_store(user, store_id) -> bool:
    """An ops specialist who looks after the store."""
    return user.role == Role.OPS_SPECIALIST and user.stores.filter(pk=store_id).exists()


# --- pages ------------------------------------------------------------------------------


def can_view_inspections(user) -> bool:
    """The inspection list: reports for store managers, the work list for ops and HQ."""
    return _active(user) and (
        user.is_superuser
        or user.role in BOARD_ROLES
        or user.role == Role.STORE_MANAGER
        or user.role in DEPARTMENT_ROLES
    )


def can_view_board(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in BOARD_ROLES)


def can_inspect(user) -> bool:
    """May start an inspection (at a store they may see)."""
    return _writer(user) and (user.is_superuser or user.role in INSPECTOR_ROLES)


# --- one inspection ---------------------------------------------------------------------


def can_follow_up(user, inspection) -> bool:
    """Runs the follow-up: the inspector, the store's ops specialists, the quality lead."""
    if not _writer(user):
        return False
    return (
        _is_admin(user)
        or inspection.inspector_id == user.pk
        or _covers_store(user, inspection.store_id)
    )


def can_edit_draft(user, inspection) -> bool:
    return inspection.status == Status.DRAFT and can_follow_up(user, inspection)


def is_store_side(user, inspection) -> bool:
    return (
        _writer(user)
        and user.role == Role.STORE_MANAGER
        and user.store_id == inspection.store_id
        and inspection.status != Status.DRAFT
    )


def can_update_plan(user, inspection) -> bool:
    """The action plan rows (owner, steps, due, status): the follow-up people and the
    store, which carries the plan out."""
    if inspection.status not in ACTION_STATUSES["plan"]:
        return False
    return can_follow_up(user, inspection) or is_store_side(user, inspection)


def can_request_resource(user, inspection) -> bool:
    """Resources the plan needs: asked for by the follow-up people or the store."""
    if inspection.status not in ACTION_STATUSES["resource"]:
        return False
    return can_follow_up(user, inspection) or is_store_side(user, inspection)


def can_update_resource(user, request) -> bool:
    """The follow-up people, or the department the request is addressed to."""
    inspection = request.inspection
    if inspection.status == Status.CLOSED or not _writer(user):
        return False
    if can_follow_up(user, inspection):
        return True
    return (
        user.role in DEPARTMENT_ROLES
        and request.department_id is not None
        and user.department_id == request.department_id
    )


def can(user, action: str, inspection) -> bool:
    """The workflow's permission predicate (state aside)."""
    if action in (Action.ISSUE_REPORT, Action.ACCEPT, Action.CLOSE):
        return can_follow_up(user, inspection)
    return False
