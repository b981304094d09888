from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("巡检")
    #: What the quality lead configures in the admin (``closedloop.org.services``).
    quality_lead_models = ("inspections.checklisttemplate", "inspections.checklistitem")
