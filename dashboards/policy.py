"""Who may open which dashboard page and who may act in the meeting. Visibility of rows
is the ``visible_to`` queryset methods (``issues``, ``dashboards.models``); these
predicates gate pages (403) and actions, and the navigation shows exactly what they allow."""

from __future__ import annotations

from closedloop.org.choices import DEPARTMENT_ROLES, HQ_ROLES, Role

from .choices import ActionItemAction


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_hq(user) -> bool:
    return _active(user) and (user.is_superuser or user.role in HQ_ROLES)


def can_view_board(user) -> bool:
    """The KPI board and process metrics: every headquarters role, each over the issues
    they may see (a regional director their region's, a department its own)."""
    return is_hq(user)


def can_view_rollout(user) -> bool:
    return is_hq(user)


def is_quality_lead(user) -> bool:
    return (
        _active(user)
        and not user.is_read_only
        and (user.is_superuser or user.role == Role.QUALITY_LEAD)
    )


def can_set_targets(user) -> bool:
    """KPI targets and baselines are the quality lead's (运营负责人)."""
    return is_quality_lead(user)


def can_view_targets(user) -> bool:
    return is_hq(user)


def can_view_meetings(user) -> bool:
    return is_hq(user)


def can_run_meeting(user) -> bool:
    """The quality lead runs the weekly meeting: schedules it, takes attendance, captures
    decisions live."""
    return is_quality_lead(user)


def meeting_can(user, action: str, meeting) -> bool:
    """The meeting workflow's permission predicate (``closedloop.core.workflow``)."""
    return can_run_meeting(user)


def action_item_can(user, action: str, item) -> bool:
    """The owner completes their own action item; the quality lead completes, reopens and
    cancels any."""
    if not _active(user) or user.is_read_only:
        return False
    if is_quality_lead(user):
        return True
    return action == ActionItemAction.COMPLETE and item.owner_id == user.pk


def home_kind(user) -> str:
    """Which home page a person gets (dashboards.views.home)."""
    if user.is_superuser or user.role in (Role.QUALITY_LEAD, Role.EXECUTIVE):
        return "board"
    if user.role == Role.REGIONAL_DIRECTOR:
        return "board"
    if user.role == Role.OPS_SPECIALIST:
        return "ops"
    if user.role in DEPARTMENT_ROLES:
        return "department"
    if user.role == Role.STORE_MANAGER:
        return "store"
    return "plain"
