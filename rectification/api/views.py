"""Rectification API (API.md "Rectification"): a thin viewset over ``rectification.services``.

Rows come from ``Project.objects.visible_to`` only (anything else is 404); who may do what
to a visible project is ``rectification.policy``, enforced inside the services (403); the
allowed-transitions table is enforced there too (409, ``invalid_transition``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from closedloop.api.permissions import ScopedWrite
from closedloop.api.viewsets import BusinessObjectMixin
from closedloop.org.choices import ApiScope

from .. import acceptance as acceptance_services
from .. import services
from ..filtersets import CaseFilterSet, ProjectFilterSet
from ..models import Case, Project
from ..selectors import (
    acceptances_queryset,
    detail_queryset,
    latest_readings,
    list_queryset,
)
from . import serializers as s

DETAIL = s.ProjectDetailSerializer
NOT_FOUND = _("整改项目不存在或不在你的范围内。")
ERRORS = {
    400: OpenApiResponse(description=_("输入有误：按字段（含路径，如 goals[0].target）列出错误")),
    403: OpenApiResponse(description=_("该项目可见，但你无权执行此操作")),
    404: OpenApiResponse(description=NOT_FOUND),
    409: OpenApiResponse(description=_("当前状态不允许此操作（code: invalid_transition）")),
}
#: Scopes machine clients need (API clients get them with their token).
READ_SCOPE = ApiScope.RECTIFICATIONS_READ
WRITE_SCOPE = ApiScope.RECTIFICATIONS_WRITE


def flatten_errors(errors, prefix: str = "") -> dict:
    """DRF's nested errors as ``{"goals[0].target": [...]}``, the services' shape."""
    flat: dict = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):  # a list's errors by row index
                path = f"{prefix}[{key}]"
            elif key == "non_field_errors" and prefix:
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else key
            flat.update(flatten_errors(value, path))
    elif isinstance(errors, list) and errors and not all(isinstance(e, str) for e in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_errors(value, f"{prefix}[{index}]"))
    else:
        flat[prefix or "detail"] = (
            [str(e) for e in errors] if isinstance(errors, list) else [str(errors)]
        )
    return flat


def _responses(ok: int = 200, body=DETAIL, *codes: int) -> dict:
    return {ok: body, **{code: ERRORS[code] for code in (codes or (400, 403, 404, 409))}}


class ProjectViewSet(
    BusinessObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """整改项目: list, read, kick off, sign, move through the lifecycle, track."""

    queryset = Project.objects.all()
    not_found_message = NOT_FOUND
    permission_classes = [ScopedWrite]
    read_scope = READ_SCOPE
    write_scope = WRITE_SCOPE
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProjectFilterSet
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return list_queryset(user)
        if self.action == "retrieve":
            return detail_queryset(user)
        return Project.objects.visible_to(user).select_related("store__region")

    def get_object(self):
        # One answer for "malformed", "does not exist" and "not yours to see".
        if not services.is_number(self.kwargs.get(self.lookup_field, "")):
            raise NotFound(NOT_FOUND)
        return super().get_object()

    def get_serializer_class(self):
        return s.ProjectSerializer if self.action == "list" else DETAIL

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def _detail_context(self, project) -> dict:
        return {
            **self.get_serializer_context(),
            "latest_readings": latest_readings(project),
            "available_actions": services.actions_for(project, self.request.user),
        }

    def _input(self, serializer_class, *, partial=False):
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        if not serializer.is_valid():
            # Named by their path in the body, as the services name theirs.
            raise ValidationError(flatten_errors(serializer.errors))
        return serializer.validated_data

    def _reply(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        fresh = detail_queryset(self.request.user).filter(pk=project.pk).first()
        if fresh is None:
            raise NotFound(NOT_FOUND)
        return Response(DETAIL(fresh, context=self._detail_context(fresh)).data, status=code)

    # --- read ---------------------------------------------------------------------------

    @extend_schema(
        summary=_("整改项目列表"),
        responses={
            200: s.ProjectSerializer(many=True),
            400: ERRORS[400],
            403: ERRORS[403],
            404: OpenApiResponse(description=_("页码无效")),
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("整改项目详情"),
        responses={200: DETAIL, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def retrieve(self, request, *args, **kwargs):
        project = self.get_object()
        return Response(DETAIL(project, context=self._detail_context(project)).data)

    # --- write --------------------------------------------------------------------------

    @extend_schema(
        summary=_("发起整改项目（启动表）"),
        description=_("回复 201 与项目编号 REF-YYYY-NNN，状态 draft。"),
        request=s.ProjectWriteSerializer,
        responses=_responses(201, DETAIL, 400, 403),
    )
    def create(self, request, *args, **kwargs):
        data = self._input(s.ProjectWriteSerializer)
        project = services.create_project(actor=request.user, data=data)
        return self._reply(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("修改整改项目"),
        description=_(
            "草稿：启动表的任何字段（列表整体替换，带 id 的行保留）。启动后：只能修改 "
            "measures（带 id 为修改，不带 id 为新增）和 tracking（跟踪频率）。"
            "修改已有签字的草稿会使签字作废。"
        ),
        request=s.ProjectWriteSerializer,
        responses=_responses(),
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        data = self._input(s.ProjectWriteSerializer, partial=True)
        services.update_project(project=project, actor=request.user, data=data)
        return self._reply(project)

    @extend_schema(
        summary=_("签字确认"),
        description=_(
            "以调用者的角色（门店店长、运营专家、区域总监）签字；第三个签字使项目进入 kicked_off。"
        ),
        request=None,
        responses=_responses(),
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, number=None):
        project = self.get_object()
        services.sign(project=project, actor=request.user)
        return self._reply(project)

    @extend_schema(summary=_("开始执行"), request=None, responses=_responses())
    @action(detail=True, methods=["post"])
    def start(self, request, number=None):
        project = self.get_object()
        services.start(project=project, actor=request.user)
        return self._reply(project)

    @extend_schema(summary=_("提交验收"), request=None, responses=_responses())
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        project = self.get_object()
        services.submit(project=project, actor=request.user)
        return self._reply(project)

    @extend_schema(summary=_("取消项目"), request=s.CancelSerializer, responses=_responses())
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        project = self.get_object()
        data = self._input(s.CancelSerializer)
        services.cancel(project=project, actor=request.user, reason=data["reason"])
        return self._reply(project)

    @extend_schema(
        summary=_("整改跟踪记录"),
        description=_("回复记录本身，以及第 N 天、项目的健康度和下次跟踪日期。"),
        request=s.TrackingLogInputSerializer,
        responses=_responses(201, s.TrackingLogReplySerializer),
    )
    @action(detail=True, methods=["post"], url_path="tracking-logs")
    def tracking_logs(self, request, number=None):
        project = self.get_object()
        data = self._input(s.TrackingLogInputSerializer)
        log = services.add_tracking_log(project=project, actor=request.user, data=data)
        log = (
            type(log)
            .objects.select_related("project", "recorder")
            .prefetch_related("in_progress", "difficulties", "solutions", "readings")
            .get(pk=log.pk)
        )
        return Response(
            s.TrackingLogReplySerializer(log, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    # --- acceptance and observation -----------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary=_("项目的验收评分表（初次与正式）"),
        request=None,
        responses={200: s.AcceptanceSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["POST"],
        summary=_("整改验收评分表"),
        description=_(
            "回复总分 total、评级 rating、建议结论 suggested_conclusion、结论 conclusion，以及每个"
            "核心目标的达成率 achievement_rate 与档次 band。得分不在档次范围内时 400，指明字段与"
            "允许范围；状态不对时 409。"
        ),
        request=s.AcceptanceInputSerializer,
        responses=_responses(201, s.AcceptanceSerializer),
    )
    @action(detail=True, methods=["get", "post"])
    def acceptances(self, request, number=None):
        project = self.get_object()
        if request.method == "GET":
            rows = acceptances_queryset().filter(project=project)
            return Response(
                s.AcceptanceSerializer(rows, many=True, context=self.get_serializer_context()).data
            )
        data = self._input(s.AcceptanceInputSerializer)
        acceptance = acceptance_services.record_acceptance(
            project=project, actor=request.user, data=data
        )
        acceptance = acceptances_queryset().get(pk=acceptance.pk)
        return Response(
            s.AcceptanceSerializer(acceptance, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary=_("店长签字确认验收"),
        description=_("门店店长为最近一份尚未签字的验收评分表签字。"),
        request=None,
        responses=_responses(200, s.AcceptanceSerializer),
    )
    @action(detail=True, methods=["post"], url_path="acceptances/sign")
    def sign_acceptance(self, request, number=None):
        project = self.get_object()
        acceptance = acceptance_services.sign_latest_acceptance(project=project, actor=request.user)
        acceptance = acceptances_queryset().get(pk=acceptance.pk)
        return Response(
            s.AcceptanceSerializer(acceptance, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("观察期复查"),
        description=_(
            "回复复查记录，以及项目的持续性评估 sustainability、反弹标记 rebound 与下次复查日期。"
        ),
        request=s.RecheckInputSerializer,
        responses=_responses(201, s.RecheckReplySerializer),
    )
    @action(detail=True, methods=["post"])
    def rechecks(self, request, number=None):
        project = self.get_object()
        data = self._input(s.RecheckInputSerializer)
        recheck = acceptance_services.record_recheck(project=project, actor=request.user, data=data)
        recheck = (
            type(recheck)
            .objects.select_related("project", "recorder")
            .prefetch_related("readings")
            .get(pk=recheck.pk)
        )
        return Response(
            s.RecheckReplySerializer(recheck, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    # --- closure (闭环确认检查表) ----------------------------------------------------------

    @extend_schema(
        methods=["GET"],
        summary=_("闭环确认检查表"),
        description=_(
            "七步检查表：每步的 state（complete|partial|not_done）、verdict（full|basic|open）"
            "和 level（80…100）。auto 为 true 的检查项由系统根据数据填写。"
        ),
        responses={200: s.ClosureSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    @extend_schema(
        methods=["PUT"],
        summary=_("填写闭环确认检查表"),
        description=_("只修改提交的检查项（每项的 done 和/或 value）。"),
        request=s.ClosureInputSerializer,
        responses=_responses(200, s.ClosureSerializer),
    )
    @action(detail=True, methods=["get", "put"])
    def closure(self, request, number=None):
        from .. import closure

        project = self.get_object()
        if request.method == "PUT":
            # Only the fields sent are in the validated data: only they change.
            data = self._input(s.ClosureInputSerializer)
            result = closure.update_closure(project=project, actor=request.user, data=data)
        else:
            result = closure.checklist(project)
        return Response(s.ClosureSerializer(closure.as_data(result)).data)

    @extend_schema(
        summary=_("闭环"),
        description=_(
            "闭环判定为完全闭环（full）或基本闭环（basic）时闭环；否则 409 invalid_transition。"
        ),
        request=None,
        responses=_responses(),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        from .. import closure

        project = self.get_object()
        closure.close(project=project, actor=request.user)
        return self._reply(project)


class CaseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """案例库: the cases closure step 5 wrote, searchable by category, store tier and text."""

    queryset = Case.objects.all()
    permission_classes = [ScopedWrite]
    read_scope = READ_SCOPE
    write_scope = WRITE_SCOPE
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilterSet

    def get_queryset(self):
        return (
            Case.objects.visible_to(self.request.user)
            .select_related("project__store")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        summary=_("案例库"),
        description=_("按问题分类（category）、门店分层（tier）和文字（search）查找案例。"),
        responses={
            200: s.CaseSerializer(many=True),
            400: ERRORS[400],
            403: ERRORS[403],
            404: OpenApiResponse(description=_("页码无效")),
        },
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_serializer_class(self):
        return s.CaseSerializer
