from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "closedloop.notifications"
    label = "notifications"
    verbose_name = _("通知")
    #: What the quality lead configures in the admin (``closedloop.org.services``).
    quality_lead_models = ("notifications.botwebhook", "notifications.delivery")
