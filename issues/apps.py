from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("问题")

    def ready(self):
        # Connects the work-calendar cache invalidation receivers in every process.
        from . import sla  # noqa: F401
