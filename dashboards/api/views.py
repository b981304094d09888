"""KPI API (API.md ``GET /kpis/``, ``PUT /kpi-targets/{metric}/``): thin views over
``dashboards.board`` and ``dashboards.services``. The figures are computed over the
issues the caller may see (``Issue.objects.visible_to``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from closedloop.org.choices import ApiScope, Role

from .. import periods, policy, services
from ..board import build_board
from ..choices import METRIC_INFO, Metric
from ..metrics import Slices
from ..models import KpiTarget
from ..periods import local_date
from ..store_metrics import BOARD_METRICS
from . import serializers as s

BAD_INPUT = OpenApiResponse(description=_("输入有误：按字段列出错误"))
FORBIDDEN = OpenApiResponse(description=_("无权访问"))
NOT_FOUND = OpenApiResponse(description=_("指标不存在"))


class KpiAccess(BasePermission):
    """Reads: headquarters people, or a machine client, with ``issues:read``; writes
    (targets): the quality lead with ``issues:write``. The scopes narrow a person's API
    token as they narrow a machine client: a token made for reading issues cannot set
    targets."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            if not user.has_scope(ApiScope.ISSUES_READ):
                return False
            return user.role == Role.API_CLIENT or policy.can_view_board(user)
        return user.has_scope(ApiScope.ISSUES_WRITE) and policy.can_set_targets(user)


def _f(value):
    return None if value is None else float(value)


def _period(period) -> dict:
    return {
        "kind": period.kind,
        "code": period.code,
        "from": period.first_day,
        "to": period.last_day,
    }


def kpis_payload(board) -> dict:
    k = board.kpis
    rect = board.rectification
    return {
        "period": _period(board.period),
        "previous_period": _period(board.previous_period),
        "slices": board.slices.query(),
        "submitted": k.submitted,
        "resolved": k.resolved,
        "resolution_rate": _f(k.resolution_rate),
        "avg_resolution_days": _f(k.avg_resolution_days),
        "backlog": k.backlog,
        "response_rate": {p: _f(r.rate) for p, r in k.response.items()},
        "response_due": {p: r.due for p, r in k.response.items()},
        "department_response_rate": {d.code: _f(d.rate) for d in board.departments},
        "meeting": {
            "attendance_rate": _f(board.meeting.attendance_rate),
            "decision_clarity_rate": _f(board.meeting.clarity_rate),
            "action_completion_rate": _f(board.meeting.completion_rate),
        },
        "rectification": None
        if rect is None
        else {
            "on_time_rate": _f(rect.on_time_rate),
            "avg_cycle_days": rect.avg_cycle_days,
            "red_projects": rect.red,
        },
        "store_metrics": None
        if board.store is None
        else {
            code: _f(board.store[code].value) if code in board.store else None
            for code in BOARD_METRICS.values()
        },
        "board": [
            {
                "metric": row.metric,
                "name": row.label,
                "unit": row.unit,
                "baseline": _f(row.baseline),
                "target": _f(row.target),
                "current": _f(row.current),
                "previous": _f(row.previous),
                "achievement_rate": _f(row.achievement),
                "trend": row.trend.trend,
                "trend_tone": row.trend.tone,
                "deviation": row.deviation,
                "direction": row.direction,
                "method": row.method,
                "valid_from": row.valid_from,
            }
            for row in board.rows
        ],
    }


PERIOD_PARAMS = [
    OpenApiParameter("period", OpenApiTypes.STR, description=_("月份 YYYY-MM，如 2025-11")),
    OpenApiParameter("week", OpenApiTypes.STR, description=_("ISO 周 YYYY-Www，如 2025-W47")),
    OpenApiParameter("from", OpenApiTypes.DATE, description=_("区间起（含），与 to 同用")),
    OpenApiParameter("to", OpenApiTypes.DATE, description=_("区间止（含），与 from 同用")),
    OpenApiParameter("region", OpenApiTypes.STR, description=_("区域代码")),
    OpenApiParameter("tier", OpenApiTypes.STR, description=_("门店分层 A | B | C")),
    OpenApiParameter("department", OpenApiTypes.STR, description=_("部门代码")),
    OpenApiParameter("category", OpenApiTypes.STR, description=_("问题分类代码")),
]


class KpiView(APIView):
    """KPI 看板数据: the board of a week, a month or a range (Beijing time), sliced and
    scoped to what the caller may see. Rates are fractions."""

    permission_classes = [KpiAccess]

    @extend_schema(
        operation_id="kpis_retrieve",
        parameters=PERIOD_PARAMS,
        responses={200: s.KpisSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request):
        now = timezone.now()
        period = periods.parse(request.query_params, now=now)
        slices = Slices.from_params(request.query_params)
        board = build_board(request.user, period, slices, now=now)
        return Response(s.KpisSerializer(kpis_payload(board)).data)


def _metric(metric: str) -> str:
    if metric not in Metric.values:
        raise NotFound(_("指标不存在。"))
    return metric


class KpiTargetListView(APIView):
    """KPI 目标: every metric's target history (latest first per metric)."""

    permission_classes = [KpiAccess]

    @extend_schema(
        operation_id="kpi_targets_list",
        responses={200: s.KpiTargetSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        rows = KpiTarget.objects.select_related("set_by").order_by("metric", "-valid_from")
        return Response(s.KpiTargetSerializer(rows, many=True).data)


class KpiTargetView(APIView):
    """One metric's target: ``GET`` the one in force today, ``PUT`` a baseline and target
    from a date on (quality lead; upsert by metric and date)."""

    permission_classes = [KpiAccess]

    @extend_schema(
        operation_id="kpi_targets_retrieve",
        responses={200: s.KpiTargetSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, metric):
        metric = _metric(metric)
        today = local_date(timezone.now())
        target = KpiTarget.objects.in_force(today).filter(metric=metric).first()
        if target is None:
            raise NotFound(_("该指标今天没有生效的目标。"))
        return Response(s.KpiTargetSerializer(target).data)

    @extend_schema(
        operation_id="kpi_targets_update",
        request=s.KpiTargetWriteSerializer,
        responses={
            200: s.KpiTargetSerializer,
            201: s.KpiTargetSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def put(self, request, metric):
        metric = _metric(metric)
        writer = s.KpiTargetWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        data = writer.validated_data
        target, created = services.set_kpi_target(
            actor=request.user,
            metric=metric,
            target=data["target"],
            baseline=data.get("baseline"),
            direction=data.get("direction") or METRIC_INFO[metric][1],
            method=data.get("method") or "standard",
            valid_from=data["from"],
        )
        return Response(
            s.KpiTargetSerializer(target).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
