"""The quality lead's admin group holds the permissions of exactly the configuration
models the apps declare (``AppConfig.quality_lead_models``): org lists no other app's
models itself."""

import pytest
from django.apps import apps

from closedloop.org.services import QUALITY_LEAD_GROUP, quality_lead_models, upsert_user

pytestmark = pytest.mark.django_db

CONFIGURED = {
    ("issues", "slapolicy"),
    ("issues", "calendaryear"),
    ("issues", "calendarday"),
    ("issues", "routingrule"),
    ("issues", "escalationlevel"),
    ("issues", "systemicissue"),
    ("notifications", "botwebhook"),
    ("notifications", "delivery"),
    ("integrations", "metricdefinition"),
    ("inspections", "checklisttemplate"),
    ("inspections", "checklistitem"),
    ("django_celery_beat", "periodictask"),
    ("django_celery_beat", "intervalschedule"),
    ("django_celery_beat", "crontabschedule"),
    ("axes", "accessattempt"),
    ("org", "user"),
}


def test_each_app_declares_its_configuration_models():
    assert set(quality_lead_models()) == CONFIGURED
    assert apps.get_app_config("org").quality_lead_models == ("org.user",)  # only its own
    for app_label, model in quality_lead_models():
        apps.get_model(app_label, model)  # names a real model


def test_the_quality_lead_gets_exactly_those_permissions(org):
    lead, _ = upsert_user(username="qlead", role="quality_lead", password="Lead-Pass-2026!")
    group = lead.groups.get(name=QUALITY_LEAD_GROUP)
    granted = set(group.permissions.values_list("content_type__app_label", "content_type__model"))
    assert granted == CONFIGURED
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"change_slapolicy", "add_calendarday", "change_periodictask"} <= codenames
    assert lead.is_staff and lead.has_perm("org.change_user")  # guarded per account
    assert lead.has_perm("axes.delete_accessattempt")  # unlocks a locked-out login
    assert not lead.has_perm("auth.change_group")
