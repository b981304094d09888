"""The workflows of the issues app: the issue's and the systemic issue's allowed-transitions
tables, policies and history models wired into the shared kit (``closedloop.core.workflow``)."""

from django.utils.translation import gettext_noop

from closedloop.core.workflow import Workflow

from . import policy
from .choices import (
    SYSTEMIC_TRANSITIONS,
    TRANSITIONS,
    Action,
    Status,
    SystemicAction,
    SystemicStatus,
)
from .models import IssueEvent, SystemicEvent

ISSUE_FLOW = Workflow(
    transitions=TRANSITIONS,
    actions=Action,
    statuses=Status,
    permission=policy.can,
    history_model=IssueEvent,
    history_fk="issue",
    invalid_message=gettext_noop("问题当前状态为“%(s)s”，不能执行“%(a)s”。"),
    forbidden_message=gettext_noop("你无权对该问题执行“%(a)s”。"),
)

SYSTEMIC_FLOW = Workflow(
    transitions=SYSTEMIC_TRANSITIONS,
    actions=SystemicAction,
    statuses=SystemicStatus,
    permission=policy.can_systemic,
    history_model=SystemicEvent,
    history_fk="systemic_issue",
    invalid_message=gettext_noop("系统性问题当前为“%(s)s”，不能执行“%(a)s”。"),
    forbidden_message=gettext_noop("只有运营人员可以更新系统性问题。"),
)
