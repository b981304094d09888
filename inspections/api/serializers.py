"""Inspection API serializers: the names API.md promises (never renamed), plus additions.

Output serializers read querysets prepared by the views (related rows joined or
prefetched), so they never query per row. Input serializers check types and shapes only;
the rules (a score within the item's maximum, a priority on every finding, a required
photo, a re-inspection of failed items only, no follow-up log in the future) live in
``inspections.services``. Codes are plain strings documented in ``help_text`` (one enum
name per choice set would collide with the other apps' ``status``/``priority``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    CoreMetric,
    Finding,
    FollowUpLog,
    FollowUpStep,
    Inspection,
    ItemResult,
    Photo,
    Reinspection,
    ResourceRequest,
    SpotCheck,
)

STATUS_HELP = _("draft | following_up | accepted | closed")
PRIORITY_HELP = _("high | medium | low（高/中/低）")
FINDING_STATUS_HELP = _("not_started | in_progress | solved")
STEP_HELP = _(
    "call | kickoff | weekly_1 | weekly_2 | weekly_3 | weekly_4 | spot_remote | spot_onsite"
    " | acceptance | experience"
)


def _number(**kwargs):
    return serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False, **kwargs
    )


# --- templates --------------------------------------------------------------------------


class TemplateItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("score | pass_fail"))
    area = serializers.CharField(read_only=True, help_text=_("hardware | process | people | data"))
    max_score = _number(
        read_only=True, allow_null=True, help_text=_("评分项的满分；合格/不合格项为 null")
    )
    weight = _number(read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "key",
            "text",
            "kind",
            "max_score",
            "weight",
            "guidance",
            "photo_required",
            "area",
        ]
        read_only_fields = fields


class TemplateSectionSerializer(serializers.Serializer):
    title = serializers.CharField(read_only=True)
    items = TemplateItemSerializer(many=True, read_only=True)


class TemplateSerializer(serializers.ModelSerializer):
    sections = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistTemplate
        fields = ["code", "name", "version", "sections", "description"]
        read_only_fields = fields

    @extend_schema_field(TemplateSectionSerializer(many=True))
    def get_sections(self, obj) -> list:
        from ..services import sections

        return [
            {"title": title, "items": TemplateItemSerializer(items, many=True).data}
            for title, items in sections(obj.items.all())
        ]


# --- one inspection ---------------------------------------------------------------------


class FindingSerializer(serializers.ModelSerializer):
    priority = serializers.CharField(read_only=True, help_text=PRIORITY_HELP)
    status = serializers.CharField(read_only=True, help_text=FINDING_STATUS_HELP)
    item = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True, help_text=_("检查项代码")
    )
    metric = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("关联核心指标的 id")
    )
    issue = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text=_("转成的问题编号")
    )
    rectification = serializers.CharField(
        source="rectification_ref",
        read_only=True,
        allow_null=True,
        help_text=_("转成的整改项目编号（REF-…），没有时为 null"),
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "status",
            "seq",
            "text",
            "priority",
            "item",
            "metric",
            "owner_name",
            "steps",
            "due_on",
            "acceptance_criterion",
            "resources",
            "solved_on",
            "issue",
            "rectification",
        ]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    step = serializers.CharField(source="kind", read_only=True, help_text=STEP_HELP)
    label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = FollowUpStep
        fields = ["step", "due_on", "done_on", "label", "starts_on", "note"]
        read_only_fields = fields


class MetricSerializer(serializers.ModelSerializer):
    direction = serializers.CharField(read_only=True, help_text=_("lower | higher"))
    baseline = _number(read_only=True)
    standard = _number(read_only=True, allow_null=True)
    current = _number(read_only=True, allow_null=True)

    class Meta:
        model = CoreMetric
        fields = [
            "id",
            "metric",
            "name",
            "unit",
            "direction",
            "baseline",
            "standard",
            "current",
            "measured_on",
        ]
        read_only_fields = fields


class ResultSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="key", read_only=True)
    score = _number(read_only=True, allow_null=True)
    rescore = _number(read_only=True, allow_null=True)

    class Meta:
        model = ItemResult
        fields = ["item", "score", "passed", "note", "rescore", "repassed"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    item = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "item", "reinspection", "original_name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class LogSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUpLog
        fields = [
            "id",
            "date",
            "participants",
            "done",
            "in_progress",
            "not_started",
            "difficulties",
            "next_week",
            "needs_support",
        ]
        read_only_fields = fields


class SpotCheckSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("remote | onsite"))
    hardware = serializers.CharField(read_only=True, help_text=_("ok | partial | fail"))
    process = serializers.CharField(read_only=True)
    people = serializers.CharField(read_only=True)
    data = serializers.CharField(read_only=True)

    class Meta:
        model = SpotCheck
        fields = ["id", "kind", "date", "hardware", "process", "people", "data", "note"]
        read_only_fields = fields


class ReinspectionSerializer(serializers.ModelSerializer):
    score = _number(read_only=True)

    class Meta:
        model = Reinspection
        fields = ["id", "date", "score", "passed", "result", "note"]
        read_only_fields = fields


class ResourceRequestSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("it | training | budget | equipment"))
    status = serializers.CharField(
        read_only=True, help_text=_("requested | in_progress | done | cancelled")
    )
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ResourceRequest
        fields = ["id", "kind", "what", "department", "expected_on", "status", "created_at"]
        read_only_fields = fields


class CheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    met = serializers.BooleanField()
    detail = serializers.CharField(required=False)


class VerdictSerializer(serializers.Serializer):
    passed = serializers.BooleanField()
    checks = CheckSerializer(many=True)


class ClosureSerializer(serializers.Serializer):
    closable = serializers.BooleanField()
    necessary = CheckSerializer(many=True)
    sufficient = CheckSerializer(many=True)
    sufficient_met = serializers.IntegerField()
    sufficient_needed = serializers.IntegerField()


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection as listed."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    region = serializers.CharField(source="store.region.code", read_only=True)
    template = serializers.CharField(source="template.code", read_only=True)
    template_version = serializers.IntegerField(source="template.version", read_only=True)
    date = serializers.DateField(source="inspected_on", read_only=True)
    inspector = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    score = _number(read_only=True, allow_null=True, help_text=_("加权得分 0–100"))
    acceptance_score = _number(read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:inspection-detail", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "store",
            "store_name",
            "region",
            "date",
            "template",
            "template_version",
            "inspector",
            "status",
            "score",
            "acceptance_score",
            "reported_on",
            "accepted_on",
            "url",
        ]
        read_only_fields = fields


class InspectionDetailSerializer(InspectionSerializer):
    """One inspection with its results, findings and follow-up plan."""

    items = ResultSerializer(source="results", many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    follow_up = StepSerializer(many=True, read_only=True)
    metrics = MetricSerializer(many=True, read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    logs = LogSerializer(many=True, read_only=True)
    spot_checks = SpotCheckSerializer(many=True, read_only=True)
    reinspections = ReinspectionSerializer(many=True, read_only=True)
    resource_requests = ResourceRequestSerializer(many=True, read_only=True)
    acceptance = serializers.SerializerMethodField()
    closure = serializers.SerializerMethodField()

    class Meta(InspectionSerializer.Meta):
        fields = [
            *InspectionSerializer.Meta.fields,
            "summary",
            "items",
            "findings",
            "follow_up",
            "metrics",
            "photos",
            "logs",
            "spot_checks",
            "reinspections",
            "resource_requests",
            "acceptance",
            "closure",
        ]
        read_only_fields = fields

    @extend_schema_field(VerdictSerializer)
    def get_acceptance(self, obj) -> dict:
        from ..services import acceptance_verdict

        return acceptance_verdict(
            obj, findings=list(obj.findings.all()), metrics=list(obj.metrics.all())
        ).as_dict()

    @extend_schema_field(ClosureSerializer)
    def get_closure(self, obj) -> dict:
        from ..services import closure_verdict

        return closure_verdict(
            obj, findings=list(obj.findings.all()), metrics=list(obj.metrics.all())
        ).as_dict()


class BoardRowSerializer(serializers.Serializer):
    """A row of the improvement board (API.md fields first)."""

    store = serializers.CharField()
    inspected_on = serializers.DateField()
    findings = serializers.IntegerField()
    solved = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    not_started = serializers.IntegerField()
    completion_rate = serializers.FloatField(help_text=_("已解决 ÷ 问题数（0–1）；没有问题为 1"))
    next_follow_up_on = serializers.DateField(allow_null=True)
    risk = serializers.CharField(help_text=_("red | yellow | green"))
    store_name = serializers.CharField()
    region = serializers.CharField()
    tier = serializers.CharField()
    score = _number(allow_null=True)
    rank = serializers.IntegerField(help_text=_("按得分的名次（筛选后）"))
    needs_support = serializers.BooleanField()
    inspection = serializers.IntegerField(help_text=_("巡检 id"))
    status = serializers.CharField(help_text=STATUS_HELP)


# --- input --------------------------------------------------------------------------------


class ItemInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text=_("检查项代码"))
    score = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, help_text=_("评分项")
    )
    passed = serializers.BooleanField(required=False, allow_null=True, help_text=_("合格/不合格项"))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FindingInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000, allow_blank=True)
    priority = serializers.CharField(
        max_length=16, required=False, allow_blank=True, default="", help_text=PRIORITY_HELP
    )
    item = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    metric = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**62, help_text=_("核心指标 id")
    )


class MetricInputSerializer(serializers.Serializer):
    metric = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("waiting_minutes | nps | satisfaction | complaints，或留空并填 name"),
    )
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    direction = serializers.CharField(
        max_length=8, required=False, allow_blank=True, default="", help_text=_("lower | higher")
    )
    baseline = serializers.DecimalField(max_digits=12, decimal_places=2)
    standard = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )


class InspectionCreateSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=32, help_text=_("门店编码"))
    date = serializers.DateField(help_text=_("巡检日期"))
    template = serializers.CharField(
        max_length=40, help_text=_("检查表编码（GET /inspection-templates/）")
    )
    items = ItemInputSerializer(many=True, max_length=500)
    findings = FindingInputSerializer(many=True, required=False, default=list, max_length=200)
    metrics = MetricInputSerializer(many=True, required=False, default=list, max_length=20)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    issue = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("出具报告（默认 true）；false 保存为巡检中，可再上传照片后 POST …/issue/"),
    )


class FindingUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=16, required=False, help_text=FINDING_STATUS_HELP)
    owner_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    steps = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    acceptance_criterion = serializers.CharField(max_length=300, required=False, allow_blank=True)
    resources = serializers.CharField(max_length=300, required=False, allow_blank=True)
    metric = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)


class StepInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class LogInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    participants = serializers.CharField(max_length=200)
    done = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )
    in_progress = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )
    not_started = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )
    difficulties = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )
    next_week = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=30
    )


class SpotCheckInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=8, help_text=_("remote | onsite"))
    date = serializers.DateField()
    hardware = serializers.CharField(max_length=8, help_text=_("ok | partial | fail"))
    process = serializers.CharField(max_length=8)
    people = serializers.CharField(max_length=8)
    data = serializers.CharField(max_length=8)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReadingInputSerializer(serializers.Serializer):
    metric = serializers.IntegerField(min_value=1, max_value=2**62, help_text=_("核心指标 id"))
    value = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReinspectInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    items = ItemInputSerializer(many=True, required=False, default=list, max_length=500)
    readings = ReadingInputSerializer(many=True, required=False, default=list, max_length=20)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ResourceInputSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=16, help_text=_("it | training | budget | equipment"))
    what = serializers.CharField(max_length=200)
    department = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    expected_on = serializers.DateField(required=False, allow_null=True)


class ResourceUpdateSerializer(serializers.Serializer):
    status = serializers.CharField(
        max_length=16, help_text=_("requested | in_progress | done | cancelled")
    )
    expected_on = serializers.DateField(required=False, allow_null=True)


class ExperienceInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    problem = serializers.CharField(max_length=4000)
    root_cause = serializers.CharField(max_length=4000)
    solution = serializers.CharField(max_length=4000)
    effect = serializers.CharField(max_length=4000)
    captured_on = serializers.DateField()
    standard_updated = serializers.BooleanField(required=False, default=False)
    replicability = serializers.IntegerField(required=False, default=3, min_value=1, max_value=5)


class ClosureInputSerializer(serializers.Serializer):
    new_habits = serializers.BooleanField(required=False)
    store_shares = serializers.BooleanField(required=False)
    others_learn = serializers.BooleanField(required=False)
    in_standard = serializers.BooleanField(required=False)
    sustained = serializers.BooleanField(required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class IssueInputSerializer(serializers.Serializer):
    category = serializers.CharField(
        max_length=16, required=False, help_text=_("system | process | supply_chain | people")
    )
    impact_scope = serializers.CharField(
        max_length=16, required=False, help_text=_("store | multi_store | region | national")
    )
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=4000, required=False)


class IssueCreatedSerializer(serializers.Serializer):
    issue = serializers.CharField(help_text=_("新问题的编号"))
    url = serializers.CharField()
    finding = FindingSerializer()


class PhotoInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text=_("检查项代码"))
    file = serializers.ListField(
        child=serializers.FileField(), help_text=_("可重复；图片，每张 ≤ 10 MB"), max_length=9
    )


def issue_url(issue, request) -> str:
    return reverse("issues:detail", args=[issue.number], request=request)
