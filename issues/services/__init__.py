"""Service functions: every change to an issue or a systemic issue goes through one of
these (STYLE.md 1). Callers import this package (``from issues import services``); the
modules below are its seams:

- ``intake``: submitting a problem (numbering, routing, the first clock);
- ``actions``: every later transition and recorded change of an issue;
- ``uploads``: attachments, checked by content before anything is saved;
- ``routing``: the suggested priority and department of a new issue;
- ``clock``: the stored SLA due times and ladder moments, recomputed on change;
- ``systemic``: 系统性问题 and their own workflow.

Each write is keyword-only and atomic; state changes go through the workflow kit
(``issues.workflow``), which checks the allowed-transitions table and the actor's right
and records the history row. Reads live in ``issues.selectors`` and the querysets."""

from .actions import (
    accept,
    ask_store,
    assign,
    auto_close,
    change_priority,
    comment,
    confirm,
    mark_duplicate,
    reject,
    reopen,
    resolve,
    resume,
    store_reply,
    triage,
)
from .clock import recompute_due_times, recompute_open_issues
from .intake import create_issue
from .routing import route
from .systemic import create_systemic_issue, group_into_systemic, set_systemic_status
from .uploads import ALLOWED_UPLOAD_TYPES, add_attachments, check_uploads

__all__ = [
    "ALLOWED_UPLOAD_TYPES",
    "accept",
    "add_attachments",
    "check_uploads",
    "ask_store",
    "recompute_due_times",
    "route",
    "assign",
    "auto_close",
    "change_priority",
    "comment",
    "confirm",
    "create_issue",
    "create_systemic_issue",
    "group_into_systemic",
    "mark_duplicate",
    "recompute_open_issues",
    "reject",
    "reopen",
    "resolve",
    "resume",
    "set_systemic_status",
    "store_reply",
    "triage",
]
