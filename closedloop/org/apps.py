from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "closedloop.org"
    label = "org"
    verbose_name = _("组织与人员")
    #: The quality lead keeps the accounts (reset a password, deactivate, fix a scope);
    #: never a superuser's or a staff account (``services.can_change_user``).
    quality_lead_models = ("org.user",)
