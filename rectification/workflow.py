"""The project's workflow: its allowed-transitions table, policy and history model wired
into the shared kit (``closedloop.core.workflow``)."""

from django.utils.translation import gettext_noop

from closedloop.core.workflow import Workflow

from . import policy
from .choices import TRANSITIONS, Action, Status
from .models import ProjectEvent

PROJECT_FLOW = Workflow(
    transitions=TRANSITIONS,
    actions=Action,
    statuses=Status,
    permission=policy.can,
    history_model=ProjectEvent,
    history_fk="project",
    invalid_message=gettext_noop("整改项目当前状态为“%(s)s”，不能执行“%(a)s”。"),
    forbidden_message=gettext_noop("你无权对该整改项目执行“%(a)s”。"),
)
