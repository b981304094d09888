from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_schedules(sender, using="default", **kwargs):
    """After ``migrate``: every scheduled job of every app has its beat row."""
    from . import jobs

    jobs.sync_schedules()


class CoreConfig(AppConfig):
    name = "closedloop.core"
    label = "core"
    verbose_name = _("核心")
    #: The quality lead edits the beat schedules of the jobs in the admin.
    quality_lead_models = (
        "django_celery_beat.periodictask",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.crontabschedule",
        # Login lockouts (django-axes): the login page sends locked-out people to the
        # quality lead, who unlocks them by deleting the attempt.
        "axes.accessattempt",
    )

    def ready(self):
        post_migrate.connect(_sync_schedules, sender=self, dispatch_uid="core.sync_schedules")
