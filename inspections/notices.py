"""Who hears about what happens to an inspection. Called by the services inside their
transaction; the notifications outbox delivers after commit (closedloop.notifications)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from closedloop.notifications.choices import Level
from closedloop.notifications.services import Message, notify
from closedloop.org.choices import DEPARTMENT_ROLES, Role
from closedloop.org.models import User


def store_managers(inspection):
    return User.objects.filter(role=Role.STORE_MANAGER, is_active=True, store=inspection.store_id)


def follow_up_people(inspection) -> list[User]:
    """The inspector and the store's ops specialists: they run the follow-up."""
    people = {inspection.inspector_id: inspection.inspector}
    for user in User.objects.filter(
        role=Role.OPS_SPECIALIST, is_active=True, stores=inspection.store_id
    ):
        people.setdefault(user.pk, user)
    return [p for p in people.values() if p.is_active]


def _message(inspection, kind, title, body="", level=Level.INFO, key="", url=None):
    return Message(
        kind=kind,
        level=level,
        title=title,
        body=body,
        object_type="inspection",
        object_ref=str(inspection.pk),
        url=url or inspection.get_absolute_url(),
        dedupe_key=key,
    )


def report_issued(inspection, at) -> None:
    """The report goes to the store manager (it shows in their store's inspections)."""
    notify(
        recipients=store_managers(inspection),
        message=_message(
            inspection,
            "inspection_report",
            _("巡检报告已出具：%(s)s %(d)s，得分 %(score)s")
            % {
                "s": inspection.store.name,
                "d": inspection.inspected_on.isoformat(),
                "score": inspection.score,
            },
            body=_("请查看报告，24 小时内运营专员会与你沟通改进优先级。"),
            key=f"inspection:{inspection.pk}:report",
            url=reverse("inspections:report", args=[inspection.pk]),
        ),
        at=at,
    )


def reinspected(inspection, review, at) -> None:
    verdict = _("验收通过") if review.passed else _("验收未通过")
    notify(
        recipients=[*store_managers(inspection), *follow_up_people(inspection)],
        message=_message(
            inspection,
            "inspection_acceptance",
            _("%(s)s 巡检%(v)s（验收得分 %(score)s）")
            % {"s": inspection.store.name, "v": verdict, "score": review.score},
            level=Level.INFO if review.passed else Level.WARNING,
            key=f"inspection:{inspection.pk}:reinspection:{review.pk}",
        ),
        at=at,
    )


def resource_requested(request, at) -> None:
    """The department the request is addressed to: its head and members."""
    if request.department_id is None:
        return
    people = User.objects.filter(
        role__in=DEPARTMENT_ROLES, is_active=True, department_id=request.department_id
    )
    inspection = request.inspection
    notify(
        recipients=people,
        message=_message(
            inspection,
            "inspection_resource",
            _("门店需要支持：%(s)s · %(k)s")
            % {"s": inspection.store.name, "k": request.get_kind_display()},
            body=request.what,
            level=Level.WARNING,
            key=f"inspection_resource:{request.pk}",
        ),
        at=at,
    )
