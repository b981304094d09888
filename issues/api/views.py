"""Issue API (API.md "Issues"): thin viewset over ``issues.services``.

Rows come from ``Issue.objects.visible_to`` only (anything else is 404); who may do what
to a visible issue is ``issues.policy``, enforced inside the services (403); the
allowed-transitions table is enforced there too (409, ``invalid_transition``)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from closedloop.api.pagination import IdsFirst
from closedloop.api.permissions import ScopedWrite
from closedloop.api.viewsets import BusinessObjectMixin
from closedloop.errors import DomainError
from closedloop.org.choices import ApiScope, Role
from closedloop.org.models import Store, User
from rectification.selectors import issue_project_number

from .. import attachments, policy, services
from ..choices import Channel
from ..filtersets import IssueFilterSet
from ..models import Attachment, Issue, IssueEvent
from . import serializers as s

ISSUE = s.IssueDetailSerializer
NOT_FOUND = _("问题不存在或不在你的范围内。")
ERRORS = {
    400: OpenApiResponse(description=_("输入有误：按字段列出错误")),
    403: OpenApiResponse(description=_("该问题可见，但你无权执行此操作")),
    404: OpenApiResponse(description=NOT_FOUND),
    409: OpenApiResponse(description=_("当前状态不允许此操作（code: invalid_transition）")),
}


def _responses(ok: int = 200, body=ISSUE, *codes: int) -> dict:
    return {ok: body, **{code: ERRORS[code] for code in (codes or (400, 403, 404, 409))}}


class IssueViewSet(
    BusinessObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """问题: list, read, submit, and move through the status flow."""

    queryset = Issue.objects.all()
    not_found_message = NOT_FOUND
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.ISSUES_READ
    write_scope = ApiScope.ISSUES_WRITE
    # The FilterSet carries ``search`` and ``ordering`` itself: no DRF Search/OrderingFilter.
    filter_backends = [DjangoFilterBackend]
    filterset_class = IssueFilterSet
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"

    # --- querysets ----------------------------------------------------------------------

    def _timeline(self):
        events = IssueEvent.objects.select_related("actor")
        if not policy.sees_internal_notes(self.request.user):
            events = events.filter(public=True)
        return events

    def _read_queryset(self, *, detail: bool):
        """Visible issues with everything the serializers read joined or prefetched."""
        queryset = (
            Issue.objects.visible_to(self.request.user)
            .select_related(
                "store__region",
                "department",
                "assignee",
                "submitted_by",
                "duplicate_of",
                "systemic_issue",
            )
            .prefetch_related(
                Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by"))
            )
            .annotate(rectification_number=issue_project_number())
            .order_by("-submitted_at", "-pk")
        )
        if detail:
            queryset = queryset.prefetch_related(
                Prefetch("events", queryset=self._timeline(), to_attr="timeline_events")
            )
        return queryset

    def get_queryset(self):
        if self.action == "list":
            # Bare rows, newest first (index ``issue_by_submitted``): the filters and the
            # order pick the page's ids; only those rows are joined and annotated (list).
            return Issue.objects.visible_to(self.request.user).order_by("-submitted_at", "-pk")
        if self.action == "retrieve":
            return self._read_queryset(detail=True)
        # Actions only need the row: the service locks and reloads it.
        return Issue.objects.visible_to(self.request.user)

    def get_serializer_class(self):
        return s.IssueSerializer if self.action == "list" else s.IssueDetailSerializer

    # --- helpers ------------------------------------------------------------------------

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _reply(self, issue: Issue, code: int = status.HTTP_200_OK) -> Response:
        """The issue as it is now, in its detail form."""
        fresh = self._read_queryset(detail=True).filter(pk=issue.pk).first()
        if fresh is None:  # the action moved it out of the caller's sight
            issue.timeline_events = []
            fresh = issue
        return Response(
            s.IssueDetailSerializer(fresh, context=self.get_serializer_context()).data,
            status=code,
        )

    # --- list, read, create -------------------------------------------------------------

    @extend_schema(
        summary=_("问题列表"),
        responses={
            200: s.IssueSerializer(many=True),
            400: ERRORS[400],
            404: OpenApiResponse(description=_("页码无效")),
        },
    )
    def list(self, request, *args, **kwargs):
        # Ids first: the project-number sub-select and the joins run for the page's rows
        # only, not for every row an OFFSET skips (docs/performance.md).
        rows = IdsFirst(
            self.filter_queryset(self.get_queryset()),
            lambda picked: self._read_queryset(detail=False).filter(picked),
        )
        page = self.paginate_queryset(rows)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    @extend_schema(summary=_("问题详情（含时间线）"), responses={200: ISSUE, 404: ERRORS[404]})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_("提交问题"),
        description=_("201 新建；同一来源重复推送相同 external_ref 时返回已有问题（200）。"),
        request=s.IssueCreateSerializer,
        responses={201: ISSUE, 200: ISSUE, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def create(self, request, *args, **kwargs):
        data = self._input(s.IssueCreateSerializer)
        user = request.user
        channel = data.get("channel") or (
            Channel.DMS if user.role == Role.API_CLIENT else Channel.WEB
        )
        issue, created = services.create_issue(
            submitted_by=user,
            store=Store.objects.visible_to(user).filter(code=data["store"]).first(),
            category=data["category"],
            title=data["title"],
            description=data["description"],
            impact_scope=data["impact_scope"],
            expected_resolution_date=data.get("expected_resolution_date"),
            channel=channel,
            external_ref=data.get("external_ref", ""),
        )
        return self._reply(issue, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    # --- triage side --------------------------------------------------------------------

    @extend_schema(summary=_("分级"), request=s.TriageSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def triage(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.TriageSerializer)
        services.triage(
            issue=issue,
            actor=request.user,
            priority=data["priority"],
            department=data.get("department") or None,
        )
        return self._reply(issue)

    @extend_schema(
        summary=_("调整优先级/责任部门"), request=s.ChangePrioritySerializer, responses=_responses()
    )
    @action(detail=True, methods=["post"])
    def priority(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ChangePrioritySerializer)
        services.change_priority(
            issue=issue,
            actor=request.user,
            priority=data["priority"],
            department=data.get("department") or None,
            reason=data["reason"],
        )
        return self._reply(issue)

    @extend_schema(summary=_("驳回"), request=s.ReasonSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def reject(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.reject(issue=issue, actor=request.user, reason=data["reason"])
        return self._reply(issue)

    @extend_schema(summary=_("标记重复"), request=s.DuplicateSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def duplicate(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.DuplicateSerializer)
        survivor = (
            Issue.objects.visible_to(request.user).filter(number=data["duplicate_of"]).first()
        )
        # An unknown or invisible number reaches the service as None: 400 on duplicate_of.
        services.mark_duplicate(issue=issue, actor=request.user, duplicate_of=survivor)
        return self._reply(issue)

    # --- department side ----------------------------------------------------------------

    @extend_schema(summary=_("指派处理人"), request=s.AssignSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def assign(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.AssignSerializer)
        assignee = User.objects.visible_to(request.user).filter(username=data["assignee"]).first()
        # An unknown or invisible username reaches the service as None: 400 on assignee.
        services.assign(issue=issue, actor=request.user, assignee=assignee)
        return self._reply(issue)

    @extend_schema(summary=_("受理（计为首次响应）"), request=None, responses=_responses())
    @action(detail=True, methods=["post"])
    def accept(self, request, number=None):
        issue = self.get_object()
        services.accept(issue=issue, actor=request.user)
        return self._reply(issue)

    @extend_schema(
        summary=_("回复或内部备注"),
        description=_(
            "public=false 为内部备注。责任部门的公开回复计为首次响应；"
            "问题待门店补充时，门店一方的公开回复即为门店补充（恢复计时）。"
        ),
        request=s.CommentSerializer,
        responses=_responses(201, s.IssueEventSerializer, 400, 403, 404),
    )
    @action(detail=True, methods=["post"])
    def comments(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.CommentSerializer)
        event = services.comment(
            issue=issue, actor=request.user, body=data["body"], public=data["public"]
        )
        return Response(
            s.IssueEventSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("请门店补充（暂停计时）"), request=s.AskStoreSerializer, responses=_responses()
    )
    @action(detail=True, methods=["post"], url_path="ask-store")
    def ask_store(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.AskStoreSerializer)
        services.ask_store(issue=issue, actor=request.user, question=data["question"])
        return self._reply(issue)

    @extend_schema(
        summary=_("不等门店，恢复处理（恢复计时）"),
        request=s.ReasonSerializer,
        responses=_responses(),
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.resume(issue=issue, actor=request.user, reason=data["reason"])
        return self._reply(issue)

    @extend_schema(summary=_("解决"), request=s.ResolveSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def resolve(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ResolveSerializer)
        services.resolve(issue=issue, actor=request.user, resolution=data["resolution"])
        return self._reply(issue)

    # --- store side ---------------------------------------------------------------------

    @extend_schema(
        summary=_("门店补充（恢复计时）"), request=s.StoreReplySerializer, responses=_responses()
    )
    @action(detail=True, methods=["post"], url_path="store-reply")
    def store_reply(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.StoreReplySerializer)
        services.store_reply(issue=issue, actor=request.user, body=data["body"])
        return self._reply(issue)

    @extend_schema(summary=_("确认关闭并评分"), request=s.ConfirmSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def confirm(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ConfirmSerializer)
        services.confirm(
            issue=issue, actor=request.user, rating=data["rating"], comment=data["comment"]
        )
        return self._reply(issue)

    @extend_schema(summary=_("重新打开"), request=s.ReasonSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def reopen(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.ReasonSerializer)
        services.reopen(issue=issue, actor=request.user, reason=data["reason"])
        return self._reply(issue)

    # --- attachments --------------------------------------------------------------------

    @extend_schema(
        summary=_("上传附件"),
        description=_("multipart，字段 file 可重复。回复该问题当前的全部附件。"),
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses=_responses(201, s.AttachmentSerializer(many=True)),
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        # A plain list of this issue's attachments: not paginated, not filtered.
        pagination_class=None,
        filter_backends=[],
    )
    def attachments(self, request, number=None):
        issue = self.get_object()
        data = self._input(s.AttachmentUploadSerializer)
        try:
            services.add_attachments(issue=issue, actor=request.user, files=data["file"])
        except DomainError as exc:
            if exc.field != "attachments":
                raise
            # The service names the form field; the API's field is ``file``.
            raise ValidationError({"file": [str(exc.message)]}) from exc
        saved = Attachment.objects.filter(issue=issue).select_related("issue", "uploaded_by")
        return Response(
            s.AttachmentSerializer(saved, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("下载附件"),
        parameters=[OpenApiParameter("attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        # The file is served with the type it was stored as: one of the upload types.
        responses={
            **{(200, kind): OpenApiTypes.BINARY for kind in services.ALLOWED_UPLOAD_TYPES},
            404: ERRORS[404],
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]+)",
        url_name="attachment-download",
    )
    def attachment_download(self, request, number=None, attachment_id=None):
        issue = self.get_object()
        attachment = issue.attachments.filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound(NOT_FOUND)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise NotFound(NOT_FOUND) from exc
        return FileResponse(
            handle,
            filename=attachments.download_name(attachment),
            content_type=attachment.content_type,
        )
