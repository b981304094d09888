"""The workflow kit: one way to change the state of anything with a status.

Every product app (issues, systemic issues, rectification projects, inspections, …)
declares one :class:`Workflow` next to its models: the allowed-transitions table
(action → {from status: to status}), the ``TextChoices`` naming its actions and
statuses, the policy predicate that says who may do an action, and the history model
that gets a row per change. Its service functions then do, inside their own
``transaction.atomic``::

    project = FLOW.lock(project)                      # SELECT … FOR UPDATE
    FLOW.transition(project, action=Action.START, actor=actor, at=at, body=reason)
    project.save()

``transition`` checks the table and the actor's right (raising ``InvalidTransition`` →
409, ``PermissionDenied`` → 403), sets the new status and writes the history row
(old, new, action, actor, time and whatever the app's history model also records).
Changes that are not transitions (a comment, an assignment) are recorded with
``FLOW.record``. Pages and the API ask ``FLOW.available(obj, user)`` which actions to
offer, so what is shown and what is allowed come from the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from closedloop.errors import InvalidTransition, PermissionDenied

#: Sent after every history row the kit writes (``sender`` the history model, ``row``,
#: ``obj``): the one hook for integrations (outbound webhooks) — it must only schedule
#: work with ``transaction.on_commit``, never change the workflow's state.
recorded = Signal()

#: ``permission(user, action, obj) -> bool``: the app's policy predicate (state aside).
Permission = Callable[[object, str, object], bool]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@dataclass(frozen=True)
class Workflow:
    """An allowed-transitions table with its permission predicate and history model."""

    transitions: Mapping[str, Mapping[str, str]]
    actions: type[models.TextChoices]
    statuses: type[models.TextChoices]
    permission: Permission
    history_model: type[models.Model]
    #: The history model's foreign key to the object (``"issue"``, ``"project"``).
    history_fk: str
    state_field: str = "status"
    #: Messages (gettext msgids with ``%(s)s`` the status and ``%(a)s`` the action).
    invalid_message: str = field(default=gettext_noop("当前状态为“%(s)s”，不能执行“%(a)s”。"))
    forbidden_message: str = field(default=gettext_noop("你无权执行“%(a)s”。"))

    # --- reading ------------------------------------------------------------------------

    def state(self, obj) -> str:
        return getattr(obj, self.state_field)

    def target(self, obj, action: str) -> str | None:
        """The status ``action`` leads to from the object's status, or None."""
        return self.transitions.get(action, {}).get(self.state(obj))

    def allowed(self, obj, action: str, actor) -> bool:
        return self.target(obj, action) is not None and (
            actor is None or bool(self.permission(actor, action, obj))
        )

    def available(self, obj, actor, actions: Iterable[str] | None = None) -> list[str]:
        """The actions ``actor`` may perform on ``obj`` now, in table order."""
        wanted = self.transitions if actions is None else actions
        return [a for a in wanted if self.allowed(obj, a, actor)]

    # --- writing (call inside transaction.atomic) ---------------------------------------

    def lock(self, obj):
        """Re-read the object's row ``FOR UPDATE``: the state checked is the state changed."""
        return type(obj)._default_manager.select_for_update().get(pk=obj.pk)

    def check(self, obj, action: str, actor) -> str:
        """Raise unless ``action`` is allowed from the object's state and for ``actor``
        (None: the system itself, e.g. a scheduled job); return the target status."""
        target = self.target(obj, action)
        if target is None:
            raise InvalidTransition(
                _(self.invalid_message)
                % {
                    "s": _label(self.statuses, self.state(obj)),
                    "a": _label(self.actions, action),
                }
            )
        if actor is not None and not self.permission(actor, action, obj):
            raise PermissionDenied(_(self.forbidden_message) % {"a": _label(self.actions, action)})
        return target

    def record(self, obj, *, actor, at, action: str = "", **fields) -> models.Model:
        """Write one history row for ``obj`` (a transition or any other recorded change)."""
        row = self.history_model._default_manager.create(
            **{self.history_fk: obj}, actor=actor, at=at, action=action, **fields
        )
        recorded.send(sender=self.history_model, row=row, obj=obj)
        return row

    def transition(self, obj, *, action: str, actor, at, **fields) -> models.Model:
        """Check, move ``obj`` to the target status (not saved) and record the change.
        ``fields`` go to the history row (e.g. ``body``, ``data``)."""
        to_status = self.check(obj, action, actor)
        from_status = self.state(obj)
        setattr(obj, self.state_field, to_status)
        return self.record(
            obj,
            actor=actor,
            at=at,
            action=action,
            from_status=from_status,
            to_status=to_status,
            **fields,
        )
