"""The inspection's workflow: its allowed-transitions table, policy and history model
wired into the shared kit (``closedloop.core.workflow``)."""

from django.utils.translation import gettext_noop

from closedloop.core.workflow import Workflow

from . import policy
from .choices import TRANSITIONS, Action, Status
from .models import InspectionEvent

INSPECTION_FLOW = Workflow(
    transitions=TRANSITIONS,
    actions=Action,
    statuses=Status,
    permission=policy.can,
    history_model=InspectionEvent,
    history_fk="inspection",
    invalid_message=gettext_noop("巡检当前状态为“%(s)s”，不能执行“%(a)s”。"),
    forbidden_message=gettext_noop("你无权对该巡检执行“%(a)s”。"),
)
