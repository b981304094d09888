"""Who may do what in the issues app: the one source for the page gates, the navigation
(``issues.navigation`` shows a link exactly when its page would open), the workflows'
permissions and the services' checks.

Visibility of rows is ``Issue.objects.visible_to`` / ``SystemicIssue.objects.visible_to``
(invisible → 404); this module answers the action question (a visible issue, a forbidden
action → 403)."""

from __future__ import annotations

from closedloop.org.choices import DEPARTMENT_ROLES, HQ_ROLES, Role

from .choices import Action

TRIAGERS = frozenset({Role.OPS_SPECIALIST, Role.QUALITY_LEAD})
#: Roles that may open the submit form (store managers for their store, HQ for a store
#: they cover, transcribing from the chat groups or the meeting).
SUBMITTER_ROLES = frozenset({Role.STORE_MANAGER, Role.OPS_SPECIALIST, Role.QUALITY_LEAD})
#: Who groups issues into systemic ones and drives their status.
SYSTEMIC_EDITORS = frozenset({Role.QUALITY_LEAD, Role.OPS_SPECIALIST})


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


# --- pages -------------------------------------------------------------------------------


def can_submit(user) -> bool:
    """The submit form (提交问题)."""
    return (
        _active(user)
        and not user.is_read_only
        and (user.is_superuser or user.role in SUBMITTER_ROLES)
    )


def has_own_store(user) -> bool:
    """我的门店问题 (its gate and its link): people with their own store."""
    return _active(user) and user.role == Role.STORE_MANAGER and user.store_id is not None


#: Roles whose own open work is a queue (我负责的): the departments fix, ops triage.
WORK_QUEUE_ROLES = DEPARTMENT_ROLES | {Role.OPS_SPECIALIST}


def has_work_queue(user) -> bool:
    """我负责的 (its page, its tab and its link): people who are given issues to work on."""
    return _active(user) and (user.is_superuser or user.role in WORK_QUEUE_ROLES)


def can_view_issue_list(user) -> bool:
    """The list with its five working views and its export: people, not machine clients."""
    return _active(user) and (user.is_superuser or user.role != Role.API_CLIENT)


def can_triage_queue(user) -> bool:
    """The triage queue (分级队列)."""
    return _active(user) and (user.is_superuser or user.role in TRIAGERS)


def can_view_systemic(user) -> bool:
    """Systemic problems are headquarters' work: HQ roles see them, stores never."""
    return _active(user) and (user.is_superuser or user.role in HQ_ROLES)


def can_edit_systemic(user) -> bool:
    """Creating systemic issues, grouping issues into them, moving their status."""
    return _active(user) and (user.is_superuser or user.role in SYSTEMIC_EDITORS)


# --- actions on an issue -----------------------------------------------------------------


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.QUALITY_LEAD


def _is_department_side(user, issue) -> bool:
    if _is_admin(user):
        return True
    return (
        user.role in DEPARTMENT_ROLES
        and issue.department_id is not None
        and user.department_id == issue.department_id
    ) or (issue.assignee_id is not None and issue.assignee_id == user.pk)


def _is_store_side(user, issue) -> bool:
    if _is_admin(user) or issue.submitted_by_id == user.pk:
        return True
    if user.role == Role.STORE_MANAGER:
        return user.store_id == issue.store_id
    # Ops specialists transcribe what stores say in chat groups.
    if user.role == Role.OPS_SPECIALIST:
        return user.stores.filter(pk=issue.store_id).exists()
    return False


def _is_triager(user, issue) -> bool:
    if _is_admin(user):
        return True
    return user.role == Role.OPS_SPECIALIST and user.stores.filter(pk=issue.store_id).exists()


def can(user, action: str, issue) -> bool:
    """True when ``user`` may perform ``action`` on ``issue`` (state aside)."""
    if not _active(user) or user.is_read_only:
        return False
    if user.role == Role.API_CLIENT:
        # The DMS pushes and reads; it may also relay the store's side.
        return user.has_scope("issues:write") and action in {
            Action.SUBMIT,
            Action.STORE_REPLY,
            Action.CONFIRM,
            Action.REOPEN,
        }
    if action == Action.SUBMIT:
        # The same rule as the submit form (one rule for the page and the API); the store
        # must be in their scope (the service checks it as input, on the store field).
        return can_submit(user)
    if action in (Action.TRIAGE, Action.CHANGE_PRIORITY, Action.REJECT, Action.MARK_DUPLICATE):
        return _is_triager(user, issue)
    if action in (Action.ACCEPT, Action.ASK_STORE, Action.RESUME, Action.RESOLVE, Action.ASSIGN):
        return _is_department_side(user, issue)
    if action in (Action.STORE_REPLY, Action.CONFIRM, Action.REOPEN):
        return _is_store_side(user, issue)
    return False


def can_comment(user, issue, *, public: bool) -> bool:
    if not _active(user) or user.is_read_only:
        return False
    if user.role == Role.API_CLIENT:
        return user.has_scope("issues:write") and public
    if not public:
        # Internal notes are for headquarters only, never the store.
        return user.role != Role.STORE_MANAGER
    return True


def can_upload(user, issue) -> bool:
    """Photos and PDFs: whoever may reply publicly (never a read-only account)."""
    return can_comment(user, issue, public=True)


def sees_internal_notes(user) -> bool:
    return user.role not in (Role.STORE_MANAGER, Role.API_CLIENT) or user.is_superuser


def counts_as_department_response(user, issue) -> bool:
    """A public reply by the owning department (or its assignee) is the first response."""
    return issue.department_id is not None and (
        (user.role in DEPARTMENT_ROLES and user.department_id == issue.department_id)
        or (issue.assignee_id is not None and issue.assignee_id == user.pk)
    )


def answers_for_store(user, issue) -> bool:
    """A public reply by this person, while the issue waits for the store, is the store's
    answer (门店补充): they may answer for the store and are not the department asking."""
    return can(user, Action.STORE_REPLY, issue) and not _is_department_side(user, issue)


# --- actions on a systemic issue ---------------------------------------------------------


def can_systemic(user, action: str, systemic) -> bool:
    """The systemic workflow's permission: every action is the editors'."""
    return can_edit_systemic(user)
