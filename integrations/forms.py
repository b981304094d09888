"""Forms of the integration pages. They check shapes; the services hold the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import Region, User

from .choices import WebhookEvent
from .services import imports


class TokenForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("客户端"),
        queryset=User.objects.none(),
        help_text=_("角色为“接口客户端”的账号；新客户端请先在用户管理中创建。"),
    )
    name = forms.CharField(label=_("用途"), max_length=64, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("接口权限"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )
    stores = forms.CharField(
        label=_("限定门店"),
        required=False,
        max_length=2000,
        help_text=_("门店编码，用逗号分隔；留空表示不限门店。"),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("限定区域"),
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    days = forms.IntegerField(
        label=_("有效天数"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("留空表示长期有效。"),
    )
    throttle_rate = forms.CharField(
        label=_("限流"),
        required=False,
        max_length=32,
        help_text=_("例如 600/min；留空使用默认值。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            role=Role.API_CLIENT, is_active=True
        ).order_by("username")


class WebhookForm(forms.Form):
    url = forms.CharField(label=_("接收地址"), max_length=500)
    events = forms.MultipleChoiceField(
        label=_("事件"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        required=False,
        max_length=128,
        help_text=_("16–128 个字符；留空自动生成，只在创建后显示一次。"),
    )
    description = forms.CharField(label=_("说明"), required=False, max_length=200)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("旧跟踪表"),
        help_text=_(".xlsx 或 .csv（UTF-8 或 GBK），第一行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ImportMappingForm(forms.Form):
    """For each column the import knows, which column of the file holds it."""

    def __init__(self, *args, headers: list[str], initial_mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("—（文件中没有）"))] + [(h, h) for h in headers if h]
        for key, titles in imports.COLUMNS.items():
            self.fields[key] = forms.ChoiceField(
                label=titles[0],
                choices=choices,
                required=False,
                initial=initial_mapping.get(key, ""),
            )
            if key in imports.REQUIRED:
                self.fields[key].label = f"{titles[0]} *"

    def mapping(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in imports.COLUMNS}
