"""Integration API: tokens, store metrics, webhooks, the migration import. Thin views:
rows from ``visible_to`` (anything else is 404), actions through the services (403 for
a forbidden action, 400 for bad input, never a 500)."""

from __future__ import annotations

import json
import uuid

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from closedloop.api.parsers import JSONParser
from closedloop.api.permissions import ScopedWrite
from closedloop.org.choices import ApiScope

from .. import policy
from ..choices import DeliveryStatus, WebhookEvent
from ..filtersets import ApiTokenFilterSet, MetricReadingFilterSet, WebhookDeliveryFilterSet
from ..models import (
    ApiToken,
    MetricDefinition,
    MetricReading,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from ..services import imports, metrics, tokens, webhooks
from . import serializers as s

BAD_INPUT = OpenApiResponse(description=_("输入有误：按字段列出错误"))
FORBIDDEN = OpenApiResponse(description=_("无权执行此操作"))
NOT_FOUND = OpenApiResponse(description=_("对象不存在或不在你的范围内。"))
BAD_PAGE = OpenApiResponse(description=_("页码无效"))


def _not_found():
    return NotFound(_("对象不存在或不在你的范围内。"))


class _Policy(BasePermission):
    """``view.allowed(user)`` for every method (the whole resource is for some people)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and view.allowed(user))


# --- tokens ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("接口令牌列表"),
        description=_("运营负责人查看全部令牌（前缀、客户端、权限、限定门店、最近使用、到期）。"),
        responses={
            200: s.ApiTokenSerializer(many=True),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: BAD_PAGE,
        },
    ),
    destroy=extend_schema(
        summary=_("吊销令牌"),
        description=_("令牌立即失效：之后用它的请求一律 401。"),
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ApiTokenSerializer
    permission_classes = [_Policy]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiTokenFilterSet

    @staticmethod
    def allowed(user):
        return policy.can_manage_tokens(user)

    def get_queryset(self):
        return (
            ApiToken.objects.visible_to(self.request.user)
            .select_related("user", "created_by", "revoked_by")
            .prefetch_related("stores", "regions")
            .order_by("-created_at", "-pk")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as exc:
            raise _not_found() from exc

    def perform_destroy(self, instance):
        tokens.revoke_token(token=instance, actor=self.request.user)


# --- metrics -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary=_("门店指标定义"),
        responses={200: s.MetricDefinitionSerializer(many=True), 400: BAD_INPUT, 404: BAD_PAGE},
    ),
    retrieve=extend_schema(
        summary=_("一个指标定义"), responses={200: s.MetricDefinitionSerializer, 404: NOT_FOUND}
    ),
)
class MetricDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MetricDefinitionSerializer
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return MetricDefinition.objects.visible_to(self.request.user).filter(active=True)

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as exc:
            raise _not_found() from exc


@extend_schema_view(
    list=extend_schema(
        summary=_("门店指标数据"),
        description=_("按 store、metric、from、to（日期）筛选；只含你可见门店的数据。"),
        responses={200: s.MetricReadingSerializer(many=True), 400: BAD_INPUT, 404: BAD_PAGE},
    ),
    create=extend_schema(
        summary=_("批量提交门店指标"),
        description=_(
            "请求体为数组（最多 1000 条），按（门店, 指标, 日期）新增或覆盖。先校验全部数据，"
            "任何一条有误则整批不保存（400，errors 列出每条的位置、字段和原因）。"
            "超过阈值时为每个门店和指标开一个问题（渠道 dms），该问题未关闭前不再重复开。"
        ),
        request=s.MetricReadingInputSerializer(many=True),
        responses={
            200: s.MetricBatchResultSerializer,
            400: s.MetricBatchErrorSerializer,
            403: FORBIDDEN,
        },
    ),
)
class MetricReadingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MetricReadingSerializer
    # A batch is a JSON array: no form encoding can carry it.
    parser_classes = [JSONParser]
    permission_classes = [ScopedWrite]
    write_scope = ApiScope.METRICS_WRITE
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricReadingFilterSet

    def get_queryset(self):
        return (
            MetricReading.objects.visible_to(self.request.user)
            .select_related("store", "metric")
            .order_by("store__code", "metric__order", "metric__code", "date")
        )

    def create(self, request, *args, **kwargs):
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError(
                {"detail": _("请求体应为数组：[{store, metric, date, value}, …]。")}
            )
        try:
            result = metrics.record_readings(actor=request.user, rows=rows)
        except metrics.MetricBatchError as exc:
            return Response(
                {"detail": str(exc.message), "errors": [e.as_dict() for e in exc.rows]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "issues": [issue.number for issue in result.issues],
            }
        )


# --- webhooks ----------------------------------------------------------------------------

DELIVERY_ID = OpenApiParameter(
    "delivery_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description=_("X-Delivery 的值")
)


@extend_schema_view(
    list=extend_schema(
        summary=_("Webhook 订阅列表"),
        responses={
            200: s.WebhookSubscriptionSerializer(many=True),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: BAD_PAGE,
        },
    ),
    retrieve=extend_schema(
        summary=_("一个 Webhook 订阅"),
        responses={200: s.WebhookSubscriptionSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("订阅 Webhook"),
        description=_(
            "每次投递 POST {event, id, created_at, data}，请求头 X-Event、X-Delivery（重试时不变）、"
            "X-Timestamp、X-Signature: sha256=<对“<timestamp>.<body>”的 HMAC-SHA256>。"
            "非 2xx 响应按指数退避重试；持续失败的订阅会被自动停用并通知运营负责人。"
            "密钥只在这次回复中出现。"
        ),
        request=s.WebhookWriteSerializer,
        responses={201: s.WebhookCreatedSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary=_("修改 Webhook 订阅"),
        description=_("active=true 重新启用自动停用的订阅（清零失败次数）。"),
        request=s.WebhookUpdateSerializer,
        responses={
            200: s.WebhookSubscriptionSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
    destroy=extend_schema(
        summary=_("删除 Webhook 订阅"), responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND}
    ),
)
class WebhookViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.WebhookSubscriptionSerializer
    permission_classes = [_Policy]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @staticmethod
    def allowed(user):
        return policy.can_manage_webhooks(user)

    def get_queryset(self):
        queryset = WebhookSubscription.objects.visible_to(self.request.user)
        if self.action in ("deliveries", "redeliver"):
            return queryset  # only the row: the deliveries are what is shown
        return (
            queryset.select_related("owner")
            .prefetch_related("stores", "regions")
            .order_by("-created_at", "-pk")
        )

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as exc:
            raise _not_found() from exc

    def _fresh(self, subscription):
        return (
            WebhookSubscription.objects.select_related("owner")
            .prefetch_related("stores", "regions")
            .get(pk=subscription.pk)
        )

    def create(self, request, *args, **kwargs):
        writer = s.WebhookWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        subscription = webhooks.create_subscription(actor=request.user, **writer.validated_data)
        fresh = self._fresh(subscription)
        return Response(s.WebhookCreatedSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        writer = s.WebhookUpdateSerializer(data=request.data, partial=True)
        writer.is_valid(raise_exception=True)
        webhooks.update_subscription(
            subscription=subscription, actor=request.user, **writer.validated_data
        )
        return Response(self.get_serializer(self._fresh(subscription)).data)

    def perform_destroy(self, instance):
        webhooks.delete_subscription(subscription=instance, actor=self.request.user)

    def _delivery(self, subscription, delivery_id):
        try:
            key = uuid.UUID(str(delivery_id))
        except ValueError as exc:
            raise _not_found() from exc
        delivery = subscription.deliveries.filter(delivery_id=key).first()
        if delivery is None:
            raise _not_found()
        return delivery

    @extend_schema(
        summary=_("投递记录"),
        description=_("这个订阅的每次投递和每次尝试（响应码、错误、耗时），最新在前。"),
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=DeliveryStatus.values),
            OpenApiParameter("event", OpenApiTypes.STR, enum=WebhookEvent.values),
        ],
        responses={
            200: s.WebhookDeliverySerializer(many=True),
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        queryset = (
            WebhookDelivery.objects.filter(subscription=subscription)
            .prefetch_related(
                Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("at", "pk"))
            )
            .order_by("-created_at", "-pk")
        )
        filterset = WebhookDeliveryFilterSet(request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(s.WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary=_("重发一次投递"),
        description=_("立即再发一次，X-Delivery 不变；失败只记录，不再自动重试。"),
        parameters=[DELIVERY_ID],
        request=None,
        responses={
            202: s.WebhookDeliverySerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[^/]+)/redeliver",
        url_name="redeliver",
    )
    def redeliver(self, request, pk=None, delivery_id=None):
        subscription = self.get_object()
        delivery = webhooks.redeliver(
            delivery=self._delivery(subscription, delivery_id), actor=request.user
        )
        delivery = (
            WebhookDelivery.objects.prefetch_related("attempt_log").filter(pk=delivery.pk).get()
        )
        return Response(s.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- import ------------------------------------------------------------------------------


class IssueImportView(APIView):
    """``POST /imports/issues/``: the migration import of the old tracking table."""

    permission_classes = [_Policy]
    parser_classes = [MultiPartParser, FormParser]

    @staticmethod
    def allowed(user):
        return policy.can_import_issues(user)

    @extend_schema(
        summary=_("导入旧问题跟踪表"),
        description=_(
            "列：问题编号、门店编码、问题分类、问题标题、问题描述、影响范围、优先级、责任部门、状态、"
            "提交时间、首次响应时间、解决时间、关闭时间（填名称或代码均可；时间带时区，或按北京时间）。"
            "先校验每一行，任何一行有误则什么都不导入（400，errors 列出行、列和原因）；"
            "dry_run=true 只预检。再次导入按问题编号更新。历史时间和状态按原样保留，"
            "截止时间按 SLA 策略计算。"
        ),
        request={"multipart/form-data": s.IssueImportRequestSerializer},
        responses={
            200: s.IssueImportResultSerializer,
            400: s.IssueImportErrorSerializer,
            403: FORBIDDEN,
        },
    )
    def post(self, request):
        data = s.IssueImportRequestSerializer(data=request.data)
        if not data.is_valid():
            return self._refused(
                {field: [str(m) for m in messages] for field, messages in data.errors.items()}
            )
        mapping = None
        if data.validated_data.get("mapping"):
            try:
                mapping = json.loads(data.validated_data["mapping"])
            except ValueError:
                mapping = None
            if not isinstance(mapping, dict) or not all(
                isinstance(v, str | type(None)) for v in mapping.values()
            ):
                return self._refused({"mapping": [_('应为 JSON 对象：{"问题编号": "列名"}。')]})
        dry_run = data.validated_data["dry_run"]
        try:
            _record, report = imports.import_upload(
                actor=request.user,
                file=data.validated_data["file"],
                mapping=mapping,
                dry_run=dry_run,
            )
        except imports.ImportFileError as exc:
            return self._refused({exc.field or "file": [str(exc.message)]}, dry_run=dry_run)
        body = {
            "created": report.created,
            "updated": report.updated,
            "errors": report.errors,
            "dry_run": report.dry_run,
            "rows": report.rows,
        }
        return Response(
            body, status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST
        )

    @staticmethod
    def _refused(problems: dict, *, dry_run: bool = False) -> Response:
        """A request that never reached the rows: the same reply shape, row 0."""
        errors = [
            {"row": 0, "field": field, "message": message}
            for field, messages in problems.items()
            for message in messages
        ]
        return Response(
            {"created": 0, "updated": 0, "errors": errors, "dry_run": dry_run, "rows": 0},
            status=status.HTTP_400_BAD_REQUEST,
        )
