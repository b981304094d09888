"""Who may open the reports and who may edit and publish them. Which reports a person
sees is ``Report.objects.visible_to`` (models.py); these predicates gate the pages and
actions, and the navigation shows exactly what they allow."""

from __future__ import annotations

from closedloop.org.choices import ALL_SEEING_ROLES, Role


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_view_reports(user) -> bool:
    """The reports list: the people who read reports — the quality lead, executives and
    regional directors (their region's). Stores, ops specialists and departments work
    from their own views; a national or regional report covers stores outside their
    scope."""
    return _active(user) and (
        user.is_superuser or user.role in ALL_SEEING_ROLES or user.role == Role.REGIONAL_DIRECTOR
    )


def can_edit(user) -> bool:
    """The quality lead (运营负责人) edits the monthly effect report's prose, publishes it
    and regenerates reports."""
    return (
        _active(user)
        and not user.is_read_only
        and (user.is_superuser or user.role == Role.QUALITY_LEAD)
    )
