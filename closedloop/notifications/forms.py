"""Forms of the inbox pages, and the one FilterSet of notifications shared by the inbox
page and the API (STYLE.md 8)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notification, Preference


class NotificationFilterSet(django_filters.FilterSet):
    """``read=true`` → read only, ``read=false`` → unread only, absent → all."""

    read = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", exclude=True, label=_("已读")
    )

    class Meta:
        model = Notification
        fields = ["read"]


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "daily_digest"]
        widgets = {
            "email": forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
            "daily_digest": forms.CheckboxInput(
                attrs={"class": "form-check-input", "role": "switch"}
            ),
        }
        help_texts = {
            "email": _("关闭后只在站内通知中查看，不再发送邮件。"),
        }
