from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("接口集成")
    #: What the quality lead configures in the admin (``closedloop.org.services``).
    quality_lead_models = ("integrations.metricdefinition",)

    def ready(self):
        from closedloop.core.workflow import recorded
        from issues.models import IssueEvent

        from .api import schema  # noqa: F401  (the OpenAPI extension of the token auth)
        from .services import webhooks

        # The one hook for outbound webhooks: a submission or status change of an issue
        # becomes issue.created / issue.status_changed after the transaction commits.
        recorded.connect(
            webhooks.on_issue_event_recorded, sender=IssueEvent, dispatch_uid="webhooks.issues"
        )
