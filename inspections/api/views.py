"""Inspection API (API.md "Inspections"): thin views over ``inspections.services``.

Rows come from ``Inspection.objects.visible_to`` only (anything else is 404); who may do
what is ``inspections.policy``, enforced inside the services (403); the state rules are
enforced there too (409 ``invalid_transition``); bad input is a 400 naming the field."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from closedloop.api.permissions import ScopedWrite
from closedloop.api.viewsets import BusinessObjectMixin
from closedloop.org.choices import ApiScope
from closedloop.org.models import Store

from .. import board, services
from ..filtersets import BoardFilterSet, InspectionFilterSet
from ..models import (
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    FollowUpStep,
    Inspection,
    ItemResult,
    Photo,
    ResourceRequest,
)
from . import serializers as s

NOT_FOUND = _("巡检不存在或不在你的范围内。")
ERRORS = {
    400: OpenApiResponse(description=_("输入有误：按字段列出错误")),
    403: OpenApiResponse(description=_("该巡检可见，但你无权执行此操作")),
    404: OpenApiResponse(description=NOT_FOUND),
    409: OpenApiResponse(description=_("当前状态不允许此操作（code: invalid_transition）")),
}
PAGE_404 = OpenApiResponse(description=_("页码无效"))
DETAIL = s.InspectionDetailSerializer


def _responses(ok=200, body=DETAIL, *codes):
    return {ok: body, **{code: ERRORS[code] for code in (codes or (400, 403, 404, 409))}}


def _items(rows) -> list:
    return [
        services.ItemInput(
            item=row["item"],
            score=row.get("score"),
            passed=row.get("passed"),
            note=row.get("note", ""),
        )
        for row in rows
    ]


class InspectionViewSet(
    BusinessObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """巡检: list, read, create (and issue the report), and run the follow-up."""

    queryset = Inspection.objects.all()
    not_found_message = NOT_FOUND
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.INSPECTIONS_READ
    write_scope = ApiScope.INSPECTIONS_WRITE
    filter_backends = [DjangoFilterBackend]
    filterset_class = InspectionFilterSet
    lookup_value_regex = r"[0-9]{1,18}"

    def _detail_queryset(self):
        return (
            Inspection.objects.visible_to(self.request.user)
            .select_related("store__region", "template", "inspector", "closure_check", "experience")
            .prefetch_related(
                Prefetch("results", queryset=ItemResult.objects.select_related("item")),
                Prefetch("findings", queryset=Finding.objects.select_related("item", "issue")),
                Prefetch("follow_up", queryset=FollowUpStep.objects.order_by("due_on", "seq")),
                "metrics",
                Prefetch("photos", queryset=Photo.objects.select_related("item")),
                "logs",
                "spot_checks",
                "reinspections",
                Prefetch(
                    "resource_requests",
                    queryset=ResourceRequest.objects.select_related("department"),
                ),
            )
            .order_by("-inspected_on", "-pk")
        )

    def get_queryset(self):
        if self.action == "list":
            return (
                Inspection.objects.visible_to(self.request.user)
                .select_related("store__region", "template", "inspector")
                .order_by("-inspected_on", "-pk")
            )
        if self.action == "retrieve":
            return self._detail_queryset()
        return Inspection.objects.visible_to(self.request.user)

    def get_serializer_class(self):
        return s.InspectionSerializer if self.action == "list" else DETAIL

    def _input(self, serializer_class, **kwargs):
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _reply(self, inspection, code=status.HTTP_200_OK):
        fresh = self._detail_queryset().filter(pk=inspection.pk).first()
        if fresh is None:
            raise NotFound(NOT_FOUND)
        return Response(DETAIL(fresh, context=self.get_serializer_context()).data, status=code)

    def _finding(self, inspection, finding_id) -> Finding:
        finding = (
            Finding.objects.select_related("inspection", "item")
            .filter(inspection=inspection, pk=finding_id)
            .first()
        )
        if finding is None:
            raise NotFound(_("发现问题不存在。"))
        return finding

    # --- list, read, create ------------------------------------------------------------

    @extend_schema(
        summary=_("巡检列表"),
        responses={200: s.InspectionSerializer(many=True), 400: ERRORS[400], 404: PAGE_404},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("巡检详情（含发现问题与跟进计划）"), responses={200: DETAIL, 404: ERRORS[404]}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary=_("提交巡检"),
        description=_(
            "创建巡检并（默认）出具报告：得分、发现问题与跟进计划一并返回。必须拍照的检查项"
            "需先以 issue=false 创建，再上传照片并 POST …/issue/。"
        ),
        request=s.InspectionCreateSerializer,
        responses={201: DETAIL, 400: ERRORS[400], 403: ERRORS[403]},
    )
    def create(self, request, *args, **kwargs):
        data = self._input(s.InspectionCreateSerializer)
        user = request.user
        inspection = services.create_inspection(
            actor=user,
            store=Store.objects.visible_to(user).filter(code=data["store"]).first(),
            template=services.current_template(data["template"]),
            inspected_on=data["date"],
            results=_items(data["items"]),
            findings=data["findings"],
            metrics=data["metrics"],
            summary=data["summary"],
            issue=data["issue"],
        )
        return self._reply(inspection, status.HTTP_201_CREATED)

    # --- drafts -------------------------------------------------------------------------

    @extend_schema(summary=_("出具报告"), request=None, responses=_responses())
    @action(detail=True, methods=["post"], url_path="issue")
    def issue_report(self, request, pk=None):
        inspection = self.get_object()
        services.issue_report(inspection=inspection, actor=request.user)
        return self._reply(inspection)

    @extend_schema(
        summary=_("上传检查项照片（巡检中）"),
        request={"multipart/form-data": s.PhotoInputSerializer},
        responses=_responses(201),
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        url_path="photos",
    )
    def photos(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.PhotoInputSerializer)
        services.record_results(
            inspection=inspection,
            actor=request.user,
            results=[],
            photos={data["item"]: data["file"]},
        )
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("添加核心指标"), request=s.MetricInputSerializer, responses=_responses(201)
    )
    @action(detail=True, methods=["post"], url_path="metrics")
    def metrics(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.MetricInputSerializer)
        services.add_metric(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("添加发现问题"), request=s.FindingInputSerializer, responses=_responses(201)
    )
    @action(detail=True, methods=["post"], url_path="findings")
    def add_finding(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.FindingInputSerializer)
        services.add_finding(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    # --- the action plan ----------------------------------------------------------------

    @extend_schema(
        summary=_("更新行动计划行（发现问题）"),
        description=_(
            "只修改传入的字段：status、owner_name、steps、due_on、acceptance_criterion、resources、metric。"
        ),
        request=s.FindingUpdateSerializer,
        responses=_responses(200, s.FindingSerializer),
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"findings/(?P<finding_id>[0-9]{1,18})",
        url_name="finding",
    )
    def finding(self, request, pk=None, finding_id=None):
        inspection = self.get_object()
        finding = self._finding(inspection, finding_id)
        data = self._input(s.FindingUpdateSerializer)
        finding = services.update_finding(finding=finding, actor=request.user, **data)
        finding = Finding.objects.select_related("item", "issue").get(pk=finding.pk)
        return Response(s.FindingSerializer(finding).data)

    @extend_schema(
        summary=_("发现问题转为问题单"),
        description=_("来源渠道为巡检；标题、描述、分类按发现问题预填，可覆盖。"),
        request=s.IssueInputSerializer,
        responses=_responses(201, s.IssueCreatedSerializer),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"findings/(?P<finding_id>[0-9]{1,18})/issue",
        url_name="finding-issue",
    )
    def finding_issue(self, request, pk=None, finding_id=None):
        inspection = self.get_object()
        finding = self._finding(inspection, finding_id)
        data = self._input(s.IssueInputSerializer)
        issue = services.finding_to_issue(finding=finding, actor=request.user, **data)
        finding = Finding.objects.select_related("item", "issue").get(pk=finding.pk)
        return Response(
            {
                "issue": issue.number,
                "url": s.issue_url(issue, request),
                "finding": s.FindingSerializer(finding).data,
            },
            status=status.HTTP_201_CREATED,
        )

    # --- follow-up ----------------------------------------------------------------------

    @extend_schema(
        summary=_("记录 24 小时沟通或启动会"),
        request=s.StepInputSerializer,
        responses=_responses(),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"follow-up/(?P<step>call|kickoff)",
        url_name="follow-up",
    )
    def follow_up(self, request, pk=None, step=None):
        inspection = self.get_object()
        data = self._input(s.StepInputSerializer)
        services.record_step(
            inspection=inspection,
            actor=request.user,
            kind=step,
            done_on=data["date"],
            note=data["note"],
        )
        return self._reply(inspection)

    @extend_schema(summary=_("跟进日志"), request=s.LogInputSerializer, responses=_responses(201))
    @action(detail=True, methods=["post"], url_path="logs")
    def logs(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.LogInputSerializer)
        services.add_follow_up_log(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("抽查（远程/现场）"),
        request=s.SpotCheckInputSerializer,
        responses=_responses(201),
    )
    @action(detail=True, methods=["post"], url_path="spot-checks")
    def spot_checks(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.SpotCheckInputSerializer)
        services.record_spot_check(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("效果验收复检（只对不合格项重新评分）"),
        request=s.ReinspectInputSerializer,
        responses=_responses(201),
    )
    @action(detail=True, methods=["post"], url_path="reinspections")
    def reinspections(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.ReinspectInputSerializer)
        services.reinspect(
            inspection=inspection,
            actor=request.user,
            date=data["date"],
            rescores=_items(data["items"]),
            readings={row["metric"]: row["value"] for row in data["readings"]},
            note=data["note"],
        )
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("申请资源协调"), request=s.ResourceInputSerializer, responses=_responses(201)
    )
    @action(detail=True, methods=["post"], url_path="resource-requests")
    def resource_requests(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.ResourceInputSerializer)
        services.request_resource(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("更新资源协调状态"),
        request=s.ResourceUpdateSerializer,
        responses=_responses(200, s.ResourceRequestSerializer),
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"resource-requests/(?P<request_id>[0-9]{1,18})",
        url_name="resource-request",
    )
    def resource_request(self, request, pk=None, request_id=None):
        inspection = self.get_object()
        found = ResourceRequest.objects.filter(inspection=inspection, pk=request_id).first()
        if found is None:
            raise NotFound(_("资源协调不存在。"))
        data = self._input(s.ResourceUpdateSerializer)
        found = services.update_resource(request=found, actor=request.user, **data)
        found = ResourceRequest.objects.select_related("department").get(pk=found.pk)
        return Response(s.ResourceRequestSerializer(found).data)

    @extend_schema(
        summary=_("经验沉淀"), request=s.ExperienceInputSerializer, responses=_responses(201)
    )
    @action(detail=True, methods=["post"], url_path="experience")
    def experience(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.ExperienceInputSerializer)
        services.capture_experience(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("确认闭环条件（人工判断的几项）"),
        request=s.ClosureInputSerializer,
        responses=_responses(),
    )
    @action(detail=True, methods=["put"], url_path="closure")
    def closure(self, request, pk=None):
        inspection = self.get_object()
        data = self._input(s.ClosureInputSerializer)
        services.update_closure_check(inspection=inspection, actor=request.user, **data)
        return self._reply(inspection)

    @extend_schema(
        summary=_("闭环"),
        description=_("五项必要条件全部满足且四项充分条件至少满足两项；否则 409。"),
        request=None,
        responses=_responses(),
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request, pk=None):
        inspection = self.get_object()
        services.close_inspection(inspection=inspection, actor=request.user)
        return self._reply(inspection)


class TemplateListView(generics.ListAPIView):
    """检查表: the current version of every active checklist."""

    serializer_class = s.TemplateSerializer
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.INSPECTIONS_READ
    write_scope = ApiScope.INSPECTIONS_WRITE
    filter_backends = []

    def get_queryset(self):
        return (
            ChecklistTemplate.objects.current()
            .prefetch_related(
                Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
            )
            .order_by("code")
        )

    @extend_schema(
        summary=_("巡检检查表"), responses={200: s.TemplateSerializer(many=True), 404: PAGE_404}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class BoardView(generics.ListAPIView):
    """改进仪表盘: a row per store's latest inspection, ranked by score."""

    serializer_class = s.BoardRowSerializer
    permission_classes = [ScopedWrite]
    read_scope = ApiScope.INSPECTIONS_READ
    write_scope = ApiScope.INSPECTIONS_WRITE
    filter_backends = [DjangoFilterBackend]
    filterset_class = BoardFilterSet

    def get_queryset(self):
        return board.board_queryset(Inspection.objects.visible_to(self.request.user))

    @extend_schema(
        summary=_("改进仪表盘"),
        responses={200: s.BoardRowSerializer(many=True), 400: ERRORS[400], 404: PAGE_404},
    )
    def get(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        offset = self.paginator.page.start_index() if page is not None else 1
        rows = [board.as_row(row, rank=offset + i) for i, row in enumerate(page)]
        return self.get_paginated_response(s.BoardRowSerializer(rows, many=True).data)
