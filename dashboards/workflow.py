"""The meeting's and the action items' workflows, wired into the shared kit
(``closedloop.core.workflow``)."""

from django.utils.translation import gettext_noop

from closedloop.core.workflow import Workflow

from . import policy
from .choices import (
    ACTION_TRANSITIONS,
    MEETING_TRANSITIONS,
    ActionItemAction,
    ActionStatus,
    MeetingAction,
    MeetingStatus,
)
from .models import ActionItemEvent, MeetingEvent

MEETING_FLOW = Workflow(
    transitions=MEETING_TRANSITIONS,
    actions=MeetingAction,
    statuses=MeetingStatus,
    permission=policy.meeting_can,
    history_model=MeetingEvent,
    history_fk="meeting",
    invalid_message=gettext_noop("周会当前为“%(s)s”，不能“%(a)s”。"),
    forbidden_message=gettext_noop("只有运营负责人可以“%(a)s”。"),
)

ACTION_ITEM_FLOW = Workflow(
    transitions=ACTION_TRANSITIONS,
    actions=ActionItemAction,
    statuses=ActionStatus,
    permission=policy.action_item_can,
    history_model=ActionItemEvent,
    history_fk="action_item",
    invalid_message=gettext_noop("行动项当前为“%(s)s”，不能“%(a)s”。"),
    forbidden_message=gettext_noop("你无权对该行动项执行“%(a)s”。"),
)
