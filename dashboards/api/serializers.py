"""KPI API serializers (API.md ``GET /kpis/``, ``PUT /kpi-targets/{metric}/``): the names
API.md promises, plus additions. Enumerations are plain strings (their codes are listed
in the help texts); the rules live in ``dashboards.services``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import KpiTarget


class _FromTo(serializers.Serializer):
    """A serializer with ``from`` and ``to`` date fields (Python keywords as names)."""

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text=_("第一天（含）"))
        fields["to"] = serializers.DateField(help_text=_("最后一天（含）"))
        return fields


class PeriodSerializer(_FromTo):
    kind = serializers.CharField(help_text=_("week | month | range"))
    code = serializers.CharField(help_text=_("2025-11、2025-W47 或 2025-11-01..2025-11-30"))


class BoardRowSerializer(serializers.Serializer):
    class Meta:
        # The schema component's name: inspections has a BoardRow of its own.
        ref_name = "KpiBoardRow"

    metric = serializers.CharField(help_text=_("指标代码，如 resolution_rate"))
    name = serializers.CharField(help_text=_("指标名称"))
    unit = serializers.CharField(help_text=_("rate（比率，小数）| days | count | points | minutes"))
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    current = serializers.FloatField(allow_null=True)
    previous = serializers.FloatField(allow_null=True, help_text=_("上一期的值"))
    achievement_rate = serializers.FloatField(allow_null=True, help_text=_("达成率（小数）"))
    trend = serializers.CharField(help_text=_("up | down | flat（与上一期相比）"))
    trend_tone = serializers.CharField(help_text=_("good | bad | neutral（按指标方向着色）"))
    deviation = serializers.CharField(
        allow_null=True, help_text=_("normal | controllable | major（正常/可控/重大）")
    )
    direction = serializers.CharField(help_text=_("higher | lower"))
    method = serializers.CharField(help_text=_("standard | progress"))
    valid_from = serializers.DateField(allow_null=True, help_text=_("目标生效日期"))


class MeetingMeasuresSerializer(serializers.Serializer):
    attendance_rate = serializers.FloatField(allow_null=True)
    decision_clarity_rate = serializers.FloatField(allow_null=True)
    action_completion_rate = serializers.FloatField(allow_null=True)


class RectificationSerializer(serializers.Serializer):
    on_time_rate = serializers.FloatField(allow_null=True)
    avg_cycle_days = serializers.FloatField(allow_null=True)
    red_projects = serializers.IntegerField()


class KpisSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    slices = serializers.DictField(
        child=serializers.CharField(), help_text=_("region, tier, department, category")
    )
    submitted = serializers.IntegerField()
    resolved = serializers.IntegerField(help_text=_("本期解决的问题数"))
    resolution_rate = serializers.FloatField(allow_null=True)
    avg_resolution_days = serializers.FloatField(allow_null=True)
    backlog = serializers.IntegerField()
    response_rate = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text=_("按优先级代码（P0–P3）")
    )
    response_due = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("本期响应到期的问题数，按优先级")
    )
    department_response_rate = serializers.DictField(
        child=serializers.FloatField(allow_null=True), help_text=_("按部门代码")
    )
    meeting = MeetingMeasuresSerializer()
    rectification = RectificationSerializer(allow_null=True, help_text=_("整改模块未启用时为 null"))
    store_metrics = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        allow_null=True,
        help_text=_("DMS 门店指标均值（按指标代码）；未启用时为 null"),
    )
    board = BoardRowSerializer(many=True)


class KpiTargetSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_metric_display", read_only=True)
    set_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    baseline = serializers.FloatField(allow_null=True, read_only=True)
    target = serializers.FloatField(read_only=True)
    metric = serializers.CharField(read_only=True)
    direction = serializers.CharField(read_only=True, help_text=_("higher | lower"))
    method = serializers.CharField(read_only=True, help_text=_("standard | progress"))

    class Meta:
        model = KpiTarget
        fields = [
            "metric",
            "name",
            "baseline",
            "target",
            "direction",
            "method",
            "valid_from",
            "set_by",
            "set_at",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            source="valid_from", read_only=True, help_text=_("生效日期（同 valid_from）")
        )
        return fields


class KpiTargetWriteSerializer(serializers.Serializer):
    baseline = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, required=False
    )
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    direction = serializers.CharField(
        required=False, allow_blank=True, max_length=8, help_text=_("higher | lower")
    )
    method = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text=_("standard | progress")
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(help_text=_("生效日期（YYYY-MM-DD）"))
        return fields
