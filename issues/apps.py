from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("问题")
    #: What the quality lead configures in the admin (``closedloop.org.services``).
    quality_lead_models = (
        "issues.slapolicy",
        "issues.calendaryear",
        "issues.calendarday",
        "issues.routingrule",
        "issues.escalationlevel",
        "issues.systemicissue",
    )

    def ready(self):
        # Connects the work-calendar cache invalidation receivers in every process.
        from . import sla  # noqa: F401
