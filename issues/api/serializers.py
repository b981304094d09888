"""Issue API serializers: the fields API.md promises (never renamed), plus additions.

Output serializers read a queryset prepared by ``IssueViewSet.get_queryset`` (related
rows joined or prefetched), so they never query per row. Input serializers only check
types and shapes; the business rules live in ``issues.services``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from .. import selectors
from ..choices import (
    MAX_COMMENT_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    Category,
    Channel,
    ImpactScope,
    Priority,
)
from ..models import Attachment, Issue, IssueEvent, SystemicIssue

# --- output -----------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment in brief, with a download link that checks visibility."""

    name = serializers.CharField(source="original_name", read_only=True)
    uploaded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text=_("上传人用户名")
    )
    url = serializers.SerializerMethodField(help_text=_("下载地址（需登录，按问题可见性校验）"))

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        # ``obj.issue`` is the prefetching issue itself: no query.
        return reverse(
            "api:issue-attachment-download",
            kwargs={"number": obj.issue.number, "attachment_id": obj.pk},
            request=self.context.get("request"),
        )


class IssueEventSerializer(serializers.ModelSerializer):
    """One timeline entry: a transition, comment, internal note, assignment …"""

    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text=_("操作人用户名；系统动作为 null"),
    )
    # Plain strings, not a second copy of the status enum (one enum name per choice set
    # keeps the OpenAPI document free of naming collisions).
    from_status = serializers.CharField(read_only=True, help_text=_("原状态代码，同 status"))
    to_status = serializers.CharField(read_only=True, help_text=_("新状态代码，同 status"))
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = IssueEvent
        fields = [
            "kind",
            "kind_display",
            "action",
            "actor",
            "at",
            "from_status",
            "to_status",
            "body",
            "public",
            "data",
        ]
        read_only_fields = fields


class SystemicIssueBriefSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text=_("identified | in_progress | pushed | landed")
    )

    class Meta:
        model = SystemicIssue
        fields = ["id", "title", "status"]
        read_only_fields = fields


class IssueSerializer(serializers.ModelSerializer):
    """An issue as listed. The names up to ``url`` are the API.md contract."""

    store = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.CharField(source="store.region.code", read_only=True)
    priority = serializers.ChoiceField(
        choices=Priority.choices, allow_blank=True, read_only=True, help_text=_("分级前为空")
    )
    department = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text=_("责任部门编码")
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text=_("处理人用户名")
    )
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text=_("提交人用户名")
    )
    response_breached = serializers.SerializerMethodField()
    resolution_breached = serializers.SerializerMethodField()
    suggested_priority = serializers.CharField(
        read_only=True, help_text=_("按影响范围建议的优先级代码，同 priority")
    )
    rectification = serializers.SerializerMethodField(
        help_text=_("关联整改项目编号（REF-…），没有时为 null")
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="api:issue-detail", lookup_field="number", read_only=True
    )
    # Additions (API.md allows more, never less).
    store_name = serializers.CharField(source="store.name", read_only=True)
    region_name = serializers.CharField(source="store.region.name", read_only=True)
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    priority_display = serializers.CharField(source="get_priority_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    impact_scope_display = serializers.CharField(source="get_impact_scope_display", read_only=True)
    duplicate_of = serializers.SlugRelatedField(
        slug_field="number", read_only=True, allow_null=True, help_text=_("保留问题的编号")
    )
    systemic_issue = SystemicIssueBriefSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Issue
        fields = [
            # API.md contract
            "number",
            "store",
            "region",
            "category",
            "title",
            "description",
            "impact_scope",
            "expected_resolution_date",
            "channel",
            "external_ref",
            "status",
            "priority",
            "suggested_priority",
            "department",
            "assignee",
            "submitted_by",
            "submitted_at",
            "triaged_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_due_at",
            "resolution_due_at",
            "response_breached",
            "resolution_breached",
            "rating",
            "reopen_count",
            "rectification",
            "url",
            # additions
            "store_name",
            "region_name",
            "department_name",
            "status_display",
            "priority_display",
            "category_display",
            "impact_scope_display",
            "resolution",
            "reject_reason",
            "rating_comment",
            "duplicate_of",
            "systemic_issue",
            "sla_calendar_gap",
            "updated_at",
            "attachments",
        ]
        read_only_fields = fields

    def get_response_breached(self, obj) -> bool:
        return selectors.response_breached(obj)

    def get_resolution_breached(self, obj) -> bool:
        return selectors.resolution_breached(obj)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rectification(self, obj) -> str | None:
        # The viewset's queryset annotates ``rectification_number`` (the REF-… number of
        # the issue's project, ``rectification.selectors.issue_project_number``).
        return getattr(obj, "rectification_number", None)


class IssueDetailSerializer(IssueSerializer):
    """One issue with its timeline. Internal notes (and other non-public entries) are
    already filtered out by the view for people who may not see them."""

    timeline = IssueEventSerializer(source="timeline_events", many=True, read_only=True)

    class Meta(IssueSerializer.Meta):
        fields = [*IssueSerializer.Meta.fields, "timeline"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------


class IssueCreateSerializer(serializers.Serializer):
    store = serializers.CharField(max_length=32, help_text=_("门店编码"))
    category = serializers.ChoiceField(choices=Category.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=MAX_DESCRIPTION_LENGTH)
    impact_scope = serializers.ChoiceField(choices=ImpactScope.choices)
    expected_resolution_date = serializers.DateField(required=False, allow_null=True)
    external_ref = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("外部单号；同一来源重复推送时返回已有问题（200）"),
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text=_("默认：接口客户端为 dms，其他人为 web"),
    )


class TriageSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    department = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text=_("部门编码，默认按建议")
    )


class ChangePrioritySerializer(TriageSerializer):
    reason = serializers.CharField(
        max_length=MAX_COMMENT_LENGTH, required=False, allow_blank=True, default=""
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(max_length=150, help_text=_("用户名"))


class CommentSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_COMMENT_LENGTH)
    public = serializers.BooleanField(
        required=False, default=True, help_text=_("false 为内部备注（门店不可见）")
    )


class AskStoreSerializer(serializers.Serializer):
    question = serializers.CharField(
        max_length=MAX_COMMENT_LENGTH, required=False, allow_blank=True, default=""
    )
    body = serializers.CharField(
        max_length=MAX_COMMENT_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("question 的别名"),
    )

    def validate(self, attrs):
        question = (attrs.get("question") or attrs.get("body") or "").strip()
        if not question:
            raise serializers.ValidationError({"question": [_("请写明需要门店补充的内容。")]})
        return {"question": question}


class StoreReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=MAX_COMMENT_LENGTH)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=MAX_COMMENT_LENGTH)


class ConfirmSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        max_length=MAX_COMMENT_LENGTH, required=False, allow_blank=True, default=""
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_COMMENT_LENGTH)


class DuplicateSerializer(serializers.Serializer):
    duplicate_of = serializers.CharField(max_length=20, help_text=_("保留问题的编号 ISS-…"))


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        allow_empty=False,
        help_text=_("图片或 PDF，每个 ≤ 10 MB，每个问题最多 9 个；可重复该字段"),
    )
