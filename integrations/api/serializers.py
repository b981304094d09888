"""Serializers of the integration API. Output serializers read querysets prepared by the
views (related rows joined or prefetched); input serializers check shapes only — the
rules live in ``integrations.services``."""

from __future__ import annotations

import json

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from closedloop.org.choices import ApiScope

from ..choices import DeliveryStatus, MetricDirection, TokenState, WebhookEvent
from ..models import (
    ApiToken,
    MetricDefinition,
    MetricReading,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

# --- tokens ------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    client = serializers.SlugRelatedField(
        source="user", slug_field="username", read_only=True, help_text=_("令牌所属用户名")
    )
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ApiScope.choices), read_only=True
    )
    stores = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("限定门店编码；空表示不限")
    )
    regions = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=_("限定区域编码；空表示不限")
    )
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    revoked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    state = serializers.SerializerMethodField(help_text=_("active | expired | revoked"))

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "prefix",
            "name",
            "client",
            "scopes",
            "stores",
            "regions",
            "throttle_rate",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "state",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TokenState.choices))
    def get_state(self, obj) -> str:
        return obj.state_at(self.context.get("now") or timezone.now())


# --- metrics -----------------------------------------------------------------------------


class MetricThresholdSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False)
    breach = serializers.ChoiceField(choices=[("above", "above"), ("below", "below")])
    consecutive_days = serializers.IntegerField()


class MetricDefinitionSerializer(serializers.ModelSerializer):
    direction = serializers.ChoiceField(choices=MetricDirection.choices, read_only=True)
    threshold = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        coerce_to_string=False,
        read_only=True,
        allow_null=True,
        help_text=_("预警阈值；null 表示不预警"),
    )
    breach = serializers.SerializerMethodField(
        help_text=_("above：高于阈值为超标（越低越好）；below：低于阈值为超标（越高越好）")
    )

    class Meta:
        model = MetricDefinition
        fields = [
            "code",
            "name",
            "unit",
            "direction",
            "thresholds",
            "threshold",
            "consecutive_days",
            "breach",
        ]
        read_only_fields = fields

    thresholds = serializers.SerializerMethodField(
        help_text=_(
            "预警：超过 value（breach 方向）连续 consecutive_days 天即开问题；null 表示不预警"
        )
    )

    @extend_schema_field(serializers.ChoiceField(choices=[("above", "above"), ("below", "below")]))
    def get_breach(self, obj) -> str:
        return "above" if obj.direction == MetricDirection.LOWER else "below"

    @extend_schema_field(MetricThresholdSerializer(allow_null=True))
    def get_thresholds(self, obj) -> dict | None:
        if obj.threshold is None:
            return None
        return MetricThresholdSerializer(
            {
                "value": obj.threshold,
                "breach": self.get_breach(obj),
                "consecutive_days": obj.consecutive_days,
            }
        ).data


class MetricReadingSerializer(serializers.ModelSerializer):
    store = serializers.CharField(source="store.code", read_only=True)
    metric = serializers.CharField(source="metric.code", read_only=True)
    value = serializers.DecimalField(
        max_digits=14, decimal_places=4, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = MetricReading
        fields = ["store", "metric", "date", "value", "source", "updated_at"]
        read_only_fields = fields


class MetricReadingInputSerializer(serializers.Serializer):
    """One reading of a batch (documentation; the service checks every row)."""

    store = serializers.CharField(max_length=32, help_text=_("门店编码"))
    metric = serializers.CharField(max_length=32, help_text=_("指标编码，见 /metric-definitions/"))
    date = serializers.DateField()
    value = serializers.FloatField(min_value=-9999999999, max_value=9999999999)


class MetricBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    issues = serializers.ListField(
        child=serializers.CharField(), help_text=_("本批数据触发阈值新开的问题编号")
    )


class RowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text=_("批次中的位置，从 0 开始"))
    field = serializers.CharField()
    message = serializers.CharField()


class MetricBatchErrorSerializer(serializers.Serializer):
    """400: ``detail`` always; ``errors`` per wrong row when the rows were checked."""

    detail = serializers.CharField()
    errors = RowErrorSerializer(many=True, required=False)


# --- webhooks ----------------------------------------------------------------------------

EVENTS_HELP = _("事件：") + ", ".join(WebhookEvent.values)


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), read_only=True
    )
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    stores = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    regions = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "events",
            "active",
            "description",
            "owner",
            "stores",
            "regions",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSubscriptionSerializer):
    """The reply to creation: the only time the secret is shown."""

    secret = serializers.CharField(read_only=True, help_text=_("签名密钥，只在创建时返回一次"))

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookWriteSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text=_("http(s) 接收地址"))
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        max_length=len(WebhookEvent.values),
        help_text=EVENTS_HELP,
    )
    secret = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=128,
        write_only=True,
        help_text=_("签名密钥（16–128 个字符）；不填则自动生成"),
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateSerializer(WebhookWriteSerializer):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        max_length=len(WebhookEvent.values),
        required=False,
    )
    active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms", "manual"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, read_only=True)
    event = serializers.ChoiceField(choices=WebhookEvent.choices, read_only=True)
    payload = serializers.SerializerMethodField(help_text=_("发送的请求体"))
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "delivery_id",
            "event",
            "event_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "delivered_at",
            "payload",
            "attempt_log",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, obj) -> dict:
        return json.loads(obj.payload)


# --- import ------------------------------------------------------------------------------


class IssueImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("旧跟踪表：.xlsx 或 .csv（UTF-8 或 GBK）"))
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text=_("true：只预检，不导入")
    )
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4000,
        help_text=_('列对应（JSON 对象）：{"问题编号": "文件中的列名", …}；不填按列名自动识别'),
    )


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text=_("文件中的行号（表头为第 1 行）"))
    field = serializers.CharField(help_text=_("列名"))
    message = serializers.CharField()


class IssueImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField(help_text=_("数据行数"))


class IssueImportErrorSerializer(serializers.Serializer):
    """400: nothing was imported. ``errors`` lists each bad row and column; a request that
    never reached the rows (no file, an unreadable file, a bad mapping) reports row 0 and
    the request field; a malformed request body answers only ``detail``."""

    created = serializers.IntegerField(required=False)
    updated = serializers.IntegerField(required=False)
    errors = ImportRowErrorSerializer(many=True, required=False)
    dry_run = serializers.BooleanField(required=False)
    rows = serializers.IntegerField(required=False)
    detail = serializers.CharField(required=False)
