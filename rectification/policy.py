"""Who may do what to a visible project (visibility itself is ``Project.objects.visible_to``;
an invisible project is a 404, a visible one with a forbidden action a 403).

Only the project's people act on it: its ops specialist (运营专家) runs it, the store's
manager, the ops specialist and the region's director sign the kick-off, a measure's owner
updates that measure; the quality lead may do what the ops specialist may. Executives and
machine clients only read."""

from __future__ import annotations

from closedloop.org.choices import Role

from .choices import Action, SignRole

#: Roles that may open a project for a store they cover.
CREATORS = frozenset({Role.OPS_SPECIALIST, Role.QUALITY_LEAD})


def _acts(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_read_only
        and (user.is_superuser or user.role != Role.API_CLIENT)
    )


def is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.QUALITY_LEAD


def runs(user, project) -> bool:
    """The project's ops specialist (or the quality lead)."""
    return is_admin(user) or project.ops_specialist_id == user.pk


def signer_role(user, project) -> str | None:
    """The role in which ``user`` signs ``project``'s kick-off, or None."""
    if not _acts(user):
        return None
    if user.role == Role.STORE_MANAGER and user.store_id == project.store_id:
        return SignRole.STORE_MANAGER
    if user.role == Role.OPS_SPECIALIST and project.ops_specialist_id == user.pk:
        return SignRole.OPS_SPECIALIST
    if user.role == Role.REGIONAL_DIRECTOR:
        if project.regional_director_id is not None:
            mine = project.regional_director_id == user.pk
        else:
            mine = user.region_id is not None and user.region_id == project.store.region_id
        if mine:
            return SignRole.REGIONAL_DIRECTOR
    return None


def is_director(user, project) -> bool:
    return signer_role(user, project) == SignRole.REGIONAL_DIRECTOR


def can_create(user) -> bool:
    """May open the create form (the store is checked against their scope on save)."""
    return _acts(user) and (user.is_superuser or user.role in CREATORS)


def can_update_measure(user, measure, project=None) -> bool:
    project = project or measure.project
    if not _acts(user):
        return False
    if runs(user, project):
        return True
    if user.role == Role.STORE_MANAGER and user.store_id == project.store_id:
        return True
    return measure.owner_id is not None and measure.owner_id == user.pk


def can(user, action: str, project) -> bool:
    """True when ``user`` may perform ``action`` on ``project`` (state aside)."""
    if not _acts(user):
        return False
    if action in (Action.SIGN, Action.KICK_OFF):
        return signer_role(user, project) is not None
    if action == Action.CANCEL:
        return runs(user, project) or is_director(user, project)
    if action == Action.UPDATE_MEASURE:
        return (
            runs(user, project)
            or (user.role == Role.STORE_MANAGER and user.store_id == project.store_id)
            or project.measures.filter(owner=user).exists()
        )
    if action in (
        Action.EDIT,
        Action.START,
        Action.TRACK,
        Action.SUBMIT,
        Action.CHANGE_CADENCE,
        Action.WRITE_CASE,
        Action.UPDATE_CLOSURE,
        Action.CLOSE,
        # 验收人 and the observation rechecks: the project's ops specialist or the lead.
        *ACCEPTANCE_ACTIONS,
        Action.RECHECK,
    ):
        return runs(user, project)
    if action == Action.SIGN_ACCEPTANCE:
        return is_store_manager(user, project)
    return False


ACCEPTANCE_ACTIONS = frozenset({Action.ACCEPT_PASS, Action.ACCEPT_BASIC, Action.ACCEPT_FAIL})


def is_store_manager(user, project) -> bool:
    return _acts(user) and user.role == Role.STORE_MANAGER and user.store_id == project.store_id


def can_accept(user, project) -> bool:
    """May fill in a scorecard (the page and the preview)."""
    return _acts(user) and runs(user, project)


def can_recheck(user, project) -> bool:
    return _acts(user) and runs(user, project)


# --- pages ----------------------------------------------------------------------------


def can_view_board(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role != Role.API_CLIENT)


#: The people who run, sign or own a part of projects: they get 我的整改.
WORKING_ROLES = frozenset(
    {
        Role.OPS_SPECIALIST,
        Role.STORE_MANAGER,
        Role.REGIONAL_DIRECTOR,
        Role.DEPARTMENT_HEAD,
        Role.DEPARTMENT_MEMBER,
        Role.QUALITY_LEAD,
    }
)


def can_view_mine(user) -> bool:
    """我的整改: what I run (the ops specialist's daily list), sign or own a measure of."""
    return user.is_authenticated and (user.is_superuser or user.role in WORKING_ROLES)


def can_view_cases(user) -> bool:
    """案例库: every person of the network (store managers included). A case is written
    to be copied — the source's step 6 sends other stores to learn from it — and holds a
    lesson (problem, root cause, solution, effect), not a store's open business. Machine
    clients read it through the API with the rectifications scope, not the pages."""
    return user.is_authenticated and (user.is_superuser or user.role != Role.API_CLIENT)
