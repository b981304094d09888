from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "rectification"
    verbose_name = _("整改")

    def ready(self):
        from closedloop.core.workflow import recorded
        from issues.models import IssueEvent

        from . import recurrence

        # A submitted issue is checked for recurrence of a project (复发, DOMAIN.md §7).
        recorded.connect(
            recurrence.on_issue_recorded, sender=IssueEvent, dispatch_uid="rectification.recurrence"
        )
